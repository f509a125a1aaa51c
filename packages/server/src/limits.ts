/**
 * Overload behaviour: a concurrency limit with a small bounded queue (beyond it: 429 `OVERLOADED` with
 * `Retry-After`), a per-request deadline (504 `TIMEOUT`), and the readiness state `/api/v2/healthcheck` reports.
 *
 * The engine is synchronous: once a handler has called into it, the operation runs to completion and its real
 * answer is sent, however late. The deadline therefore only interrupts what happens *before* the engine is
 * called — waiting in the queue and reading the request body — so a 504 `TIMEOUT` always means that nothing
 * was done, and a write that was acknowledged was written.
 */
import { invalidArgument } from "@cairndb/core";
import type { Context, MiddlewareHandler } from "hono";
import { RequestError } from "./errors";

/** Default number of requests the server works on at once. */
export const DEFAULT_MAX_CONCURRENT = 64;
/** Default number of requests that may wait for a slot (beyond it: 429). */
export const DEFAULT_MAX_QUEUED = 64;
/** Default per-request deadline in milliseconds. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Seconds a 429 asks the client to wait before retrying. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Paths that bypass the limit: liveness, readiness, version and metrics must answer while the server is
 * saturated (that is when they matter).
 */
export const UNLIMITED_PATHS: ReadonlySet<string> = new Set([
  "/api/v2",
  "/api/v2/heartbeat",
  "/api/v2/healthcheck",
  "/api/v2/version",
  "/metrics",
]);

/** Limits of the server: concurrency, queue and request deadline (`AppOptions.limits`). */
export interface LimitOptions {
  /** Requests worked on at once (default 64). */
  maxConcurrent?: number;
  /** Requests that may wait for a slot; more get 429 `OVERLOADED` (default 64; 0 = no queue). */
  maxQueued?: number;
  /** Deadline from arrival for waiting in the queue and reading the body (default 30 000 ms; 0 = none). */
  requestTimeoutMs?: number;
}

/** A snapshot of the limiter (for tests and metrics). */
export interface LimiterStats {
  /** Requests being worked on. */
  active: number;
  /** Requests waiting for a slot. */
  queued: number;
  /** Requests answered 429 so far. */
  rejected: number;
  /** Requests answered 504 so far. */
  timedOut: number;
}

/** The limiter: its middleware and live numbers. */
export interface Limiter {
  middleware: MiddlewareHandler;
  stats(): LimiterStats;
}

interface Waiter {
  grant: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

const deadlines = new WeakMap<Context, { at: number; ms: number }>();

function checkCount(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > 1_000_000)
    throw invalidArgument(name, `expected an integer ${min}-1000000, got ${String(value)}`);
  return value;
}

/**
 * Checks limit options and fills in the defaults.
 * @throws InvalidArgumentError code `INVALID_ARGUMENT` naming the option
 */
export function resolveLimits(options: LimitOptions = {}): Required<LimitOptions> {
  return {
    maxConcurrent: checkCount("maxConcurrent", options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, 1),
    maxQueued: checkCount("maxQueued", options.maxQueued ?? DEFAULT_MAX_QUEUED, 0),
    requestTimeoutMs: checkCount(
      "requestTimeoutMs",
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      0,
    ),
  };
}

function timeoutError(ms: number, what: string, closeConnection = false): RequestError {
  return new RequestError(
    504,
    "TIMEOUT",
    `The request did not start within the server's request timeout of ${ms} ms (${what}); nothing was done. Retry later, send smaller batches, or raise requestTimeoutMs / --request-timeout-ms.`,
    closeConnection ? { connection: "close" } : {},
  );
}

/**
 * The concurrency limit as Hono middleware. A request gets a slot if one is free, else waits in a FIFO queue
 * of at most `maxQueued`, else is answered 429 `OVERLOADED` with `Retry-After` at once. A queued request whose
 * deadline passes is answered 504 `TIMEOUT` without running. Paths in {@link UNLIMITED_PATHS} and CORS
 * preflights bypass it.
 * @example app.use("*", createLimiter({ maxConcurrent: 8, maxQueued: 16 }).middleware)
 */
export function createLimiter(options: LimitOptions = {}): Limiter {
  const { maxConcurrent, maxQueued, requestTimeoutMs } = resolveLimits(options);
  const queue: Waiter[] = [];
  const numbers = { active: 0, rejected: 0, timedOut: 0 };

  const release = () => {
    const next = queue.shift();
    if (next) next.grant();
    else numbers.active--;
  };

  const acquire = (c: Context): Promise<void> | undefined => {
    if (numbers.active < maxConcurrent) {
      numbers.active++;
      return undefined;
    }
    if (queue.length >= maxQueued) {
      numbers.rejected++;
      throw new RequestError(
        429,
        "OVERLOADED",
        `The server is at its limit of ${maxConcurrent} concurrent requests with ${queue.length} waiting; retry after ${RETRY_AFTER_SECONDS} s (the Retry-After header), or raise --max-concurrent / --max-queued.`,
        { "retry-after": String(RETRY_AFTER_SECONDS) },
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer);
          resolve(); // the slot passes from the releasing request to this one: `active` is unchanged
        },
      };
      const deadline = deadlines.get(c);
      if (deadline !== undefined) {
        waiter.timer = setTimeout(
          () => {
            const at = queue.indexOf(waiter);
            if (at >= 0) queue.splice(at, 1);
            numbers.timedOut++;
            reject(timeoutError(requestTimeoutMs, "it waited in the queue for a free slot"));
          },
          Math.max(0, deadline.at - performance.now()),
        );
      }
      queue.push(waiter);
    });
  };

  const middleware: MiddlewareHandler = async (c, next) => {
    if (UNLIMITED_PATHS.has(c.req.path) || c.req.method === "OPTIONS") return next();
    const deadline = { at: performance.now() + requestTimeoutMs, ms: requestTimeoutMs };
    if (requestTimeoutMs > 0) deadlines.set(c, deadline);
    const waiting = acquire(c);
    if (waiting) await waiting;
    if (requestTimeoutMs > 0) bodyBefore(c, deadline);
    try {
      await next();
    } finally {
      release();
    }
  };

  return { middleware, stats: () => ({ ...numbers, queued: queue.length }) };
}

/**
 * Wraps the request body so that reading it fails with 504 `TIMEOUT` (and `connection: close`: the client may
 * still be sending) once the deadline passes. Installed before the body limit, which buffers the body.
 */
function bodyBefore(c: Context, deadline: { at: number; ms: number }): void {
  const raw = c.req.raw;
  if (!raw.body) return;
  const source = raw.body.getReader();
  // One timer for the whole body (not one per chunk): started by the first read, cleared when the body ends,
  // fails or is cancelled. Each read races it; Promise.race keeps a handler on it, so a late expiry is handled.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let expired: Promise<never> | undefined;
  const deadlinePassed = () =>
    (expired ??= new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(timeoutError(deadline.ms, "the request body did not arrive in time", true)),
        Math.max(0, deadline.at - performance.now()),
      );
    }));
  const stop = () => clearTimeout(timer);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await Promise.race([source.read(), deadlinePassed()]);
        if (done) {
          stop();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        stop();
        source.cancel().catch(() => {});
        throw error;
      }
    },
    cancel: (reason) => {
      stop();
      return source.cancel(reason);
    },
  });
  c.req.raw = new Request(raw, { body, duplex: "half" } as RequestInit);
}

/**
 * Throws 504 `TIMEOUT` when the request's deadline has passed: called right before the engine, so a request
 * that is already past its deadline is not started.
 */
export function assertBeforeDeadline(c: Context): void {
  const deadline = deadlines.get(c);
  if (deadline !== undefined && performance.now() > deadline.at)
    throw timeoutError(deadline.ms, "it waited and was read too slowly");
}

/** Where the server is in its life: `/api/v2/healthcheck` answers 200 only when `ready`. */
export type ReadinessState = "opening" | "ready" | "closing";

/**
 * The readiness the healthcheck reports. `startServer` moves it to `ready` once the database is open and to
 * `closing` when shutdown starts; an embedder serving `createApp` itself can drive it the same way.
 * @example const readiness = new Readiness("opening"); createApp(client, { readiness }); readiness.set("ready");
 */
export class Readiness {
  constructor(private current: ReadinessState = "ready") {}
  /** The current state. */
  get state(): ReadinessState {
    return this.current;
  }
  /** Moves to a state. */
  set(state: ReadinessState): void {
    this.current = state;
  }
  /** Whether the server should receive traffic. */
  isReady(): boolean {
    return this.current === "ready";
  }
}
