/**
 * A small JSON Schema subset: the request shapes of the route table are written in it once, checked here
 * (a failure is Chroma's 422) and published unchanged in `/openapi.json`.
 */

/** A JSON Schema (the subset this server uses; valid OpenAPI 3.1 as is). */
export interface Schema {
  type?: "string" | "number" | "integer" | "boolean" | "null" | "array" | "object";
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  /** `false`: unknown keys are rejected; a schema: every other key must match it; `true`/absent: anything. */
  additionalProperties?: boolean | Schema;
  anyOf?: readonly Schema[];
  description?: string;
  $ref?: string;
}

/** Why a value does not match: a JSON path and a serde-like message. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** Any JSON value. */
export const anyValue: Schema = {};
/** A string. */
export const str = (description?: string): Schema => ({
  type: "string",
  ...(description ? { description } : {}),
});
/** A finite number. */
export const num = (): Schema => ({ type: "number" });
/** A boolean. */
export const bool = (): Schema => ({ type: "boolean" });
/** JSON null. */
export const nul = (): Schema => ({ type: "null" });
/** An unsigned 32-bit integer, like Chroma's `u32` fields. */
export const u32 = (): Schema => ({ type: "integer", minimum: 0, maximum: 4_294_967_295 });
/** One of the given strings. */
export const oneOfStrings = (...values: string[]): Schema => ({ type: "string", enum: values });
/** An array of `items`. */
export const arr = (items: Schema): Schema => ({ type: "array", items });
/** Any of the schemas. */
export const anyOf = (...schemas: Schema[]): Schema => ({ anyOf: schemas });
/** The schema or null (an optional field: Chroma treats `null` as absent). */
export const nullable = (schema: Schema): Schema => ({ anyOf: [schema, nul()] });
/** A map whose values match `values`. */
export const record = (values: Schema): Schema => ({ type: "object", additionalProperties: values });
/** An object with these properties and no others. */
export const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
});
/** A reference to a named component schema. */
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function describe(schema: Schema): string {
  if (schema.enum) return `one of ${schema.enum.map((v) => `\`${v}\``).join(", ")}`;
  if (schema.anyOf) return schema.anyOf.map(describe).join(" or ");
  if (schema.type === "integer" && schema.minimum === 0) return "a non-negative integer (u32)";
  return schema.type ? `${/^[aeiou]/.test(schema.type) ? "an" : "a"} ${schema.type}` : "a value";
}

const join = (path: string, key: string | number): string =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

function typeMatches(schema: Schema, value: unknown): boolean {
  const actual = jsonType(value);
  if (!schema.type) return true;
  if (schema.type === "number") return actual === "number" || actual === "integer";
  return schema.type === actual;
}

function checkObject(
  schema: Schema,
  value: Record<string, unknown>,
  path: string,
  resolve: Resolver,
): SchemaProblem | null {
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(value, key)) return { path: path || "body", message: `missing field \`${key}\`` };
  }
  for (const key of Object.keys(value)) {
    const known = schema.properties?.[key];
    const extra = schema.additionalProperties;
    const child = known ?? (typeof extra === "object" ? extra : undefined);
    if (!child) {
      if (extra === false) {
        const expected = Object.keys(schema.properties ?? {});
        return {
          path: join(path, key),
          message: `unknown field \`${key}\`${expected.length > 0 ? `, expected one of ${expected.map((k) => `\`${k}\``).join(", ")}` : ""}`,
        };
      }
      continue;
    }
    const problem = check(child, value[key], join(path, key), resolve);
    if (problem) return problem;
  }
  return null;
}

/** Resolves `$ref`s of component schemas. */
export type Resolver = (ref: string) => Schema;

function check(schema: Schema, value: unknown, path: string, resolve: Resolver): SchemaProblem | null {
  if (schema.$ref) return check(resolve(schema.$ref), value, path, resolve);
  if (schema.anyOf) {
    const problems = schema.anyOf.map((s) => check(s, value, path, resolve));
    if (problems.some((p) => p === null)) return null;
    // When only one variant has the right type, its (deeper) problem is the useful one.
    const typed = schema.anyOf.filter((s) => typeMatches(s.$ref ? resolve(s.$ref) : s, value));
    if (typed.length === 1) return problems[schema.anyOf.indexOf(typed[0]!)]!;
    return { path, message: `invalid value: expected ${describe(schema)}, got ${jsonType(value)}` };
  }
  if (!typeMatches(schema, value))
    return { path, message: `invalid type: ${jsonType(value)}, expected ${describe(schema)}` };
  if (schema.enum && !schema.enum.includes(value as string)) {
    return { path, message: `unknown variant \`${String(value)}\`, expected ${describe(schema)}` };
  }
  if (typeof value === "number") {
    if (
      (schema.minimum !== undefined && value < schema.minimum) ||
      (schema.maximum !== undefined && value > schema.maximum)
    ) {
      return { path, message: `invalid value: ${value}, expected ${describe(schema)}` };
    }
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const problem = check(schema.items, value[i], join(path, i), resolve);
      if (problem) return problem;
    }
  }
  if (schema.type === "object") return checkObject(schema, value as Record<string, unknown>, path, resolve);
  return null;
}

/** Checks a value against a schema; returns the first problem, or null when it matches. */
export function validate(
  schema: Schema,
  value: unknown,
  resolve: Resolver = () => anyValue,
): SchemaProblem | null {
  return check(schema, value, "", resolve);
}
