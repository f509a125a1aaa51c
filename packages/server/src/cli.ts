#!/usr/bin/env node
/** The `cairn` binary (see `commands/program.ts`). Owns the process: its exit code and its terminal. */
import { runCli } from "./commands/program";

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`cairn: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
