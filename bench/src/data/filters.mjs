/**
 * The measured filters: a Chroma `where` for the databases, and the same predicate over the packed columns for
 * raw hnswlib's callback, brute force and the ground truth.
 */

/**
 * @typedef {{ name: string, label: string, where?: object, predicate?: (columns: object) => (i: number) => boolean,
 *   truth?: string, fresh?: boolean }} FilterSpec
 */

const C3 = 3;
const YEAR = 2011;

/** @type {FilterSpec[]} */
export const FILTERS = [
  { name: "none", label: "unfiltered" },
  {
    name: "category",
    label: 'where {category: "c3"} (~10%)',
    where: { category: "c3" },
    predicate: (c) => (i) => c.category[i] === C3,
  },
  {
    name: "category-year",
    label: 'where {$and: [{category: "c3"}, {year: 2011}]} (~1%)',
    where: { $and: [{ category: "c3" }, { year: YEAR }] },
    predicate: (c) => (i) => c.category[i] === C3 && c.year[i] === YEAR,
  },
];

/**
 * The same filters, but with a where that differs for every query while matching the same records
 * (`"c3"` becomes `{$in: ["c3", "~<n>"]}`): a database that caches resolved filters must resolve these afresh.
 * Measured for Cairn only (Chroma and raw hnswlib do not cache, so their numbers would not change).
 */
export const FRESH_FILTERS = FILTERS.filter((f) => f.where).map((f) => ({
  ...f,
  name: `${f.name}-fresh`,
  truth: f.name,
  label: `${f.label}, a new filter object for every query`,
  fresh: true,
}));

/** The where of a fresh filter for query number `n`. */
export function freshWhere(where, n) {
  return JSON.parse(JSON.stringify(where).replace('"c3"', JSON.stringify({ $in: ["c3", `~${n}`] })));
}

/** A filter by name. */
export function filterByName(name) {
  const f = FILTERS.find((x) => x.name === name);
  if (!f) throw new Error(`unknown filter '${name}'`);
  return f;
}
