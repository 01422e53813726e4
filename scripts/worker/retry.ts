// Retries for calls to the chain's RPC node and the gateway. Only transient failures are retried: a network
// error, a timeout or a 5xx may well succeed a moment later, while a revert or a 4xx will fail the same way again
// (and retrying a revert only burns gas).

import { MAX_TIMER_MS } from "../../subgraph/indexer/option-rules";
import { endpointName } from "./endpoint-name";

export interface RetryPolicy {
  /** Tries in all, the first included; 1 means no retry. */
  maxAttempts: number;
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Cap on any one delay. */
  maxDelayMs: number;
  /** Each delay is the previous one times this (before jitter). */
  multiplier: number;
  /** 0..1: each delay is shortened by a random fraction up to this, so restarted workers do not retry in step. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
};

/** An HTTP response with a status that is not 2xx. */
export class HttpStatusError extends Error {
  /** The URL without credentials. */
  readonly url: string;

  constructor(
    url: string,
    readonly status: number,
  ) {
    const shown = endpointName(url);
    super(`${shown} answered HTTP ${status}`);
    this.url = shown;
    this.name = "HttpStatusError";
  }

  get transient(): boolean {
    return isTransientHttpStatus(this.status);
  }
}

/** Every attempt failed with a transient error. `lastError` is the final one. */
export class RetryExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`gave up after ${attempts} attempts: ${briefError(lastError)}`, {
      cause: lastError,
    });
    this.name = "RetryExhaustedError";
  }
}

// 408, 425 and 429 are the 4xx that mean "not now" rather than "never".
export function isTransientHttpStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}

const TRANSIENT_NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  // ethers v6 error codes
  "NETWORK_ERROR",
  "TIMEOUT",
]);

/**
 * Whether a failure is worth retrying. Errors may decide for themselves with a boolean `transient` property
 * (HttpStatusError, the spec fetcher's errors); otherwise Node/undici network codes, ethers' NETWORK_ERROR and
 * TIMEOUT, timeouts and 5xx responses are transient, and anything else (reverts, 4xx, bad input) is not.
 */
export function isTransientError(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  const fields = error as Error & { transient?: unknown; code?: unknown; response?: { statusCode?: unknown } };
  if (typeof fields.transient === "boolean") return fields.transient;
  if (error.name === "TimeoutError") return true;
  if (typeof fields.code === "string") {
    if (TRANSIENT_NETWORK_CODES.has(fields.code)) return true;
    // ethers wraps a non-2xx HTTP answer of the RPC node as SERVER_ERROR with the response attached.
    if (fields.code === "SERVER_ERROR") {
      const status = fields.response?.statusCode;
      return typeof status !== "number" || isTransientHttpStatus(status);
    }
  }
  // fetch() reports network failures as `TypeError: fetch failed` with the socket error as its cause.
  return error.cause !== undefined && isTransientError(error.cause, depth + 1);
}

/**
 * An error's message for a log line. ethers' errors spell out their whole payload in `message` (a signed transaction,
 * the node's JSON answer, the request): their `shortMessage` and `code` say what went wrong in a line.
 */
export function briefError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const fields = error as Error & { shortMessage?: unknown; code?: unknown; request?: { url?: unknown } };
  if (typeof fields.shortMessage === "string" && fields.shortMessage !== "") {
    // What the node said is the reason (`could not coalesce error` alone says nothing): its message, not the payload.
    const said = nodeMessage(error);
    const message = said === undefined || said === fields.shortMessage ? fields.shortMessage : `${fields.shortMessage}: ${said}`;
    // Which endpoint answered (an HTTP error of the node) is worth its place; its credentials are not.
    const details = [typeof fields.code === "string" ? fields.code : undefined, typeof fields.request?.url === "string" ? endpointName(fields.request.url) : undefined];
    const shown = details.filter((detail) => detail !== undefined);
    return shown.length === 0 ? message : `${message} (${shown.join(", ")})`;
  }
  // fetch's own `fetch failed` names neither the host nor what failed: its cause does (`connect ECONNREFUSED 127.0.0.1:4000`).
  if (error instanceof TypeError && error.cause instanceof Error && error.cause.message !== "") return `${error.message}: ${error.cause.message}`;
  return error.message;
}

const NODE_MESSAGE_MAX = 200;

/**
 * The JSON-RPC error message of the node that an ethers error carries (`error`, or `info.error`, as ethers'
 * JsonRpcProvider attaches it), cut to a line's length.
 */
export function nodeMessage(error: unknown): string | undefined {
  const fields = error as { error?: { message?: unknown }; info?: { error?: { message?: unknown } } };
  const message = fields.error?.message ?? fields.info?.error?.message;
  if (typeof message !== "string" || message === "") return undefined;
  return message.length > NODE_MESSAGE_MAX ? `${message.slice(0, NODE_MESSAGE_MAX)}…` : message;
}

/** The delay before retry number `retry` (1 for the first retry). `random` is in [0, 1). */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (retry - 1));
  return Math.round(base * (1 - policy.jitter * random));
}

export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("The operation was aborted", "AbortError");
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Resolves with the promise, or as soon as `signal` aborts (then undefined); rejects if the promise does. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export interface RetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal;
  /** Defaults to isTransientError. */
  isTransient?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Defaults to Math.random; injectable so delays can be checked. */
  random?: () => number;
}

/**
 * Run `operation` until it succeeds, fails with a non-transient error (rethrown as is), or has failed
 * `policy.maxAttempts` times (RetryExhaustedError). An abort stops the waiting at once.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, signal } = options;
  const isTransient = options.isTransient ?? isTransientError;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (!isTransient(error)) throw error;
      if (attempt >= policy.maxAttempts) throw new RetryExhaustedError(attempt, error);
      const delayMs = backoffDelayMs(policy, attempt, random());
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

// setTimeout fires at once for delays above MAX_TIMER_MS (2^31-1 ms, ~24.8 days); a job's maxDuration (uint32 seconds)
// can be longer, so long deadlines are waited for in steps.

/** The clock and timers deadlineSignal runs on; a test passes its own to go through a month-long deadline at once. */
export interface TimerClock {
  now(): number;
  /** Calls `callback` after `ms`, as setTimeout does (above MAX_TIMER_MS too); the result cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

const SYSTEM_CLOCK: TimerClock = {
  now: () => Date.now(),
  setTimer: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** A signal that aborts (with a TimeoutError) after `ms`, for any `ms`; `clear` cancels it. */
export function deadlineSignal(ms: number, clock: TimerClock = SYSTEM_CLOCK): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const due = clock.now() + ms;
  let cancel: () => void = () => undefined;
  const arm = (): void => {
    const remaining = due - clock.now();
    if (remaining <= 0) {
      controller.abort(new DOMException(`deadline of ${ms} ms passed`, "TimeoutError"));
      return;
    }
    cancel = clock.setTimer(arm, Math.min(remaining, MAX_TIMER_MS));
  };
  arm();
  return { signal: controller.signal, clear: () => cancel() };
}
