// What `npm start` shows while it works: one line per finished step, and a live status line for the slow ones
// (rewritten in place on a terminal; on a pipe, a line at most every few seconds so logs stay short).

export interface ProgressOptions {
  write?: (text: string) => void;
  /** Rewrite the status line in place (default: stdout is a TTY). */
  tty?: boolean;
  /** Non-TTY: least time between two status lines (default 3000 ms). */
  throttleMs?: number;
  now?: () => number;
}

const LABEL_WIDTH = 9;

export class Progress {
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly throttleMs: number;
  private readonly now: () => number;
  private statusShown = false;
  private lastStatusAt = -Infinity;
  private lastStatus = "";

  constructor(options: ProgressOptions = {}) {
    this.write = options.write ?? ((text) => process.stdout.write(text));
    this.tty = options.tty ?? process.stdout.isTTY === true;
    this.throttleMs = options.throttleMs ?? 3000;
    this.now = options.now ?? Date.now;
  }

  /** A finished step (or a fact about one): `label` in a column, then the text. */
  step(label: string, text: string): void {
    this.clearStatus();
    this.write(`${label.padEnd(LABEL_WIDTH)} ${text}\n`);
  }

  /** A continuation line under the last step. */
  detail(text: string): void {
    this.step("", text);
  }

  /** Plain lines (the final summary). */
  line(text = ""): void {
    this.clearStatus();
    this.write(`${text}\n`);
  }

  /** The slow step's current state; replaces the previous status. */
  status(label: string, text: string): void {
    const content = `${label.padEnd(LABEL_WIDTH)} ${text}`;
    if (this.tty) {
      this.write(`\r\x1b[2K${content}`);
      this.statusShown = true;
      return;
    }
    const now = this.now();
    if (content === this.lastStatus || now - this.lastStatusAt < this.throttleMs) return;
    this.lastStatusAt = now;
    this.lastStatus = content;
    this.write(`${content}\n`);
  }

  private clearStatus(): void {
    if (this.statusShown) this.write("\r\x1b[2K");
    this.statusShown = false;
    this.lastStatus = "";
    // The next status is a new step's first (the subgraph build's reason, seconds after the contracts' status): the
    // throttle is for a slow step's repeats, and would drop it.
    this.lastStatusAt = -Infinity;
  }
}

/** "1.2 s" */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
