// A hub read shared by the subscribers it serves (a head's jobs, their jobs' state, one `days` of statistics) is given
// up once every one of them has left, or the hub stops: one subscriber leaving must not fail the others' read, and
// the last one leaving must not leave the source busy until its timeout for nobody.
import { setMaxListeners } from "node:events";
import { followSignal, type FollowedSignal } from "../follow-signal";

/** One shared read's signal, counting the subscribers still waiting on it. */
export class SharedRead {
  private readonly followed: FollowedSignal;

  constructor(
    private waiting: number,
    stop: AbortSignal,
  ) {
    this.followed = followSignal([stop]);
    // Every request of the read (pages, batches, the statistics' several reads) listens on it.
    setMaxListeners(0, this.followed.signal);
    if (waiting === 0) this.followed.abort();
  }

  get signal(): AbortSignal {
    return this.followed.signal;
  }

  /** Whether it was given up: its read's failure says nothing of the source. */
  get givenUp(): boolean {
    return this.followed.signal.aborted;
  }

  /** One subscriber it serves left. */
  leave(): void {
    this.waiting -= 1;
    if (this.waiting === 0) this.followed.abort();
  }

  /** The read ended: it no longer listens on the stop, nor gives anything up. */
  end(): void {
    this.followed.release();
  }
}
