/**
 * Column-wise results, shaped like the `chromadb` client's: a field that was not included is `[]`.
 */
import type { IncludeField, Metadata } from "../types";
import type { RecordOut } from "./backend";

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

const toArray = (v: ArrayLike<number> | undefined): number[] => (v ? Array.from(v) : []);

/** The result of `get` and `peek`: one entry per record, in insertion order. */
export class GetResult<TMeta extends Metadata = Metadata> {
  readonly ids: string[];
  readonly documents: (string | null)[];
  readonly embeddings: number[][];
  readonly metadatas: (TMeta | null)[];
  readonly uris: (string | null)[];
  readonly include: IncludeField[];

  constructor(records: RecordOut[], include: IncludeField[]) {
    const has = (f: IncludeField) => include.includes(f);
    this.include = [...include];
    this.ids = records.map((r) => r.id);
    this.documents = has("documents") ? records.map((r) => r.document) : [];
    this.embeddings = has("embeddings") ? records.map((r) => toArray(r.embedding)) : [];
    this.metadatas = has("metadatas") ? records.map((r) => r.metadata as TMeta | null) : [];
    this.uris = has("uris") ? records.map((r) => r.uri) : [];
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
export class QueryResult<TMeta extends Metadata = Metadata> {
  readonly ids: string[][];
  readonly distances: number[][];
  readonly documents: (string | null)[][];
  readonly embeddings: number[][][];
  readonly metadatas: (TMeta | null)[][];
  readonly uris: (string | null)[][];
  readonly include: IncludeField[];

  constructor(results: RecordOut[][], include: IncludeField[]) {
    const has = (f: IncludeField) => include.includes(f);
    this.include = [...include];
    this.ids = results.map((rs) => rs.map((r) => r.id));
    this.distances = has("distances") ? results.map((rs) => rs.map((r) => r.distance ?? Number.NaN)) : [];
    this.documents = has("documents") ? results.map((rs) => rs.map((r) => r.document)) : [];
    this.embeddings = has("embeddings") ? results.map((rs) => rs.map((r) => toArray(r.embedding))) : [];
    this.metadatas = has("metadatas") ? results.map((rs) => rs.map((r) => r.metadata as TMeta | null)) : [];
    this.uris = has("uris") ? results.map((rs) => rs.map((r) => r.uri)) : [];
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
