#!/usr/bin/env node
/** The `cairn` command line: `run`, `models pull`, `vacuum`, `version`, `--help`. Owns the terminal (stdout/stderr). */
import { CairnError } from "@cairndb/core";
import { helpCommand } from "./commands/help";
import { modelsCommand } from "./commands/models";
import { runCommand } from "./commands/run";
import { vacuumCommand } from "./commands/vacuum";
import { versionCommand } from "./commands/version";

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run":
      return runCommand(rest);
    case "models":
      return modelsCommand(rest);
    case "vacuum":
      return vacuumCommand(rest);
    case "version":
    case "--version":
    case "-v":
      return versionCommand();
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return helpCommand();
    default:
      process.stderr.write(`cairn: unknown command "${command}". Run \`cairn --help\` for usage.\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CairnError) {
      process.stderr.write(`cairn: ${error.message} (${error.code})\n`);
      process.exit(1);
    }
    // node:util parseArgs reports bad flags as TypeErrors with an ERR_PARSE_ARGS_* code.
    if ((error as { code?: string })?.code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`cairn: ${(error as Error).message}. Run \`cairn --help\` for usage.\n`);
      process.exit(2);
    }
    process.stderr.write(`cairn: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
