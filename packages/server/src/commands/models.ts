/** `cairn models pull`: downloads the default embedding model (for machines that will run offline). */
import { invalidArgument, type ModelDownloadProgress, pullModel } from "@cairndb/core";
import cliProgress from "cli-progress";

/** The flags of `cairn models pull`. */
export interface PullFlags {
  dir?: string;
  dtype: string;
  model?: string;
}

/** A bar per file on stderr (drawn only on a terminal). */
function progressBars(): { onProgress: (p: ModelDownloadProgress) => void; stop: () => void } {
  const multi = new cliProgress.MultiBar(
    {
      format: " {bar} {percentage}% | {file} | {value}/{total} bytes",
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    onProgress({ file, loaded, total }) {
      let bar = bars.get(file);
      if (!bar) {
        bar = multi.create(total || loaded, 0, { file });
        bars.set(file, bar);
      }
      if (total) bar.setTotal(total);
      bar.update(loaded, { file });
    },
    stop: () => multi.stop(),
  };
}

/** Runs `models pull`. */
export async function modelsPullCommand(values: PullFlags): Promise<number> {
  if (values.dtype !== "fp32" && values.dtype !== "q8")
    throw invalidArgument("--dtype", `expected fp32 or q8, got "${values.dtype}"`);
  const bars = progressBars();
  try {
    const result = await pullModel({
      dir: values.dir,
      dtype: values.dtype,
      model: values.model,
      onProgress: bars.onProgress,
    });
    bars.stop();
    const bytes = result.files.reduce((sum, f) => sum + f.bytes, 0);
    process.stdout.write(
      `Model ready in ${result.modelDir} (${result.files.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${result.dimension} dims).\n` +
        `Use it offline with CAIRN_MODELS_DIR=${result.dir} (or CAIRN_CACHE_DIR).\n`,
    );
    return 0;
  } finally {
    bars.stop();
  }
}
