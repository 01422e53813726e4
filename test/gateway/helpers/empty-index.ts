// An index at block 7 holding nothing, for tests that the server refuses before anything reads (validation): it
// answers every request with its head (_meta, as the head watcher polls it) and empty job and event lists.
import type { SourceKind, SubgraphSource } from "../../../gateway/src/sources/source";

export class EmptyIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";

  async request<TData>(): Promise<TData> {
    const block = { number: 7, hash: `0x${"07".padStart(64, "0")}`, parentHash: `0x${"06".padStart(64, "0")}`, timestamp: 1_007 };
    return { _meta: { block, hasIndexingErrors: false, deployment: "empty" }, jobs: [], events: [] } as TData;
  }

  async close(): Promise<void> {}
}
