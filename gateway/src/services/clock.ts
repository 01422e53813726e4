import type { IndexedHead } from "../sources/head-watcher";

/**
 * The time deadlines are judged against: the indexed head's block time, the chain's own clock. Not the wall clock:
 * a chain's time can run apart from it (test chains moved forward, networks with slow blocks), and the contracts
 * judge by block time.
 */
export function chainNow(head: IndexedHead | null): number {
  return head?.timestamp ?? Math.floor(Date.now() / 1000);
}
