/** Text for error messages: short, bounded-time descriptions of values and errors. */

/**
 * `text`, cut to `max` code units with an ellipsis when longer.
 * @example truncate("abcdef", 3) // "abc…"
 */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A short description of any value for error messages, in bounded time: the type and, for primitives, the
 * value (strings quoted and shortened); arrays, objects and class instances are named, never walked (a hostile
 * value may be huge, cyclic, or share sub-objects so that walking it takes exponential time).
 * @example describeValue("2020") // 'string "2020"'
 * @example describeValue([1, 2]) // "an array of 2"
 * @example describeValue(new Date()) // "an instance of Date"
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `string ${JSON.stringify(truncate(value, 60))}`;
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "bigint":
      return `bigint ${String(value)}n`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    case "undefined":
      return "undefined";
    default: {
      if (value === null) return "null";
      if (Array.isArray(value)) return `an array of ${value.length}`;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return "an object";
      const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      if (typeof name === "string" && name !== "") return `an instance of ${name}`;
      return "an object with a custom prototype";
    }
  }
}

/**
 * The message of a thrown value: `error.message` for an `Error`, its string form otherwise.
 * @example errorMessage(new Error("boom")) // "boom"
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
