import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  bytesToFloat32,
  bytesToNumbers,
  float32ToBytes,
  fsyncDir,
  replaceFileDurably,
  writeFileDurably,
} from "../../src/internal";

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-internal-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("durable writes", () => {
  it("writeFileDurably writes strings and bytes", () => {
    const dir = scratch();
    writeFileDurably(join(dir, "a"), "hello");
    writeFileDurably(join(dir, "b"), new Uint8Array([1, 2, 3]));
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("hello");
    expect([...readFileSync(join(dir, "b"))]).toEqual([1, 2, 3]);
  });

  it("replaceFileDurably replaces the content and leaves no temporary file", () => {
    const dir = scratch();
    const path = join(dir, "CURRENT");
    writeFileSync(path, "old");
    replaceFileDurably(path, "new");
    expect(readFileSync(path, "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["CURRENT"]);
  });

  it("replaceFileDurably removes its temporary file when the rename fails", () => {
    const dir = scratch();
    // The target is a non-empty folder: the rename over it fails.
    const target = join(dir, "target");
    writeFileDurably(join(scratchInto(target), "x"), "x");
    expect(() => replaceFileDurably(target, "data")).toThrow();
    expect(readdirSync(dir)).toEqual(["target"]);
  });

  it("fsyncDir tolerates a missing folder (best effort)", () => {
    expect(() => fsyncDir(join(scratch(), "missing"))).not.toThrow();
  });
});

function scratchInto(path: string): string {
  mkdirSync(path);
  return path;
}

describe("float32 bytes", () => {
  const finite = fc.array(fc.float({ noNaN: true }), { maxLength: 64 });

  it("round-trips through bytes, little-endian", () => {
    fc.assert(
      fc.property(finite, (numbers) => {
        const vector = Float32Array.from(numbers);
        const bytes = float32ToBytes(vector);
        expect(bytes.byteLength).toBe(vector.length * 4);
        for (let i = 0; i < vector.length; i++) expect(bytes.readFloatLE(i * 4)).toBe(vector[i]);
        expect(Array.from(bytesToFloat32(bytes))).toEqual(Array.from(vector));
        expect(bytesToNumbers(bytes)).toEqual(Array.from(vector));
      }),
    );
  });

  it("decodes unaligned bytes by copying", () => {
    const backing = new Uint8Array(9);
    const view = new Uint8Array(backing.buffer, 1, 8);
    view.set(float32ToBytes(Float32Array.from([1.5, -2])));
    expect(Array.from(bytesToFloat32(view))).toEqual([1.5, -2]);
  });

  it("refuses a length that is not a whole number of floats", () => {
    expect(() => bytesToFloat32(new Uint8Array(6))).toThrow(/6 bytes is not a whole number of float32/);
  });
});
