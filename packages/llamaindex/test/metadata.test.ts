/**
 * Flatten / restore of node metadata, alone (pure functions) and through a store (nodes read back equal).
 */
import { CairnError, type Metadata } from "@cairndb/core";
import { IndexNode, MetadataMode, NodeRelationship, TextNode } from "@llamaindex/core/schema";
import { VectorStoreQueryMode } from "@llamaindex/core/vector-store";
import { describe, expect, it } from "vitest";
import { CAIRN_JSON_KEY, CairnVectorStore, flattenMetadata, restoreMetadata } from "../src";
import { embedModel, uniqueName } from "./helpers/nodes";

describe("flattenMetadata", () => {
  it.each<[string, Record<string, unknown>, Metadata]>([
    ["scalars stay", { a: "x", b: 1, c: 1.5, d: true }, { a: "x", b: 1, c: 1.5, d: true }],
    ["scalar arrays stay", { tags: ["a", "b"], n: [1, 2] }, { tags: ["a", "b"], n: [1, 2] }],
    [
      "nested objects → dotted keys",
      { loc: { lines: { from: 1, to: 4 } } },
      { "loc.lines.from": 1, "loc.lines.to": 4 },
    ],
    ["null → JSON", { a: null }, { [CAIRN_JSON_KEY]: '{"a":null}' }],
    ["[] and {} → JSON", { a: [], b: {} }, { [CAIRN_JSON_KEY]: '{"a":[],"b":{}}' }],
    ["mixed arrays → JSON", { a: [1, "x"] }, { [CAIRN_JSON_KEY]: '{"a":[1,"x"]}' }],
    ["arrays of objects → JSON", { a: [{ b: 1 }] }, { [CAIRN_JSON_KEY]: '{"a":[{"b":1}]}' }],
    [
      "nested residue keeps its position",
      { loc: { a: 1, b: null } },
      { "loc.a": 1, [CAIRN_JSON_KEY]: '{"loc":{"b":null}}' },
    ],
    ["a dotted key → JSON", { "a.b": 1 }, { [CAIRN_JSON_KEY]: '{"a.b":1}' }],
    ["$ / # / empty keys → JSON", { $a: 1, "#b": 2, "": 3 }, { [CAIRN_JSON_KEY]: '{"$a":1,"#b":2,"":3}' }],
    [
      "reserved keys → JSON",
      { ref_doc_id: "mine", _cairn_json: "x" },
      { [CAIRN_JSON_KEY]: '{"ref_doc_id":"mine","_cairn_json":"x"}' },
    ],
    ["undefined is dropped, as JSON does", { a: undefined, b: 1 }, { b: 1 }],
  ])("%s", (_name, input, expected) => {
    const flat = flattenMetadata(input);
    expect(flat).toEqual(expected);
    expect(restoreMetadata(flat)).toEqual(JSON.parse(JSON.stringify(input)));
  });

  it("round-trips rich metadata with JSON semantics, without touching the input", () => {
    const input = {
      file_name: "a.md",
      loc: { lines: { from: 1, to: 4 }, page: null },
      tags: ["x"],
      empty: [],
      weird: [{ k: [1, { z: null }] }],
      ["__proto__"]: { polluted: true },
      nan: Number.NaN,
    };
    Object.defineProperty(input, "__proto__", { value: { polluted: true }, enumerable: true });
    const before = structuredClone(input);
    const restored = restoreMetadata(flattenMetadata(input));
    expect(restored).toEqual(JSON.parse(JSON.stringify(input)));
    expect(input).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects what JSON cannot hold", () => {
    expect(() => flattenMetadata({ big: { n: 1n } }, "nodes[2].metadata")).toThrow(
      /nodes\[2\]\.metadata: metadata must be JSON/,
    );
    expect(() => flattenMetadata({ big: { n: 1n } })).toThrow(CairnError);
  });

  it("restore ignores the store's own keys and keeps colliding foreign keys verbatim", () => {
    expect(restoreMetadata({ a: 1, "a.b": 2, ref_doc_id: "d", _node_type: "TextNode" })).toEqual({
      a: 1,
      "a.b": 2,
    });
    // A residue value that is not ours (not a JSON object) is foreign data: kept verbatim, never dropped.
    expect(restoreMetadata({ [CAIRN_JSON_KEY]: "not json", x: 1 })).toEqual({
      x: 1,
      [CAIRN_JSON_KEY]: "not json",
    });
  });
});

describe("nodes read back from the store equal the nodes written", () => {
  it("text, nested metadata, relationships, hashes and excluded keys survive; the type too (IndexNode)", async () => {
    const store = new CairnVectorStore({ collectionName: uniqueName("roundtrip"), embedModel });
    const metadata: Record<string, unknown> = {
      file: "a.md",
      loc: { lines: { from: 1, to: 4 } },
      tags: ["x", "y"],
      none: null,
      empty: [],
    };
    const text = new TextNode({
      id_: "t1",
      text: "Paris is the capital of France",
      metadata,
      excludedEmbedMetadataKeys: ["file"],
      relationships: {
        [NodeRelationship.SOURCE]: { nodeId: "doc-1", metadata: {} },
        [NodeRelationship.NEXT]: { nodeId: "t2", metadata: {} },
      },
      embedding: await embedModel.getTextEmbedding("Paris is the capital of France"),
    });
    const index = new IndexNode({
      id_: "i1",
      text: "an index node",
      indexId: "sub-index",
      embedding: text.embedding,
    });
    await store.add([text, index]);

    const result = await store.query({
      queryEmbedding: text.embedding as number[],
      similarityTopK: 2,
      mode: VectorStoreQueryMode.DEFAULT,
    });
    const back = new Map(result.nodes?.map((node) => [node.id_, node]));
    const t1 = back.get("t1") as TextNode;
    expect(t1).toBeInstanceOf(TextNode);
    expect(t1.getContent(MetadataMode.NONE)).toBe(text.text);
    expect(t1.metadata).toEqual(metadata);
    expect(t1.sourceNode?.nodeId).toBe("doc-1");
    expect(t1.nextNode?.nodeId).toBe("t2");
    expect(t1.excludedEmbedMetadataKeys).toEqual(["file"]);
    expect(t1.hash).toBe(text.hash);
    const i1 = back.get("i1") as IndexNode;
    expect(i1).toBeInstanceOf(IndexNode);
    expect(i1.indexId).toBe("sub-index");
    await store.close();
  });

  it("stores ref_doc_id (and the node's own id when it has no source) beside the flattened metadata", async () => {
    const store = new CairnVectorStore({ collectionName: uniqueName("stored"), embedModel });
    const embedding = await embedModel.getTextEmbedding("x");
    await store.add([
      new TextNode({
        id_: "a",
        text: "x",
        metadata: { loc: { page: 2 } },
        embedding,
        relationships: { [NodeRelationship.SOURCE]: { nodeId: "doc-a", metadata: {} } },
      }),
      new TextNode({ id_: "b", text: "y", embedding }),
    ]);
    const rows = (await (await store.client()).get({ include: ["metadatas", "documents"] })).rows();
    expect(rows[0]).toMatchObject({
      id: "a",
      document: "x",
      metadata: { "loc.page": 2, ref_doc_id: "doc-a" },
    });
    expect(rows[1]).toMatchObject({
      id: "b",
      document: "y",
      metadata: { ref_doc_id: "b", doc_id: "b", document_id: "b" },
    });
    await store.close();
  });

  it("records written by other tools (no _node_content) come back as plain TextNodes", async () => {
    const store = new CairnVectorStore({ collectionName: uniqueName("foreign"), embedModel });
    const collection = await store.client();
    const embedding = await embedModel.getTextEmbedding("foreign text");
    await collection.add({
      ids: ["f1"],
      embeddings: [embedding],
      documents: ["foreign text"],
      metadatas: [{ "a.b": 1 }],
    });
    const result = await store.query({
      queryEmbedding: embedding,
      similarityTopK: 1,
      mode: VectorStoreQueryMode.DEFAULT,
    });
    expect(result.nodes?.[0]).toBeInstanceOf(TextNode);
    expect(result.nodes?.[0]?.id_).toBe("f1");
    expect(result.nodes?.[0]?.getContent(MetadataMode.NONE)).toBe("foreign text");
    expect(result.nodes?.[0]?.metadata).toEqual({ a: { b: 1 } });
    await store.close();
  });
});
