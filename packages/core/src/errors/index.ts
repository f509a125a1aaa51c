export * from "./codes";
export * from "./errors";
export { rejectUnknownKeys } from "./options";
