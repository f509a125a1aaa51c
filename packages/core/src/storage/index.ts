export * from "./database";
export * from "./filter-sql";
export * from "./maintenance-store";
export * from "./namespace-store";
export * from "./record-store";
export * from "./ops-store";
