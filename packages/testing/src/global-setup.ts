/**
 * vitest global setup: prepares shared fixtures once per run (see the functions called here).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { generateTinyModel } from "./tiny-model";

export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), "cairn-fixtures-"));
  // Generated once per run (~0.1 s); tests copy it when they need to modify it.
  const { dir } = generateTinyModel(join(root, "tiny-model"), { dim: 384 });
  project.provide("tinyModelDir", dir);
  return () => rmSync(root, { recursive: true, force: true });
}
