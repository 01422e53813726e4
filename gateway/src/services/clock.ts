import type { IndexedHead } from "../sources/head-watcher";

/**
 * The time the next block will most likely carry: the indexed head's time, or the wall clock if later (a quiet
 * chain mines no blocks, but its next block is stamped with the current time). Deadlines are judged against it.
 */
export function chainNow(head: IndexedHead | null): number {
  const wall = Math.floor(Date.now() / 1000);
  return Math.max(head?.timestamp ?? 0, wall);
}
