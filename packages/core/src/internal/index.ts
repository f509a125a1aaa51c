/**
 * Small helpers shared by every module of core. A leaf: it imports nothing else from core (checked by
 * dependency-cruiser), so any module may use it. Not part of the public API unless re-exported from
 * `src/index.ts` on purpose.
 */
export { describeValue, errorMessage, truncate } from "./describe";
export { type ClosestMatchOptions, closestMatch, editDistance } from "./edit-distance";
export { bytesToFloat32, bytesToNumbers, float32ToBytes } from "./float32";
export { fsyncDir, replaceFileDurably, TEMP_SUFFIX, writeFileDurably } from "./fsync";
export { copyJson, isPlainObject, setOwn } from "./objects";
