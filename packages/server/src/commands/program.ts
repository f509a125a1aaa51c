/**
 * The `cairn` command line, declared with commander: `run`, `tokens create | list | revoke`, `models pull`, `vacuum`,
 * `backup`, `restore`, `check`, `export`, `import`, `estimate`, `import-chroma`, `version`, and `--help` /
 * `-h` on every command. Exit codes: 0 ok, 1 runtime error (a Cairn error prints its code), 2 usage error
 * (unknown command or option, missing value; commander suggests the closest name).
 */
import { CairnError } from "@cairndb/core";
import { ROLES } from "../auth";
import { Command, CommanderError, Option } from "commander";
import { type BackupFlags, backupCommand } from "./backup";
import { type CheckFlags, checkCommand } from "./check";
import { type EstimateFlags, estimateCommand } from "./estimate";
import { type ExportFlags, exportCommand } from "./export";
import { type ImportFlags, importCommand } from "./import";
import { modelsPullCommand, type PullFlags } from "./models";
import { type RestoreFlags, restoreCommand } from "./restore";
import { RUN_DEFAULTS, type RunEnvironment, type RunFlags, runCommand } from "./run";
import {
  type TokensCreateFlags,
  tokensCreateCommand,
  tokensListCommand,
  tokensRevokeCommand,
} from "./tokens";
import { type ImportChromaFlags, importChromaCommand } from "./import-chroma";
import { vacuumCommand } from "./vacuum";
import { VERSION_TEXT, versionCommand } from "./version";

/** Exit code of a usage error (bad command line), as opposed to 1 for a failure while running. */
export const USAGE_ERROR = 2;

/** Streams and hooks the CLI uses (replaced in tests). */
export interface CliEnvironment extends RunEnvironment {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** What `cairn import --from -` reads (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

const widthOf = (stream: NodeJS.WritableStream): number => {
  const tty = stream as NodeJS.WriteStream;
  return tty.isTTY && tty.columns ? tty.columns : 80;
};

const FOOTER = `
Outside a project that depends on @cairndb/server, run it through its package name (the bare name "cairn"
on the registry is another package):
  npx @cairndb/server run --path ./cairn_db --port 8000

Point any chromadb client (or Cairn's HttpClient) at http://<host>:<port>.`;

/**
 * Builds the `cairn` program. `result.code` holds the action's exit code after `parseAsync`.
 * @example const { program } = createProgram(); await program.parseAsync(["run", "--help"], { from: "user" });
 */
export function createProgram(env: CliEnvironment = {}): { program: Command; result: { code: number } } {
  const stdout = env.stdout ?? process.stdout;
  const stderr = env.stderr ?? process.stderr;
  const result = { code: 0 };
  const program = new Command("cairn");
  // Set before any subcommand is added: subcommands inherit these.
  program
    .description("Cairn vector database server: Chroma's REST API v2 over an embedded Cairn database.")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => stderr.write(s),
      // Wrap help to the terminal when there is one, else at 80 columns (as docs/server-api.md shows it).
      getOutHelpWidth: () => widthOf(stdout),
      getErrHelpWidth: () => widthOf(stderr),
    })
    .showSuggestionAfterError(true)
    .showHelpAfterError("(add --help for usage)")
    .helpOption("-h, --help", "Print help for the command")
    .helpCommand("help [command]", "Print help for a command")
    .version(VERSION_TEXT, "-v, --version", "Print the versions")
    .addHelpText("after", FOOTER);

  program
    .command("run")
    .description("Serve the database folder over HTTP until SIGINT, SIGTERM or SIGHUP")
    .option("--path <dir>", "database folder (created if missing)", RUN_DEFAULTS.path)
    .option("--host <address>", "interface to listen on", RUN_DEFAULTS.host)
    .option("--port <n>", "port (0 = any free port)", RUN_DEFAULTS.port)
    .option("--allow-reset", "allow POST /api/v2/reset (deletes everything)", false)
    .addOption(
      new Option(
        "--auth <file>",
        "auth file of API tokens (cairn tokens create); reloaded when it changes. Without it: open to anyone",
      ).env("CAIRN_AUTH_FILE"),
    )
    .option(
      "--log-level <level>",
      "debug | info | warn | error | silent (info: one line per request)",
      RUN_DEFAULTS.logLevel,
    )
    .option(
      "--log-format <format>",
      "pretty | json: one JSON object per line (default: pretty on a terminal, json otherwise)",
    )
    .option("--no-metrics", "do not serve GET /metrics (Prometheus)")
    .option(
      "--metrics-collection-labels <on|off>",
      "label the per-collection gauges of /metrics by tenant, database and collection (off: totals only)",
      RUN_DEFAULTS.metricsCollectionLabels,
    )
    .option("--max-body-mb <n>", "request body limit in MiB", RUN_DEFAULTS.maxBodyMb)
    .option(
      "--on-duplicate <mode>",
      "add of an existing id: error (DUPLICATE_ID) | ignore (Chroma's silent ignore, for integrations built on the official client)",
      RUN_DEFAULTS.onDuplicate,
    )
    .option(
      "--shutdown-grace-ms <ms>",
      "on a stop signal, how long in-flight requests may take before connections are dropped",
      RUN_DEFAULTS.shutdownGraceMs,
    )
    .option(
      "--max-concurrent <n>",
      "requests worked on at once; beyond it and the queue: 429 OVERLOADED with Retry-After",
      RUN_DEFAULTS.maxConcurrent,
    )
    .option("--max-queued <n>", "requests that may wait for a slot (0 = none)", RUN_DEFAULTS.maxQueued)
    .option(
      "--request-timeout-ms <ms>",
      "deadline for a request to start (queue wait, body upload): past it 504 TIMEOUT, nothing done (0 = none)",
      RUN_DEFAULTS.requestTimeoutMs,
    )
    .option("--cors-origin <origin...>", "allow browsers on these origins (* = any); default: CORS off")
    .addHelpText(
      "after",
      "\nA stop signal stops accepting connections, lets in-flight requests finish (within the grace period),\ncloses the database and exits 0. A second signal exits at once with code 1.",
    )
    .action(async (flags: RunFlags) => {
      result.code = await runCommand(flags, { ...env, stderr });
    });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const authFile = () =>
    new Option("--auth <file>", "the auth file (YAML or JSON)").env("CAIRN_AUTH_FILE").makeOptionMandatory();
  const tokens = program
    .command("tokens")
    .description("Manage the API tokens of an auth file (the file keeps only their SHA-256 hashes)");
  tokens
    .command("create")
    .description(
      "Create a token, add its hash to the auth file (created if missing) and print the token once",
    )
    .addOption(authFile())
    .requiredOption("--name <name>", "a unique name (shown in logs; used by revoke)")
    .addOption(new Option("--role <role>", "what the token may do").choices(ROLES).makeOptionMandatory())
    .requiredOption(
      "--tenant <name>",
      'a tenant the token sees ("*" = all, "team-*" = a pattern; repeatable)',
      collect,
    )
    .requiredOption(
      "--database <name>",
      'a database the token sees in those tenants ("*" = all; repeatable)',
      collect,
    )
    .action((flags: TokensCreateFlags) => {
      result.code = tokensCreateCommand(flags, stdout, stderr);
    });
  tokens
    .command("list")
    .description("List the tokens of the auth file (names, roles, scopes)")
    .addOption(authFile())
    .action((flags: { auth: string }) => {
      result.code = tokensListCommand(flags, stdout);
    });
  tokens
    .command("revoke")
    .description("Remove a token from the auth file (a running server stops accepting it when it reloads)")
    .addOption(authFile())
    .requiredOption("--name <name>", "the token to revoke")
    .action((flags: { auth: string; name: string }) => {
      result.code = tokensRevokeCommand(flags, stderr);
    });

  const models = program
    .command("models")
    .description("Manage the default embedding model (for machines that run offline)");
  models
    .command("pull")
    .description("Download and verify the default embedding model")
    .option("--dir <dir>", "download into this folder (default: the model cache, $CAIRN_CACHE_DIR)")
    .addOption(
      new Option("--dtype <type>", "model weights: fp32 (the same vectors as Chroma's default) | q8").default(
        "fp32",
      ),
    )
    .option("--model <id>", "hub model id (default Xenova/all-MiniLM-L6-v2)")
    .action(async (flags: PullFlags) => {
      result.code = await modelsPullCommand(flags);
    });

  program
    .command("vacuum")
    .description("Compact the database and rebuild bloated indexes (safe while other processes use it)")
    .option("--path <dir>", "database folder", RUN_DEFAULTS.path)
    .action(async (flags: { path: string }) => {
      result.code = await vacuumCommand(flags, stdout);
    });

  const tenantOptions = (command: Command) =>
    command
      .option("--tenant <name>", "tenant of the collection (default default_tenant)")
      .option("--database <name>", "database of the collection (default default_database)");

  tenantOptions(
    program
      .command("export")
      .description(
        "Write a collection to a JSON Lines file: configuration, then every record with its vector",
      )
      .option("--path <dir>", "database folder", RUN_DEFAULTS.path)
      .requiredOption("--collection <name>", "the collection to export")
      .requiredOption(
        "--to <file>",
        'output file ("-" = stdout); written under a temporary name, then renamed',
      )
      .option("--embeddings <encoding>", "base64 (little-endian float32, bit-exact) | numbers", "base64")
      .option("--batch-size <n>", "records read per batch", "1000"),
  )
    .addHelpText(
      "after",
      "\nA progress bar is drawn on stderr when it is a terminal. Format: docs/operations-transfer.md",
    )
    .action(async (flags: ExportFlags) => {
      result.code = await exportCommand(flags, stdout, stderr);
    });

  tenantOptions(
    program
      .command("import")
      .description("Import a file written by cairn export (the collection is created from its header)")
      .option("--path <dir>", "database folder (created if missing)", RUN_DEFAULTS.path)
      .requiredOption("--from <file>", 'the export file ("-" = stdin)')
      .option("--collection <name>", "import under this name instead of the file's")
      .option("--resume", "skip records whose id is already present (finish an interrupted import)")
      .option("--batch-size <n>", "records per batch; a malformed line discards only its batch", "1000")
      .option(
        "--allow-config-mismatch",
        "import into an existing collection whose space or embedding function differs",
      ),
  )
    .addHelpText(
      "after",
      "\nEach batch is validated whole before it is written: a malformed line fails with its line number, the\n" +
        "batches before it are kept, and rerunning with --resume completes the import.",
    )
    .action(async (flags: ImportFlags) => {
      result.code = await importCommand(flags, env.stdin ?? process.stdin, stdout, stderr);
    });

  program
    .command("estimate")
    .description("Estimate the RAM, disk and ingest time of a collection of a given size")
    .requiredOption("--records <n>", "number of records")
    .requiredOption("--dimension <n>", "vector dimension")
    .option("--metadata-bytes <n>", "average metadata size per record, as JSON", "0")
    .option("--document-bytes <n>", "average document size per record (UTF-8)", "0")
    .option("--m <n>", "HNSW graph degree (max_neighbors)", "16")
    .option("--json", "print the estimate as JSON")
    .action((flags: EstimateFlags) => {
      result.code = estimateCommand(flags, stdout);
    });

  program
    .command("backup")
    .description(
      "Back up a database folder while other processes keep using it (one consistent point in time)",
    )
    .option("--path <dir>", "database folder", RUN_DEFAULTS.path)
    .requiredOption("--to <dir>", "backup folder to create (must not exist)")
    .option("--no-index", "leave out the index snapshots (rebuilt from the records on first use)")
    .option("--json", "print the backup's manifest as JSON")
    .action(async (flags: BackupFlags) => {
      result.code = await backupCommand(flags, stdout, stderr);
    });

  program
    .command("restore")
    .description("Restore a backup into a database folder, after verifying every checksum")
    .requiredOption("--from <dir>", "backup folder (written by cairn backup)")
    .requiredOption("--path <dir>", "database folder to create")
    .option(
      "--force",
      "replace the database in a non-empty folder (stop every process using it first)",
      false,
    )
    .option("--json", "print the result as JSON")
    .action(async (flags: RestoreFlags) => {
      result.code = await restoreCommand(flags, stdout);
    });

  program
    .command("check")
    .description(
      "Check a database folder: exit 0 healthy, 1 damaged (each problem with the command that fixes it)",
    )
    .option("--path <dir>", "database folder", RUN_DEFAULTS.path)
    .option("--repair", "rebuild metadata rows, full-text index and index snapshots from the records", false)
    .option("--json", "print the report as JSON")
    .action(async (flags: CheckFlags) => {
      result.code = await checkCommand(flags, stdout);
    });

  program
    .command("import-chroma")
    .description("Copy collections from a Chroma persist directory (offline) or a running Chroma server")
    .option("--from <dir>", "a Chroma persist directory (Chroma must not be running on it)")
    .option("--from-url <url>", "a running Chroma server, e.g. http://localhost:8000")
    .option("--path <dir>", "Cairn database folder to import into", RUN_DEFAULTS.path)
    .option("--collection <name...>", "import only these collections (default: all)")
    .option("--tenant <name>", "Chroma tenant", "default_tenant")
    .option("--database <name>", "Chroma database", "default_database")
    .option("--token <token>", "x-chroma-token header for --from-url")
    .option("--batch-size <n>", "records per read page and write batch", "1000")
    .action(async (flags: ImportChromaFlags) => {
      result.code = await importChromaCommand(flags, stdout, stderr);
    });

  program
    .command("version")
    .description("Print the server and core versions")
    .action(() => {
      result.code = versionCommand(stdout);
    });

  return { program, result };
}

/**
 * Runs the CLI on `argv` (without the node and script paths) and resolves with the exit code; it never calls
 * `process.exit` itself except for a second stop signal during `cairn run`.
 * @example process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], env: CliEnvironment = {}): Promise<number> {
  const stderr = env.stderr ?? process.stderr;
  const { program, result } = createProgram(env);
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; `cairn models` without its subcommand prints help as an error (exit 1 in
      // commander): like every other bad command line, that is a usage error.
      return error.exitCode === 0 ? 0 : USAGE_ERROR;
    }
    if (error instanceof CairnError) {
      stderr.write(`cairn: ${error.message} (${error.code})\n`);
      return 1;
    }
    stderr.write(`cairn: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}
