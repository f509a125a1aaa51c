// First quick-start command: set up, then run examples/quickstart against a PersistentClient.
import { pnpm } from "./pnpm.mjs";

await import("./setup.mjs");
pnpm(["--filter", "@cairndb/example-quickstart", "start"]);
