export * from "./database";
export * from "./filter-sql";
export * from "./namespace-store";
export * from "./record-store";
export * from "./vectors";
