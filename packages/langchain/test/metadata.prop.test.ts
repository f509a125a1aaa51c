/**
 * Property: any JSON metadata survives encode → Cairn → decode exactly (up to JSON semantics and key order),
 * both in memory and through a real store (so Cairn accepts everything the encoder produces).
 */
import { Document } from "@langchain/core/documents";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { CairnVectorStore, decodeMetadata, encodeMetadata } from "../src";
import { WordEmbeddings } from "./helpers";

// Keys mix ordinary names with the troublesome ones: dots, reserved prefixes, the reserved key, __proto__.
const keyArb = fc.oneof(
  fc.constantFrom("a", "b", "loc", "lines", "a.b", ".", "$x", "#y", "lc_json", "__proto__", "", "é"),
  fc.string({ maxLength: 6 }),
);
const valueArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 5 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.array(tie("value"), { maxLength: 3 }),
    tie("object"),
  ),
  object: fc.dictionary(keyArb, tie("value"), { maxKeys: 4 }),
})).value;
const metadataArb = fc.dictionary(keyArb, valueArb, { maxKeys: 6 });

/** JSON semantics, with -0 (which JSON writes as 0) folded to 0. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v) => (Object.is(v, -0) ? 0 : v)));

describe("metadata round trip (property)", () => {
  it("decode(encode(m)) equals m as JSON", () => {
    fc.assert(
      fc.property(metadataArb, (m) => {
        expect(asJson(decodeMetadata(encodeMetadata(m)))).toEqual(asJson(m));
      }),
      { numRuns: 500 },
    );
  });

  const store = new CairnVectorStore(new WordEmbeddings(8), { collectionName: "metadata_prop" });
  afterAll(() => store.close());

  it("through a store: getByIds returns the metadata that was added", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(metadataArb, async (m) => {
        const id = `doc-${n++}`;
        await store.addDocuments([new Document({ pageContent: "text", metadata: m })], { ids: [id] });
        const [doc] = await store.getByIds([id]);
        expect(asJson(doc?.metadata)).toEqual(asJson(m));
      }),
      { numRuns: 100 },
    );
  });
});
