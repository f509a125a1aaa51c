import { InvalidArgumentError } from "../errors";
import { describeValue } from "../internal";

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Validates a collection name with Chroma's rules: 3–512 characters from `[a-zA-Z0-9._-]`, starting and ending
 * with a letter or digit, no `..`, not an IPv4 address.
 */
export function validateCollectionName(name: unknown, path = "name"): string {
  const problem =
    typeof name !== "string"
      ? `expected a string, got ${describeValue(name)}`
      : !NAME_PATTERN.test(name) || name.includes("..") || IPV4.test(name)
        ? `expected a name containing 3-512 characters from [a-zA-Z0-9._-], starting and ending with a character in [a-zA-Z0-9], without "..", not an IP address. Got: ${describeValue(name)}`
        : undefined;
  if (problem)
    throw new InvalidArgumentError("INVALID_COLLECTION_NAME", `${path}: ${problem}`, { details: { path } });
  return name as string;
}

/** Validates a tenant or database name (at least 3 characters, like Chroma). */
export function validateNamespaceName(name: unknown, path: string): string {
  if (typeof name !== "string" || name.length < 3 || name.length > 512) {
    throw new InvalidArgumentError(
      "INVALID_ARGUMENT",
      `${path}: expected a name of 3-512 characters, got ${describeValue(name)}`,
      {
        details: { path },
      },
    );
  }
  return name;
}
