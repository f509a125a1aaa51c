/**
 * `cairn check --path <dir> [--repair] [--json]`: checks a database folder and optionally rebuilds what is
 * derived from the records. Exit 0 healthy, 1 damaged (after the repair, with `--repair`).
 */
import { type CheckResult, check } from "@cairndb/core";

/** Flags of `cairn check`. */
export interface CheckFlags {
  path: string;
  repair: boolean;
  json?: boolean;
}

/** The report as lines for people. */
export function formatCheckReport(report: CheckResult): string {
  const lines: string[] = [];
  for (const r of report.repaired)
    lines.push(`repaired ${r.kind}${r.collection ? ` (${r.collection})` : ""}: ${r.message}`);
  const summary = `${report.collections} collection(s), ${report.records} record(s), sequence ${report.sequence}`;
  if (report.healthy) {
    lines.push(`healthy: ${report.path} (${summary})`);
  } else {
    lines.push(`damaged: ${report.path} (${summary}): ${report.problems.length} problem(s)`);
    for (const p of report.problems) {
      lines.push(`- ${p.kind}${p.collection ? ` (${p.collection})` : ""}: ${p.message}`);
      lines.push(`  fix: ${p.fix}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Runs the check and prints the report; the exit code says whether the database is healthy. */
export async function checkCommand(
  flags: CheckFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const report = await check({ path: flags.path, repair: flags.repair });
  out.write(flags.json ? `${JSON.stringify(report)}\n` : formatCheckReport(report));
  return report.healthy ? 0 : 1;
}
