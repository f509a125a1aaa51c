export * from "./arbitraries";
export * from "./fake-hub";
export * from "./fake-openai";
export * from "./tiny-model";
export * from "./client-suite";
export * from "./datasets";
export * from "./http-server";
export * from "./pglite-server";
