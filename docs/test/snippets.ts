/**
 * Extraction of the TypeScript blocks of a Markdown file, with their snippet markers (see snippets.test.ts).
 */

/** One ```ts block, ready to be type-checked (and run). */
export interface Snippet {
  /** `docs/x.md:12`: the file and the line of the opening fence. */
  where: string;
  code: string;
  /** Lines of hidden prelude/setup code before the block's first line in `code`. */
  hidden: number;
  /** The Markdown line of the block's first line. */
  firstLine: number;
  mode: "check" | "run" | "skip";
  skipReason?: string;
}

const MARKER = /^<!--\s*snippet:\s*(run|skip|setup|prelude)\b([\s\S]*?)-->\s*$/;

/** Collects the TypeScript blocks of one Markdown file (`file` is only used in positions and messages). */
export function extractSnippets(file: string, text: string): Snippet[] {
  const lines = text.split("\n");
  const out: Snippet[] = [];
  let prelude = "";
  let pending: { kind: string; body: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith("<!--") && /^<!--\s*snippet:/.test(line)) {
      // A marker may span lines (setup / prelude code): read up to the closing `-->`.
      let j = i;
      let comment = line;
      while (!comment.trimEnd().endsWith("-->") && j + 1 < lines.length) comment += `\n${lines[++j]}`;
      const m = MARKER.exec(comment);
      if (!m) throw new Error(`${file}:${i + 1}: unreadable snippet marker: ${line}`);
      const kind = m[1] as string;
      const body = (m[2] ?? "").replace(/^[ \t]*\n/, "");
      if (kind === "prelude") prelude += `${body}\n`;
      else pending.push({ kind, body });
      i = j;
      continue;
    }
    const fence = /^```(ts|typescript)\s*$/.exec(line);
    if (!fence) {
      if (line.trim() !== "") pending = [];
      continue;
    }
    const start = i + 1;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] as string); i++) body.push(lines[i] as string);
    const where = `${file}:${start}`;
    const skip = pending.find((p) => p.kind === "skip");
    const setup = pending
      .filter((p) => p.kind === "setup")
      .map((p) => p.body)
      .join("\n");
    if (skip && skip.body.trim() === "") throw new Error(`${where}: "snippet: skip" needs a reason`);
    const head = `${prelude}${setup}\n`;
    out.push({
      where,
      code: `${head}${body.join("\n")}\nexport {};\n`,
      hidden: head.split("\n").length - 1,
      firstLine: start + 1,
      mode: skip ? "skip" : pending.some((p) => p.kind === "run") ? "run" : "check",
      ...(skip ? { skipReason: skip.body.trim() } : {}),
    });
    pending = [];
  }
  return out;
}
