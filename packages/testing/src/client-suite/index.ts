import { collectionScenarios } from "./collections";
import type { ClientFactory } from "./harness";
import { filterScenarios } from "./filters";
import { queryScenarios } from "./queries";
import { recordScenarios } from "./records";
import { writeOptionScenarios } from "./write-options";

export { type ClientFactory, expectCode, LetterEmbeddingFunction, axis } from "./harness";

/** Runs the whole client conformance suite against one client implementation. */
export function defineClientSuite(factory: ClientFactory): void {
  collectionScenarios(factory);
  recordScenarios(factory);
  writeOptionScenarios(factory);
  queryScenarios(factory);
  filterScenarios(factory);
}
