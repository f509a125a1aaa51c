/** Builders of embedded LlamaIndex nodes for the tests. */
import { type Metadata, NodeRelationship, TextNode } from "@llamaindex/core/schema";
import { HashEmbedding } from "./hash-embedding";

/** The embedding model every test shares (deterministic). */
export const embedModel = new HashEmbedding(128);

/** One node to build: id, text, metadata, and the source document (`null`: none). */
export interface NodeSpec {
  id: string;
  text: string;
  metadata?: Metadata;
  source?: string | null;
}

/** Builds TextNodes with their embeddings; the source defaults to `doc-<id>`. */
export async function makeNodes(specs: NodeSpec[]): Promise<TextNode[]> {
  const vectors = await embedModel.getTextEmbeddings(specs.map((s) => s.text));
  return specs.map((spec, i) => {
    const source = spec.source === undefined ? `doc-${spec.id}` : spec.source;
    return new TextNode({
      id_: spec.id,
      text: spec.text,
      metadata: structuredClone(spec.metadata ?? {}),
      embedding: vectors[i],
      ...(source === null
        ? {}
        : { relationships: { [NodeRelationship.SOURCE]: { nodeId: source, metadata: {} } } }),
    });
  });
}

/** A unique collection name (Cairn names: 3–512 of [a-zA-Z0-9._-]). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
