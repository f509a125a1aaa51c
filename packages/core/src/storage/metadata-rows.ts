/**
 * Flattens record metadata into `record_metadata` rows (see the header of `schema.ts`): one row per scalar,
 * one row per array element. Filters compiled by `filter-sql.ts` rely on exactly this encoding.
 */
import { InvalidArgumentError } from "../errors";
import { describeValue } from "../internal";
import type { Metadata } from "../types";

/** One row of `record_metadata` (without `label` and `collection_id`, which the writer adds). */
export interface MetadataRow {
  /** The metadata key. */
  key: string;
  /** `s` string, `i` integer (`Number.isInteger`), `f` other number, `b` boolean. */
  type: "s" | "i" | "f" | "b";
  /** The string, for type `s`; otherwise null. */
  str: string | null;
  /** The number, or 1 / 0 for booleans; null for type `s`. */
  num: number | null;
  /** 1 when the row is one element of an array value. */
  isArray: 0 | 1;
}

/**
 * The `record_metadata` rows of one record's metadata.
 *
 * Keys whose value is `undefined` or `null` produce no row (they count as absent, as in the evaluator).
 * Metadata is expected to be validated already; values the filters could not represent faithfully still
 * throw rather than being stored wrongly.
 *
 * @throws InvalidArgumentError `INVALID_METADATA` for NaN / ±Infinity, empty arrays, nested arrays or objects.
 * @example metadataToRows({ year: 2020, tags: ["a", "b"] })
 * // [{ key: "year", type: "i", str: null, num: 2020, isArray: 0 },
 * //  { key: "tags", type: "s", str: "a", num: null, isArray: 1 }, { key: "tags", type: "s", str: "b", … }]
 */
export function metadataToRows(metadata: Metadata): MetadataRow[] {
  const rows: MetadataRow[] = [];
  for (const key of Object.keys(metadata)) {
    const value: unknown = metadata[key];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) {
      rows.push(scalarRow(key, value, 0));
      continue;
    }
    if (value.length === 0) {
      throw invalid(
        key,
        undefined,
        "an empty array cannot be stored (filters could not see the key); omit the key",
      );
    }
    for (let i = 0; i < value.length; i++) {
      rows.push(scalarRow(key, value[i], 1, i));
    }
  }
  return rows;
}

function scalarRow(key: string, value: unknown, isArray: 0 | 1, index?: number): MetadataRow {
  switch (typeof value) {
    case "string":
      return { key, type: "s", str: value, num: null, isArray };
    case "boolean":
      return { key, type: "b", str: null, num: value ? 1 : 0, isArray };
    case "number":
      if (!Number.isFinite(value)) throw invalid(key, index, `numbers must be finite, got ${value}`);
      return { key, type: Number.isInteger(value) ? "i" : "f", str: null, num: value, isArray };
    default:
      throw invalid(
        key,
        index,
        `expected a string, number, boolean or an array of them, got ${describeValue(value)}`,
      );
  }
}

function invalid(key: string, index: number | undefined, problem: string): InvalidArgumentError {
  const path = `metadata[${JSON.stringify(key)}]${index === undefined ? "" : `[${index}]`}`;
  return new InvalidArgumentError("INVALID_METADATA", `${path}: ${problem}`, { details: { path, key } });
}
