// Ordered shutdown. Each part registers how to stop it as it starts; Ctrl-C (SIGINT), SIGTERM or SIGHUP stops
// them newest first (gateway and its indexer before the chain they read), then the process exits. A second
// signal while stopping gives up waiting and exits at once: everything runs in this process (the indexer is a
// worker thread, the chain is served from here), so exiting leaves nothing behind. Under `npm start` one Ctrl-C
// arrives twice (from the terminal and forwarded by npm), so a repeat within a second is the same request.

export interface Stoppable {
  name: string;
  stop(): Promise<void>;
  /** Stop without a line of output (housekeeping). */
  quiet?: boolean;
}

/** Thrown by a step that finds the devnet stopping: not a failure, the shutdown already reports. */
export class StoppingError extends Error {
  constructor() {
    super("the devnet is stopping");
    this.name = "StoppingError";
  }
}

export interface LifecycleOptions {
  log: (line: string) => void;
  exit: (code: number) => void;
  /** Longest wait for one part to stop (default 15 s), so a stuck part cannot keep the devnet alive. */
  stopTimeoutMs?: number;
  /** The clock that tells a repeated signal from a later one (default Date.now): tests pass a fake one. */
  now?: () => number;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** How soon a repeated signal counts as the same request (npm's forwarded copy of the terminal's Ctrl-C). */
export const REPEAT_WINDOW_MS = 1000;

export class Lifecycle {
  private readonly parts: Stoppable[] = [];
  private stopping: Promise<void> | null = null;
  private readonly now: () => number;
  /** When the first signal came; null before one (a fake clock may well read 0). */
  private firstSignalAt: number | null = null;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.stopping !== null) {
      if (this.firstSignalAt === null) {
        // Stopping after a failure: this is the person's first Ctrl-C, not a second one; the next exits at once.
        this.firstSignalAt = this.now();
        this.options.log(`\n${signal}: already stopping (again to exit without waiting)`);
        return;
      }
      if (this.now() - this.firstSignalAt < REPEAT_WINDOW_MS) return;
      this.options.log(`${signal} again: exiting without waiting`);
      this.options.exit(1);
      return;
    }
    this.firstSignalAt = this.now();
    this.options.log(`\n${signal}: stopping`);
    void this.shutdown(0);
  };

  constructor(private readonly options: LifecycleOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Starts listening for SIGINT, SIGTERM and SIGHUP; returns what stops listening. */
  handleSignals(): () => void {
    for (const signal of SIGNALS) process.on(signal, this.onSignal);
    return () => {
      for (const signal of SIGNALS) process.off(signal, this.onSignal);
    };
  }

  get isStopping(): boolean {
    return this.stopping !== null;
  }

  /** Between steps: do not start the next one once a signal came. */
  throwIfStopping(): void {
    if (this.stopping !== null) throw new StoppingError();
  }

  /** Registers a started part; parts stop in the reverse order of registration. */
  add(part: Stoppable): void {
    this.parts.push(part);
  }

  /** Forgets a part that ended by itself (a finished build). */
  remove(part: Stoppable): void {
    const index = this.parts.indexOf(part);
    if (index !== -1) this.parts.splice(index, 1);
  }

  /** Stops every part, newest first, then exits with `code`. Later calls wait for the first. */
  shutdown(code: number): Promise<void> {
    this.stopping ??= this.stopAll().then(() => this.options.exit(code));
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    const timeoutMs = this.options.stopTimeoutMs ?? 15_000;
    while (this.parts.length > 0) {
      const part = this.parts.pop() as Stoppable;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      try {
        const outcome = await Promise.race([part.stop().then(() => "stopped" as const), timeout]);
        if (part.quiet === true && outcome === "stopped") continue;
        this.options.log(outcome === "stopped" ? `stopped   ${part.name}` : `stopped   ${part.name} (gave up waiting after ${timeoutMs} ms)`);
      } catch (error) {
        this.options.log(`stopped   ${part.name} (with an error: ${error instanceof Error ? error.message : String(error)})`);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
