export * from "./collection-config";
export * from "./names";
export * from "./options";
export * from "./schema";
