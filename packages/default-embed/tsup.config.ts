import { packageBuild } from "../../tsup.base";

// The runtimes are resolved from node_modules at run time: onnxruntime-node is optional, and
// onnxruntime-web loads its .wasm files from its own package directory.
export default packageBuild({ external: ["onnxruntime-node", "onnxruntime-web", "@huggingface/tokenizers"] });
