/**
 * A tiny, deterministic, BERT-compatible model directory for `feature-extraction` (@cairndb/default-embed and
 * transformers.js both load it), generated without Python or any dependency: a hand-encoded ONNX graph plus a
 * WordPiece tokenizer. The vectors carry a crude lexical signal only; the point is to drive the real
 * model-loading and pooling code offline and fast.
 *
 * Graph (ONNX IR 7, opset 13): `input_ids`, `attention_mask`, `token_type_ids` (int64 [batch, seq]) →
 * Gather(word embeddings) + Gather(type embeddings) → MatMul(dense D×D) → Tanh → × attention mask →
 * `last_hidden_state` (float [batch, seq, D]).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

// Values `provide`d by global-setup.ts, read in tests with `inject(...)`. Declared here (not in global-setup)
// so every test file that imports @cairndb/testing sees the types.
declare module "vitest" {
  interface ProvidedContext {
    /** Absolute directory of the tiny model (384 dims), generated once per run; read-only, copy to modify. */
    tinyModelDir: string;
  }
}

/** Options of {@link generateTinyModel}. @example generateTinyModel(dir, { dim: 32 }) */
export interface TinyModelOptions {
  /** Hidden size (vector length). Default 384, like all-MiniLM-L6-v2. */
  dim?: number;
  /** PRNG seed of the weights. Default 42. */
  seed?: number;
}

/** What {@link generateTinyModel} wrote. */
export interface TinyModelResult {
  /** Absolute model directory. */
  dir: string;
  dim: number;
  vocabSize: number;
  /** The vocabulary, index = token id (for hand-computed checks in tests). */
  vocab: string[];
}

/** Files a complete model directory holds (relative paths). */
export const TINY_MODEL_FILES = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
  "onnx/model_quantized.onnx",
] as const;

const CHARS = [..."abcdefghijklmnopqrstuvwxyz0123456789"];
const WORDS =
  "the a an is are of and to in on for with cat cats dog dogs car cars fish apple banana fruit hello world " +
  "vector vectors database search query document red blue green sat mat runs fast ##s ##ing ##ed";
const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

/** The tiny model's vocabulary: specials, characters, punctuation, `##`-characters, then 40 words. */
export function tinyVocab(): string[] {
  return [
    ...SPECIALS,
    ...CHARS,
    ...".,!?'\"-:;()".split(""),
    ...CHARS.map((c) => `##${c}`),
    ...WORDS.split(" "),
  ];
}

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// --- minimal protobuf writer (wire types 0 = varint, 2 = length-delimited) ---
function varint(value: number | bigint): Buffer {
  const out: number[] = [];
  let n = BigInt(value);
  while (n > 127n) {
    out.push(Number(n & 127n) | 128);
    n >>= 7n;
  }
  out.push(Number(n));
  return Buffer.from(out);
}
const int = (field: number, n: number | bigint) => Buffer.concat([varint(field << 3), varint(n)]);
const bytes = (field: number, data: Buffer | string) => {
  const b = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return Buffer.concat([varint((field << 3) | 2), varint(b.length), b]);
};
const msg = (field: number, ...parts: Buffer[]) => bytes(field, Buffer.concat(parts));

const FLOAT = 1;
const INT64 = 7;

/** TensorProto: dims=1, data_type=2, name=8, raw_data=9 (as a GraphProto initializer, field 5). */
const tensor = (name: string, dims: number[], type: number, raw: Buffer) =>
  msg(5, ...dims.map((d) => int(1, d)), int(2, type), bytes(8, name), bytes(9, raw));

/** ValueInfoProto {name=1, type=2: TypeProto {tensor_type=1: {elem_type=1, shape=2: {dim=1}}}}. */
const valueInfo = (field: number, name: string, elem: number, dims: (number | string)[]) =>
  msg(
    field,
    bytes(1, name),
    msg(
      2,
      msg(
        1,
        int(1, elem),
        msg(2, ...dims.map((d) => msg(1, typeof d === "string" ? bytes(2, d) : int(1, d)))),
      ),
    ),
  );

/** NodeProto: input=1, output=2, name=3, op_type=4, attribute=5 (AttributeProto name=1, i=3, type=20 INT=2). */
const node = (op: string, inputs: string[], outputs: string[], attrs: Record<string, number> = {}) =>
  msg(
    1,
    ...inputs.map((x) => bytes(1, x)),
    ...outputs.map((x) => bytes(2, x)),
    bytes(3, `${op}_${outputs[0]}`),
    bytes(4, op),
    ...Object.entries(attrs).map(([k, v]) => msg(5, bytes(1, k), int(3, v), int(20, 2))),
  );

function encodeModel(vocabSize: number, dim: number, seed: number): Buffer {
  const rand = prng(seed);
  const floats = (n: number, scale: number) =>
    Buffer.from(Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale).buffer);
  const bs = ["batch_size", "sequence_length"];
  const graph = msg(
    7,
    node("Gather", ["word_embeddings", "input_ids"], ["we"]),
    node("Gather", ["token_type_embeddings", "token_type_ids"], ["te"]),
    node("Add", ["we", "te"], ["h0"]),
    node("MatMul", ["h0", "dense"], ["h1"]),
    node("Tanh", ["h1"], ["h2"]),
    node("Cast", ["attention_mask"], ["mf"], { to: FLOAT }),
    node("Unsqueeze", ["mf", "axes"], ["mu"]),
    node("Mul", ["h2", "mu"], ["last_hidden_state"]),
    bytes(2, "tiny_bert"),
    tensor("word_embeddings", [vocabSize, dim], FLOAT, floats(vocabSize * dim, 1)),
    tensor("token_type_embeddings", [2, dim], FLOAT, floats(2 * dim, 0.1)),
    tensor("dense", [dim, dim], FLOAT, floats(dim * dim, 1 / Math.sqrt(dim))),
    tensor("axes", [1], INT64, Buffer.from(BigInt64Array.of(2n).buffer)),
    valueInfo(11, "input_ids", INT64, bs),
    valueInfo(11, "attention_mask", INT64, bs),
    valueInfo(11, "token_type_ids", INT64, bs),
    valueInfo(12, "last_hidden_state", FLOAT, [...bs, dim]),
  );
  // ModelProto: ir_version=1, producer_name=2, graph=7, opset_import=8 {domain=1, version=2}
  return Buffer.concat([int(1, 7), bytes(2, "cairn-tiny-bert"), graph, msg(8, bytes(1, ""), int(2, 13))]);
}

function tokenizerJson(vocab: string[]): unknown {
  const special = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [special("[CLS]"), { Sequence: { id: "A", type_id: 0 } }, special("[SEP]")],
      pair: [
        special("[CLS]"),
        { Sequence: { id: "A", type_id: 0 } },
        special("[SEP]"),
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: Object.fromEntries(
        ["[CLS]", "[SEP]"].map((t) => [t, { id: t, ids: [vocab.indexOf(t)], tokens: [t] }]),
      ),
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  };
}

/**
 * Writes the tiny model into `dir` (created if needed): config.json, tokenizer.json, tokenizer_config.json,
 * onnx/model.onnx (dtype fp32) and onnx/model_quantized.onnx (dtype q8; the same graph). Byte-identical output
 * for the same options.
 * @example
 * const { dir } = generateTinyModel(join(tmp, "Xenova/all-MiniLM-L6-v2"), { dim: 384 });
 */
export function generateTinyModel(dir: string, options: TinyModelOptions = {}): TinyModelResult {
  const { dim = 384, seed = 42 } = options;
  const out = resolve(dir);
  const vocab = tinyVocab();
  const model = encodeModel(vocab.length, dim, seed);
  const config = {
    model_type: "bert",
    architectures: ["BertModel"],
    hidden_size: dim,
    vocab_size: vocab.length,
    type_vocab_size: 2,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: dim,
    max_position_embeddings: 512,
    pad_token_id: 0,
  };
  const tokenizerConfig = {
    tokenizer_class: "BertTokenizer",
    do_lower_case: true,
    model_max_length: 512,
    clean_up_tokenization_spaces: true,
    cls_token: "[CLS]",
    sep_token: "[SEP]",
    pad_token: "[PAD]",
    unk_token: "[UNK]",
    mask_token: "[MASK]",
  };
  mkdirSync(join(out, "onnx"), { recursive: true });
  const json = (file: string, value: unknown) =>
    writeFileSync(join(out, file), `${JSON.stringify(value, null, 2)}\n`);
  json("config.json", config);
  json("tokenizer.json", tokenizerJson(vocab));
  json("tokenizer_config.json", tokenizerConfig);
  writeFileSync(join(out, "onnx/model.onnx"), model);
  writeFileSync(join(out, "onnx/model_quantized.onnx"), model);
  return { dir: out, dim, vocabSize: vocab.length, vocab };
}
