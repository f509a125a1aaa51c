/**
 * Conversion between LlamaIndex nodes and Cairn records: what `add` writes and what `query` rebuilds.
 *
 * A record holds the node id, its embedding, its text (`MetadataMode.NONE`) as the document, and metadata:
 * the node's own metadata flattened by {@link flattenMetadata}, plus LlamaIndex's serialisation keys
 * (`_node_content`: the node as JSON without text, metadata and embedding; `_node_type`) and the source
 * document's id as `ref_doc_id` / `doc_id` / `document_id`, which `delete(refDocId)` filters on.
 */
import { invalidArgument, type Metadata } from "@cairndb/core";
import { type BaseNode, MetadataMode, TextNode } from "@llamaindex/core/schema";
import { metadataDictToNode, nodeToMetadata } from "@llamaindex/core/vector-store";
import { flattenMetadata, restoreMetadata } from "./metadata";

/** One node as Cairn stores it. */
export interface NodeRecord {
  id: string;
  embedding: number[];
  document: string;
  metadata: Metadata;
}

/**
 * The id of the document a node came from: its SOURCE relationship, or the node's own id when it has none
 * (such a node is its own source document, so `delete(node.id_)` removes it; LlamaIndex would write the
 * string `"None"`, and deleting "None" would then remove every source-less node at once).
 */
export function refDocIdOf(node: BaseNode): string {
  return node.sourceNode?.nodeId || node.id_;
}

/**
 * Builds the record of one node.
 * @param path where the node came from, for error messages (e.g. `nodes[3]`).
 * @throws InvalidArgumentError when the node has no id or no embedding, or its metadata is not JSON.
 */
export function nodeToRecord(node: BaseNode, path: string): NodeRecord {
  if (typeof node?.id_ !== "string" || node.id_.length === 0)
    throw invalidArgument(`${path}.id_`, "expected a non-empty node id");
  const embedding = node.embedding;
  if (!Array.isArray(embedding) || embedding.length === 0) {
    throw invalidArgument(
      `${path}.embedding`,
      `node '${node.id_}' has no embedding: embed nodes before add() (VectorStoreIndex does it; in an ` +
        "IngestionPipeline put the embedding model last in `transformations`)",
    );
  }
  // nodeToMetadata serialises the node the way LlamaIndex's own stores do (Python-compatible keys).
  const serialised = nodeToMetadata(node, true, "text", false);
  const refDocId = refDocIdOf(node);
  const metadata: Metadata = {
    ...flattenMetadata(node.metadata, `${path}.metadata`),
    _node_content: String(serialised._node_content),
    _node_type: String(serialised._node_type),
    document_id: refDocId,
    doc_id: refDocId,
    ref_doc_id: refDocId,
  };
  return { id: node.id_, embedding: [...embedding], document: node.getContent(MetadataMode.NONE), metadata };
}

/**
 * Rebuilds a node from a stored record. Records written by other tools (no `_node_content`) become plain
 * `TextNode`s with the record's id, document and metadata.
 */
export function recordToNode(
  id: string,
  document: string | null | undefined,
  stored: Metadata | null | undefined,
): BaseNode {
  const metadata = restoreMetadata(stored);
  const content = stored?._node_content;
  if (typeof content !== "string") return new TextNode({ id_: id, text: document ?? "", metadata });
  const node = metadataDictToNode({ _node_content: content, _node_type: stored?._node_type });
  node.metadata = metadata;
  node.setContent(document ?? "");
  return node;
}
