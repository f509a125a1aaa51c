/**
 * A minimal unpickler for the plain-data pickles Chroma writes next to an HNSW segment
 * (`index_metadata.pickle`: dicts of str → int, ints, floats, None, booleans, lists, tuples). It evaluates no
 * code: an opcode outside that data subset (GLOBAL, REDUCE, BUILD …) is refused.
 */
import { StorageError } from "../../errors";

const MARK = Symbol("mark");
type Value = unknown;

/**
 * Decodes a pickle (protocols 2–5) of plain data.
 * @param bytes the file's bytes
 * @param where the file, for error messages
 * @throws StorageError code `STORAGE_CORRUPT` on a truncated file or an opcode outside the data subset
 */
export function unpickle(bytes: Uint8Array, where: string): Value {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder();
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  let pos = 0;
  const fail = (why: string): never => {
    throw new StorageError(
      "STORAGE_CORRUPT",
      `${where}: ${why} at byte ${pos}; the file is not a Chroma index pickle.`,
      {
        details: { path: where, offset: pos },
      },
    );
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail("truncated pickle");
  };
  /** Advances past `n` bytes and returns where they start. */
  const take = (n: number): number => {
    need(n);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[take(1)]!;
  const u16 = () => view.getUint16(take(2), true);
  const u32 = () => view.getUint32(take(4), true);
  const str = (n: number) => {
    const at = take(n);
    return text.decode(bytes.subarray(at, at + n));
  };
  const popMark = (): Value[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail("no MARK");
    return stack.splice(at).slice(1);
  };
  const top = (): Value => (stack.length === 0 ? fail("empty stack") : stack[stack.length - 1]);
  const setItems = (target: Value, items: Value[]) => {
    if (!(target instanceof Map)) fail("SETITEMS on a non-dict");
    for (let i = 0; i + 1 < items.length; i += 2) (target as Map<Value, Value>).set(items[i], items[i + 1]);
  };
  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        need(8);
        pos += 8;
        break;
      case 0x2e: // STOP
        return toPlain(stack.pop());
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x8a: {
        // LONG1
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i]!);
        if (n > 0 && bytes[pos + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8()));
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8);
        const n = Number(view.getBigUint64(pos, true));
        pos += 8;
        stack.push(str(n));
        break;
      }
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x68: // BINGET
        stack.push(memo.get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memo.get(u32()));
        break;
      case 0x73: {
        // SETITEM
        const v = stack.pop();
        const k = stack.pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = stack.pop();
        (top() as Value[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        (top() as Value[]).push(...items);
        break;
      }
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([stack.pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = stack.pop();
        stack.push([stack.pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = stack.pop();
        const b = stack.pop();
        stack.push([stack.pop(), b, c]);
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}

/** Maps become plain objects (keys are strings in Chroma's pickles). */
function toPlain(v: Value): Value {
  if (v instanceof Map) {
    const out: Record<string, Value> = {};
    for (const [k, x] of v) out[String(k)] = toPlain(x);
    return out;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}
