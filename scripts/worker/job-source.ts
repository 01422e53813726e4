// Turns a one-shot subscription (`connect` yields jobs until its connection drops) into a JobSource that
// reconnects by itself, with exponential backoff, for as long as the worker runs. The gateway-backed source only
// has to implement `connect` over graphql-ws.

import type { Logger } from "./logger";
import type { CandidateJob, JobSource } from "./market";
import { RetryPolicy, backoffDelayMs, isTransientError, sleep } from "./retry";

export interface ReconnectOptions {
  /** maxAttempts is ignored: a worker keeps reconnecting; the delays grow up to maxDelayMs. */
  retry: RetryPolicy;
  logger: Logger;
  isTransient?: (error: unknown) => boolean;
  random?: () => number;
}

/**
 * A JobSource over `connect`. When the connection ends (normally or with a transient error) it connects again
 * after a delay that grows with each consecutive failure and resets once a connection delivers a job. A
 * non-transient error ends the iteration by throwing it.
 */
export function reconnectingJobSource(
  connect: (signal: AbortSignal) => AsyncIterable<CandidateJob>,
  options: ReconnectOptions,
): JobSource {
  const isTransient = options.isTransient ?? isTransientError;
  const random = options.random ?? Math.random;
  return {
    async *jobs(signal: AbortSignal): AsyncGenerator<CandidateJob> {
      let failures = 0;
      while (!signal.aborted) {
        let reason: unknown = "the subscription ended";
        try {
          for await (const job of connect(signal)) {
            failures = 0;
            yield job;
          }
        } catch (error) {
          if (signal.aborted) return;
          if (!isTransient(error)) throw error;
          reason = error;
        }
        if (signal.aborted) return;
        failures += 1;
        const delayMs = backoffDelayMs(options.retry, failures, random());
        options.logger.warn("job source disconnected; reconnecting", {
          reason: reason instanceof Error ? reason.message : String(reason),
          attempt: failures,
          delayMs,
        });
        try {
          await sleep(delayMs, signal);
        } catch {
          return;
        }
      }
    },
  };
}
