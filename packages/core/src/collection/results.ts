/**
 * Column-wise results, shaped like the `chromadb` client's: a field that was not included is `[]`. They hold
 * the backend's columns as they are (no per-record objects); `rows()` builds record objects on request.
 */
import type { GetColumns, IncludeField, Metadata, QueryColumns } from "../types";

/** One record of a `GetResult`. */
export interface GetRow<TMeta extends Metadata = Metadata> {
  id: string;
  document?: string | null;
  embedding?: number[];
  metadata?: TMeta | null;
  uri?: string | null;
}

/** One hit of a `QueryResult`. */
export interface QueryRow<TMeta extends Metadata = Metadata> extends GetRow<TMeta> {
  distance?: number;
}

/** The result of `get` and `peek`: one entry per record, in insertion order. */
export class GetResult<TMeta extends Metadata = Metadata> implements GetColumns<TMeta> {
  readonly ids: string[];
  readonly documents: (string | null)[];
  readonly embeddings: number[][];
  readonly metadatas: (TMeta | null)[];
  readonly uris: (string | null)[];
  readonly include: IncludeField[];

  /** @internal Built by `Collection.get` / `peek` from a backend's columns (taken as they are, not copied). */
  constructor(columns: GetColumns<TMeta>, include: IncludeField[]) {
    this.include = [...include];
    this.ids = columns.ids;
    this.documents = columns.documents;
    this.embeddings = columns.embeddings;
    this.metadatas = columns.metadatas;
    this.uris = columns.uris;
  }

  /** The records as objects, with only the included fields. */
  rows(): GetRow<TMeta>[] {
    return this.ids.map((id, i) => rowAt(this, id, i));
  }
}

function rowAt<TMeta extends Metadata>(
  r: {
    include: IncludeField[];
    documents: unknown[];
    embeddings: unknown[];
    metadatas: unknown[];
    uris: unknown[];
  },
  id: string,
  i: number,
): GetRow<TMeta> {
  const row: GetRow<TMeta> = { id };
  if (r.include.includes("documents")) row.document = r.documents[i] as string | null;
  if (r.include.includes("embeddings")) row.embedding = r.embeddings[i] as number[];
  if (r.include.includes("metadatas")) row.metadata = r.metadatas[i] as TMeta | null;
  if (r.include.includes("uris")) row.uri = r.uris[i] as string | null;
  return row;
}

/** The result of `query`: one inner array per query, nearest first. */
export class QueryResult<TMeta extends Metadata = Metadata> implements QueryColumns<TMeta> {
  readonly ids: string[][];
  readonly distances: number[][];
  readonly documents: (string | null)[][];
  readonly embeddings: number[][][];
  readonly metadatas: (TMeta | null)[][];
  readonly uris: (string | null)[][];
  readonly include: IncludeField[];

  /** @internal Built by `Collection.query` from a backend's columns (taken as they are, not copied). */
  constructor(columns: QueryColumns<TMeta>, include: IncludeField[]) {
    this.include = [...include];
    this.ids = columns.ids;
    this.distances = columns.distances;
    this.documents = columns.documents;
    this.embeddings = columns.embeddings;
    this.metadatas = columns.metadatas;
    this.uris = columns.uris;
  }

  /** One array of hit objects per query, with only the included fields. */
  rows(): QueryRow<TMeta>[][] {
    return this.ids.map((ids, q) =>
      ids.map((id, i) => {
        const row: QueryRow<TMeta> = rowAt<TMeta>(
          {
            include: this.include,
            documents: this.documents[q] ?? [],
            embeddings: this.embeddings[q] ?? [],
            metadatas: this.metadatas[q] ?? [],
            uris: this.uris[q] ?? [],
          },
          id,
          i,
        );
        if (this.include.includes("distances")) row.distance = this.distances[q]![i]!;
        return row;
      }),
    );
  }
}
