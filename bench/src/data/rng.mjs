/**
 * Seeded PRNG (sfc32 seeded through splitmix32, Box–Muller normals): a port of `createRng` in
 * packages/testing/src/datasets.ts. bench/test/bench.test.ts checks that both produce the same stream, so the
 * bench and the unit tests describe the same data.
 */

/**
 * @param {number} seed any finite number; same seed → same sequence
 * @returns {{ next(): number, gaussian(): number, int(n: number): number }}
 */
export function createRng(seed) {
  let s = Math.trunc(seed) >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  let spare;
  const gaussian = () => {
    if (spare !== undefined) {
      const v = spare;
      spare = undefined;
      return v;
    }
    const u = 1 - next();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * next();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { next, gaussian, int: (n) => Math.floor(next() * n) };
}
