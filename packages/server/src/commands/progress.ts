/**
 * A one-line progress bar for long CLI operations (export, import), drawn on stderr only when it is a
 * terminal; elsewhere (pipes, CI logs) nothing is drawn and only the summary is printed.
 */
import type { TransferProgress } from "@cairndb/core";

/** MiB with two decimals. */
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

/** Draws `progress` (throttled to 10 per second) and clears the line when done. */
export function progressBar(
  stream: NodeJS.WritableStream,
  verb: string,
): { update: (p: TransferProgress) => void; done: () => void } {
  const tty = stream as NodeJS.WriteStream;
  if (!tty.isTTY) return { update: () => {}, done: () => {} };
  const started = performance.now();
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < 100 && p.records < p.total) return;
      last = now;
      const width = 30;
      const share = p.total > 0 ? Math.min(1, p.records / p.total) : 1;
      const filled = Math.round(share * width);
      const seconds = (now - started) / 1000;
      stream.write(
        `\r${verb} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.floor(share * 100)}% ` +
          `${p.records.toLocaleString("en-US")}/${p.total.toLocaleString("en-US")} records, ${mib(p.bytes)}, ${seconds.toFixed(1)} s`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\r\x1b[2K");
    },
  };
}
