/** The fetch-based transport of `HttpClient`: Chroma REST API v2 wire shapes and status ⇄ error mapping. */
export { HttpBackend, type HttpBackendOptions } from "./backend";
export { errorFromFailure, errorFromResponse, type StatusCodeHints } from "./errors";
export { type FetchLike, HttpTransport, type RequestSpec, type TransportOptions } from "./transport";
export { vectorToBase64 } from "./wire";
