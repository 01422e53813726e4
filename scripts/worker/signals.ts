// SIGINT/SIGTERM handling for the daemon: the first signal starts a graceful stop (no new jobs, running ones get
// the grace period), a second one aborts running jobs at once. Under `npm run worker` one Ctrl-C arrives twice (from
// the terminal and forwarded by npm), so a repeat within a second is the same request, as for `npm start`.

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

/** How soon a repeated signal counts as the same request (npm's forwarded copy of the terminal's Ctrl-C). */
export const REPEAT_WINDOW_MS = 1000;

/** Install the handlers; the returned function removes them. `now` is the clock that tells a repeat (tests fake it). */
export function handleShutdownSignals(
  source: SignalSource,
  target: Stoppable,
  logger: Logger,
  now: () => number = Date.now,
): () => void {
  let firstAt: number | null = null;
  let aborted = false;
  const listener = (signal: NodeJS.Signals) => (): void => {
    if (firstAt === null) {
      firstAt = now();
      logger.info("shutting down: no new jobs; running jobs may finish", { signal });
      void target.stop();
    } else if (!aborted && now() - firstAt >= REPEAT_WINDOW_MS) {
      aborted = true;
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
