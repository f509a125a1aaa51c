export {
  cosine,
  type DistanceFn,
  distanceFn,
  dotAt,
  ip,
  l2,
  normalize,
  squaredL2At,
  toSimilarity,
} from "./distance";
