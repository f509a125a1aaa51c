/** Progress lines on stdout: elapsed time since start, optional scope (the driver), the message. */

export function createLogger(start = performance.now()) {
  const log = (line, scope) => {
    const t = ((performance.now() - start) / 1000).toFixed(1).padStart(7);
    console.log(`[${t}s]${scope ? ` ${scope}:` : ""} ${line}`);
  };
  return log;
}
