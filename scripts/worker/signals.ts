// SIGINT/SIGTERM handling for the daemon: the first signal starts a graceful stop (no new jobs, running ones get
// the grace period), a second one aborts running jobs at once.

import type { Logger } from "./logger";

export const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** `process`, or anything that emits signals like it. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface Stoppable {
  stop(): Promise<void>;
  abortNow(): void;
}

/** Install the handlers; the returned function removes them. */
export function handleShutdownSignals(source: SignalSource, target: Stoppable, logger: Logger): () => void {
  let received = 0;
  const listener = (signal: NodeJS.Signals) => (): void => {
    received += 1;
    if (received === 1) {
      logger.info("shutting down: no new jobs; running jobs may finish", { signal });
      void target.stop();
    } else {
      logger.warn("second signal: aborting running jobs now", { signal });
      target.abortNow();
    }
  };
  const installed = SHUTDOWN_SIGNALS.map((signal) => ({ signal, handler: listener(signal) }));
  for (const { signal, handler } of installed) source.on(signal, handler);
  return () => {
    for (const { signal, handler } of installed) source.off(signal, handler);
  };
}
