/**
 * Chroma collection `schema` → Cairn configuration: what maps 1:1 (the vector index space and hnsw settings)
 * is honoured, everything else is refused with INVALID_CONFIGURATION naming the schema key. The fixture is
 * what chromadb@3.5.0 sends for `new Schema()` (`serializeToJSON()`).
 */
import { EphemeralClient, InvalidArgumentError, applySchema, configurationFromSchema } from "@cairndb/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const DEFAULT_SCHEMA = {
  defaults: {
    string: {
      fts_index: {
        enabled: false,
        config: {},
      },
      string_inverted_index: {
        enabled: true,
        config: {},
      },
    },
    float_list: {
      vector_index: {
        enabled: false,
        config: {
          embedding_function: {
            type: "legacy",
          },
        },
      },
    },
    sparse_vector: {
      sparse_vector_index: {
        enabled: false,
        config: {
          embedding_function: {
            type: "legacy",
          },
        },
      },
    },
    int: {
      int_inverted_index: {
        enabled: true,
        config: {},
      },
    },
    float: {
      float_inverted_index: {
        enabled: true,
        config: {},
      },
    },
    bool: {
      bool_inverted_index: {
        enabled: true,
        config: {},
      },
    },
  },
  keys: {
    "#document": {
      string: {
        fts_index: {
          enabled: true,
          config: {},
        },
        string_inverted_index: {
          enabled: false,
          config: {},
        },
      },
    },
    "#embedding": {
      float_list: {
        vector_index: {
          enabled: true,
          config: {
            embedding_function: {
              type: "legacy",
            },
            source_key: "#document",
          },
        },
      },
    },
  },
} as const;

type Json = Record<string, unknown>;
const copy = (): Json => structuredClone(DEFAULT_SCHEMA) as unknown as Json;
const at = (o: Json, ...path: string[]): Json => path.reduce((x, k) => x[k] as Json, o);
const embedding = (s: Json) => at(s, "keys", "#embedding", "float_list", "vector_index", "config");
const defaults = (s: Json) => at(s, "defaults", "float_list", "vector_index", "config");

/** The schema the client sends for `createIndex(new VectorIndexConfig({ space, hnsw }))`. */
function vectorSchema(space: string, hnsw?: Json): Json {
  const s = copy();
  for (const config of [embedding(s), defaults(s)]) {
    config.space = space;
    if (hnsw) config.hnsw = hnsw;
  }
  return s;
}

function refusal(schema: unknown, configuration?: Json): InvalidArgumentError {
  try {
    applySchema(configuration as never, schema);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe("INVALID_CONFIGURATION");
    return error as InvalidArgumentError;
  }
  throw new Error("the schema was accepted");
}

describe("configurationFromSchema", () => {
  it("Chroma's default schema, null and an empty object map to nothing", () => {
    expect(configurationFromSchema(DEFAULT_SCHEMA)).toEqual({});
    expect(configurationFromSchema({})).toEqual({});
    expect(applySchema(undefined, null)).toBeUndefined();
  });

  it("the vector index's space and hnsw settings map to configuration.hnsw", () => {
    expect(configurationFromSchema(vectorSchema("cosine"))).toEqual({ hnsw: { space: "cosine" } });
    expect(
      configurationFromSchema(vectorSchema("ip", { ef_construction: 200, max_neighbors: 32, ef_search: 50 })),
    ).toEqual({ hnsw: { space: "ip", ef_construction: 200, max_neighbors: 32, ef_search: 50 } });
    // A partial schema, as a raw REST caller may send: the rest is Chroma's default.
    const partial = {
      keys: { "#embedding": { float_list: { vector_index: { config: { space: "cosine" } } } } },
    };
    expect(configurationFromSchema(partial)).toEqual({ hnsw: { space: "cosine" } });
    // A chromadb Schema instance is serialized first.
    expect(configurationFromSchema({ serializeToJSON: () => vectorSchema("l2") })).toEqual({
      hnsw: { space: "l2" },
    });
  });

  it("a known embedding function in the schema becomes configuration.embedding_function", () => {
    const s = copy();
    const ef = { type: "known", name: "openai", config: { model_name: "text-embedding-3-small" } };
    embedding(s).embedding_function = ef;
    defaults(s).embedding_function = ef;
    expect(configurationFromSchema(s)).toEqual({ embedding_function: ef });
  });

  it("refuses what Cairn cannot honour, naming the schema key and what to use instead", () => {
    const cases: [(s: Json) => void, string][] = [
      [
        (s) => {
          at(s, "defaults", "string").fts_index = { enabled: true, config: {} };
        },
        "schema.defaults.string.fts_index.enabled",
      ],
      [
        (s) => {
          at(s, "keys").title = { string: { string_inverted_index: { enabled: false, config: {} } } };
        },
        "schema.keys.title: per-key index settings are not supported",
      ],
      [
        (s) => {
          at(s, "keys", "#document", "string").fts_index = { enabled: false, config: {} };
        },
        'schema.keys["#document"].string.fts_index.enabled',
      ],
      [
        (s) => {
          at(s, "defaults", "sparse_vector", "sparse_vector_index").enabled = true;
        },
        "schema.defaults.sparse_vector.sparse_vector_index.enabled",
      ],
      [
        (s) => {
          s.cmek = { gcp: "projects/p/locations/l/keyRings/r/cryptoKeys/k" };
        },
        "schema.cmek: customer-managed encryption keys",
      ],
      [
        (s) => {
          embedding(s).spann = { search_nprobe: 64 };
        },
        "Cairn builds HNSW indexes, not SPANN",
      ],
      [
        (s) => {
          embedding(s).source_key = "summary";
        },
        'source_key: Cairn embeds the document only; expected "#document"',
      ],
      [
        (s) => {
          embedding(s).hnsw = { m: 16 };
        },
        "hnsw.m: unknown HNSW setting",
      ],
      [
        (s) => {
          embedding(s).quantize = true;
        },
        "config.quantize: not supported by Cairn",
      ],
      [
        (s) => {
          embedding(s).space = "cosine";
          defaults(s).space = "ip";
        },
        "the schema gives different values",
      ],
      [
        (s) => {
          at(s, "defaults").int = "yes";
        },
        "schema.defaults.int: expected an object",
      ],
    ];
    for (const [change, message] of cases) {
      const s = copy();
      change(s);
      const error = refusal(s);
      expect(error.message).toContain(message);
      expect(error.message).toMatch(/^schema/);
    }
    const hint = refusal({ defaults: { string: { fts_index: { enabled: true } } } }).message;
    expect(hint).toContain("set the index with configuration: { hnsw: { space, ... } }");
  });

  it("flipping any enabled flag of the default schema is refused at exactly that key", () => {
    const flags: string[][] = [];
    const visit = (o: unknown, path: string[]) => {
      if (o === null || typeof o !== "object") return;
      for (const [k, v] of Object.entries(o)) {
        if (k === "enabled") flags.push([...path, k]);
        else visit(v, [...path, k]);
      }
    };
    visit(DEFAULT_SCHEMA, []);
    expect(flags.length).toBe(10);
    fc.assert(
      fc.property(fc.constantFrom(...flags), (path) => {
        const s = copy();
        const parent = at(s, ...path.slice(0, -1));
        parent.enabled = !parent.enabled;
        const rendered = path
          .map((k) => (/^[A-Za-z_]\w*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`))
          .join("");
        expect(refusal(s).message).toMatch(new RegExp(`^schema${rendered.replace(/[.[\]"#]/g, "\\$&")}: `));
      }),
    );
  });

  it("a setting given in both configuration and schema must agree", () => {
    expect(applySchema({ hnsw: { space: "cosine", ef_search: 10 } }, vectorSchema("cosine"))).toEqual({
      hnsw: { space: "cosine", ef_search: 10 },
    });
    expect(refusal(vectorSchema("cosine"), { hnsw: { space: "l2" } }).message).toContain(
      'configuration.hnsw.space: string "l2" conflicts with string "cosine" in the schema',
    );
    expect(applySchema({ spann: { ef_search: 5 } }, vectorSchema("ip"))).toEqual({
      spann: { ef_search: 5, space: "ip" },
    });
  });
});

describe("createCollection({ schema })", () => {
  it("a cosine schema makes a cosine collection (it was silently l2 before)", async () => {
    const client = new EphemeralClient();
    const col = await client.createCollection({
      name: "cosine-docs",
      schema: vectorSchema("cosine"),
      embeddingFunction: null,
    });
    expect(col.configuration.hnsw.space).toBe("cosine");
    await col.add({
      ids: ["a", "b"],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
    });
    const hit = await col.query({ queryEmbeddings: [[5, 0]], nResults: 1, include: ["distances"] });
    expect(hit.distances[0]![0]).toBeCloseTo(0, 6); // cosine: same direction; l2 would say 16
    const plain = await client.createCollection({
      name: "plain-docs",
      schema: DEFAULT_SCHEMA as never,
      embeddingFunction: null,
    });
    expect(plain.configuration.hnsw.space).toBe("l2");
    await client.close();
  });

  it("a schema Cairn cannot honour creates nothing", async () => {
    const client = new EphemeralClient();
    const s = copy();
    at(s, "keys").title = { string: { string_inverted_index: { enabled: false, config: {} } } };
    await expect(
      client.createCollection({ name: "cosine-docs", schema: s, embeddingFunction: null }),
    ).rejects.toMatchObject({
      code: "INVALID_CONFIGURATION",
    });
    expect(await client.countCollections()).toBe(0);
    await client.close();
  });
});
