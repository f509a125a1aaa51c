/**
 * Float32 vectors ⇄ bytes: little-endian float32, as Chroma stores them in SQLite and sends them as base64.
 * Node runs on little-endian hosts only, so native Float32Array views are little-endian.
 */

/** The vector's bytes, without copying (a view over the same memory). */
export function float32ToBytes(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/**
 * A Float32Array over `bytes`: a view when they are 4-byte aligned, a copy otherwise.
 * @throws RangeError when the length is not a multiple of 4.
 */
export function bytesToFloat32(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new RangeError(`${bytes.byteLength} bytes is not a whole number of float32 values`);
  }
  if (bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  return new Float32Array(Uint8Array.from(bytes).buffer);
}

/** Decodes little-endian float32 bytes into a plain number array (result shapes use plain arrays). */
export function bytesToNumbers(bytes: Uint8Array): number[] {
  return Array.from(bytesToFloat32(bytes));
}
