// Turns a one-shot subscription (`connect` yields jobs until its connection drops) into a JobSource that
// reconnects by itself, with exponential backoff, for as long as the worker runs. The gateway-backed source only
// has to implement `connect` over graphql-ws.
//
// An HTTP status the gateway answers with (404, 403, 502...) means different things before and after the gateway
// first worked: at start it is most likely a wrong URL, which no wait fixes and which the operator should hear of at
// once; once the same URL has answered, it is most likely a reverse proxy answering for a gateway that is restarting.

import { ChainReadError } from "./chain";
import type { Logger } from "./logger";
import type { CandidateJob, JobSource } from "./market";
import { HttpStatusError, RetryPolicy, backoffDelayMs, briefError, isTransientError, sleep } from "./retry";

export interface ReconnectOptions {
  /** maxAttempts is ignored: a worker keeps reconnecting; the delays grow up to maxDelayMs. */
  retry: RetryPolicy;
  logger: Logger;
  isTransient?: (error: unknown) => boolean;
  random?: () => number;
}

/**
 * `connect` calls `established` once the connection is known to work (the URLs answered as a gateway does); from
 * then on an HttpStatusError is retried too (see above).
 */
export type Connect = (signal: AbortSignal, established: () => void) => AsyncIterable<CandidateJob>;

/**
 * A JobSource over `connect`. When the connection ends (normally or with a transient error) it connects again
 * after a delay that grows with each consecutive failure and resets once a connection delivers a job. A
 * non-transient error ends the iteration by throwing it.
 */
export function reconnectingJobSource(connect: Connect, options: ReconnectOptions): JobSource {
  const isTransient = options.isTransient ?? isTransientError;
  const random = options.random ?? Math.random;
  return {
    async *jobs(signal: AbortSignal, reconnected?: () => void): AsyncGenerator<CandidateJob> {
      let failures = 0;
      let worked = false;
      // Whether this connection has been established yet: `established` may be called more than once per connection.
      let current = false;
      const established = (): void => {
        if (current) return;
        current = true;
        // The first connection's catch-up is the start's, which read the jobs in hand already.
        if (worked) reconnected?.();
        worked = true;
      };
      while (!signal.aborted) {
        let reason: unknown = "the subscription ended";
        current = false;
        try {
          for await (const job of connect(signal, established)) {
            failures = 0;
            yield job;
          }
        } catch (error) {
          if (signal.aborted) return;
          if (!isTransient(error) && !(worked && error instanceof HttpStatusError)) throw error;
          reason = error;
        }
        if (signal.aborted) return;
        failures += 1;
        const delayMs = backoffDelayMs(options.retry, failures, random());
        // A connection also reads the chain (the feed's filter): the gateway is not to blame for the chain's outage.
        const what = reason instanceof ChainReadError ? "job source cannot read the chain; connecting again" : "job source disconnected; reconnecting";
        options.logger.warn(what, {
          // Not the message: an ethers error's spells out the request, a signed transaction and the endpoint's key.
          reason: briefError(reason),
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
