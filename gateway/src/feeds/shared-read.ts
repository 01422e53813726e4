// A hub read shared by the subscribers it serves (a head's jobs, their jobs' state, one `days` of statistics) is given
// up once every one of them has left, or the hub stops: one subscriber leaving must not fail the others' read, and
// the last one leaving must not leave the source busy until its timeout for nobody.
import { setMaxListeners } from "node:events";

/** One shared read's signal, counting the subscribers still waiting on it. */
export class SharedRead {
  private readonly controller = new AbortController();
  private readonly onStop = (): void => this.giveUp();

  constructor(
    private waiting: number,
    private readonly stop: AbortSignal,
  ) {
    // Every request of the read (pages, batches, the statistics' several reads) listens on it.
    setMaxListeners(0, this.controller.signal);
    if (stop.aborted || waiting === 0) this.giveUp();
    else stop.addEventListener("abort", this.onStop, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether it was given up: its read's failure says nothing of the source. */
  get givenUp(): boolean {
    return this.controller.signal.aborted;
  }

  /** One subscriber it serves left. */
  leave(): void {
    this.waiting -= 1;
    if (this.waiting === 0) this.giveUp();
  }

  /** The read ended: it no longer listens on the stop, nor gives anything up. */
  end(): void {
    this.stop.removeEventListener("abort", this.onStop);
  }

  private giveUp(): void {
    this.end();
    this.controller.abort();
  }
}
