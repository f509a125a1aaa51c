import { packageBuild } from "../../tsup.base";

// Native addons and the model runtime stay external: they are loaded from node_modules at run time
// (`@cairndb/default-embed` is an optional peer dependency, imported on the first default-EF call).
export default packageBuild({ external: ["better-sqlite3", "hnswlib-node", "@cairndb/default-embed"] });
