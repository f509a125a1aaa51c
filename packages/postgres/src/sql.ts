/** Small SQL helpers: identifier quoting, parameter lists, vector literals. */

/** Double-quotes an identifier (`"` doubled). */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Collects positional parameters while a statement is built: `p.add(v)` returns `$n`. */
export class Params {
  readonly values: unknown[] = [];
  /** Adds a value; returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** pgvector's text form of a vector: `[1,0.5,-2]` (shortest round-tripping decimals of the float32 values). */
export function vectorLiteral(vector: Float32Array | readonly number[]): string {
  let out = "[";
  for (let i = 0; i < vector.length; i++) out += (i > 0 ? "," : "") + String(vector[i]);
  return `${out}]`;
}

/** Parses pgvector's text output (`[1,0.5,-2]`) into numbers (exactly the stored float32 values). */
export function parseVector(text: string): number[] {
  return JSON.parse(text) as number[];
}

/** A LIKE pattern matching `text` anywhere (with `\`, `%` and `_` escaped; LIKE's default escape is `\`). */
export const containsPattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
