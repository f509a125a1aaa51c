/** Float32 vectors ⇄ SQLite blobs (little-endian float32, as Chroma stores them). */

/** Encodes a vector as a blob without copying when possible. */
export function vectorToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** Decodes a blob into a Float32Array (copies when the blob is not 4-byte aligned). */
export function blobToVector(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % 4 === 0) return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}
