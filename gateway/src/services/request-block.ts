// The block one GraphQL request reads. Fields that each fixed their own block (a list's first page the latest, a
// networkStats answer the head) would show two blocks in one answer whenever the index moves on between their reads.
// So a request pins the indexed head once, at its first read, and every field reads that block; only a page after a
// cursor reads its sequence's block instead, since its rows must continue the earlier page's.
//
// The head pinned is the one the head watcher last saw, and a reorganisation may have replaced it since (graph-node
// is polled every headPollMs): every read then fails, as the block is asked for by hash. Such a request is run again,
// whole, with a new context, at the head the watcher finds instead (executeOnLiveHead). Whole, not only the reads
// that failed: what the other fields answered at the lost head, and what they derived from it (a page's cursors, the
// head's time as "now"), would otherwise have to be found and read again, or mix two blocks in one answer.
import { GraphQLError } from "graphql";
import type { GatewayContext } from "../context";
import { BlockNotServedError } from "../errors";
import type { CursorPosition, PinnedBlock } from "../model/cursor";
import type { HeadWatcher, IndexedHead } from "../sources/head-watcher";
import type { ReadAt } from "../subgraph/reader";
import { headReadAt, pageReadAt } from "./keyset";

/** The BlockNotServedError under what a resolver's error became (graphql-js and Apollo wrap it), if any. */
function notServed(error: unknown): BlockNotServedError | null {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof BlockNotServedError) return current;
    if (!(current instanceof GraphQLError)) return null;
    current = current.originalError;
  }
  return null;
}

function sameBlock(a: Pick<PinnedBlock, "number" | "hash">, b: Pick<PinnedBlock, "number" | "hash">): boolean {
  return a.number === b.number && a.hash === b.hash;
}

export class RequestBlock {
  private pin: Promise<IndexedHead> | null = null;
  private pinnedHead: IndexedHead | null = null;
  private at: ReadAt | null = null;

  constructor(private readonly watcher: Pick<HeadWatcher, "head" | "ensureHead" | "headReplacing">) {}

  /**
   * The head this request reads, pinned by the first caller: the head watcher's (no source request), or what `read`
   * gives where the first caller wants a fresher one (indexingStatus polls). Later callers get the same head whatever
   * they pass, also while the first is still being read, so fields resolved in parallel share it.
   */
  head(read: () => Promise<IndexedHead> = () => this.watcher.ensureHead()): Promise<IndexedHead> {
    if (this.pin === null) {
      this.pin = read().then((head) => {
        this.pinnedHead = head;
        return head;
      });
    }
    return this.pin;
  }

  /**
   * How a read asks for the request's block: by hash where the source said it, so that a head a reorganisation
   * replaced since it was pinned is refused (BlockNotServedError: the request runs again, see executeOnLiveHead)
   * rather than read at its height.
   */
  async readAt(): Promise<ReadAt> {
    const head = await this.head();
    this.at ??= headReadAt(head);
    return this.at;
  }

  /** The block a page at `position` reads: its cursor's (its sequence's), else the request's. */
  async pageAt(position: CursorPosition | null): Promise<ReadAt> {
    return pageReadAt(position, this.watcher.head) ?? (await this.readAt());
  }

  /**
   * Pins the block a subscription event was read at (its root's, see readAtOf), before its fields read: any of them
   * that reads the request's block then reads the event's, and `pinned` names it (the event's `extensions.block`).
   * The hub reads each head at its block, so an event is one block, as a query's answer is. What the event's block
   * does not say (its parent, indexing errors) is unknown: no field under a subscription reads it.
   */
  pinEvent(at: ReadAt): void {
    if (this.pin !== null) return;
    const { number, hash, timestamp } = at.block;
    const head: IndexedHead = { number, hash, parentHash: null, timestamp: timestamp ?? null, hasIndexingErrors: false };
    this.pinnedHead = head;
    this.pin = Promise.resolve(head);
    this.at = at;
  }

  /** The block pinned, null while nothing read it (every field so far read a cursor's block, or none read at all). */
  get pinned(): PinnedBlock | null {
    return this.pinnedHead === null ? null : { number: this.pinnedHead.number, hash: this.pinnedHead.hash };
  }

  /**
   * Where `errors` (what the request ended with) hold a read that the source refused because it no longer serves the
   * pinned head, the head to run the request again at (HeadWatcher.headReplacing). Null where there is none: no read
   * lost the pin, the source still names the lost head, or it could not be polled; the request's answer then stands.
   */
  async headAfterLoss(errors: readonly unknown[]): Promise<IndexedHead | null> {
    const pinned = this.pinned;
    if (pinned === null) return null;
    const lost = errors.some((error) => {
      const refused = notServed(error);
      return refused !== null && sameBlock(refused.block, pinned);
    });
    if (!lost) return null;
    let head: IndexedHead;
    try {
      head = await this.watcher.headReplacing(pinned);
    } catch {
      // The watcher logged the failed poll; the request answers SOURCE_UNAVAILABLE, which its errors already say.
      return null;
    }
    return sameBlock(head, pinned) ? null : head;
  }
}

/** A request run again at a new head: the block its first run read, which a reorganisation replaced, and the new one. */
export interface RequestRerun {
  replaced: number;
  block: number;
}

/**
 * Runs a request (`execute`) with `context` and, where a read found its pinned head no longer served, once more with
 * a new context, which pins the head the watcher found instead: a request made after a reorganisation but before the
 * watcher's next poll answers at the new head, not SOURCE_UNAVAILABLE. Once only: a head replaced again meanwhile is
 * SOURCE_UNAVAILABLE (ask again). Nothing of the first run reaches the client, so the answer reads one block either
 * way. `errorsOf` says which errors a run ended with. Returns the run answered, its context (the block it read) and,
 * where it was the second, which blocks the two read (`rerun`): logged by the caller in the request's one line, since
 * a request log counts requests, not runs.
 */
export async function executeOnLiveHead<T>(
  context: GatewayContext,
  newContext: () => GatewayContext,
  execute: (context: GatewayContext) => Promise<T>,
  errorsOf: (result: T, context: GatewayContext) => readonly unknown[],
): Promise<{ result: T; context: GatewayContext; rerun: RequestRerun | null }> {
  const result = await execute(context);
  const replaced = context.block.pinned;
  const head = await context.block.headAfterLoss(errorsOf(result, context));
  if (head === null || replaced === null) return { result, context, rerun: null };
  const again = newContext();
  return { result: await execute(again), context: again, rerun: { replaced: replaced.number, block: head.number } };
}
