// The block one GraphQL request reads. Fields that each fixed their own block (a list's first page the latest, a
// networkStats answer the head) would show two blocks in one answer whenever the index moves on between their reads.
// So a request pins the indexed head once, at its first read, and every field reads that block; only a page after a
// cursor reads its sequence's block instead, since its rows must continue the earlier page's.
import type { CursorPosition, PinnedBlock } from "../model/cursor";
import type { HeadWatcher, IndexedHead } from "../sources/head-watcher";
import type { ReadAt } from "../subgraph/reader";
import { headReadAt, pageReadAt } from "./keyset";

export class RequestBlock {
  private pin: Promise<IndexedHead> | null = null;
  private pinnedHead: IndexedHead | null = null;
  private at: ReadAt | null = null;

  constructor(private readonly watcher: Pick<HeadWatcher, "head" | "ensureHead">) {}

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
   * replaced since it was pinned is refused (SOURCE_UNAVAILABLE: ask again), as networkStats' own pinning was.
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

  /** The block pinned, null while nothing read it (every field so far read a cursor's block, or none read at all). */
  get pinned(): PinnedBlock | null {
    return this.pinnedHead === null ? null : { number: this.pinnedHead.number, hash: this.pinnedHead.hash };
  }
}
