/** What a driver process needs to know about its job: dataset files, metadata columns, its folder, params. */
import { readColumns, readManifest } from "../data/dataset.mjs";
import { driverSpec } from "../drivers/index.mjs";

/**
 * @param {{ driver: string, dataDir: string, dir: string }} job
 * @returns {Promise<{ spec: object, driver: object, ctx: object }>}
 */
export async function loadContext(job, log = () => {}) {
  const spec = driverSpec(job.driver);
  const driver = await spec.load();
  const manifest = readManifest(job.dataDir);
  const ctx = {
    dir: job.dir,
    dataDir: job.dataDir,
    manifest,
    columns: readColumns(job.dataDir),
    params: spec.params,
    log,
  };
  return { spec, driver, ctx };
}

/** Node flags for a child process: CPU profiling when BENCH_CPU_PROF_DIR is set (`--cpu-prof`). */
export function childExecArgv(name) {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir
    ? ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`]
    : [];
}
