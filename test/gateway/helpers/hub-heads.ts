// Shows a gateway runtime's subscription hub exactly the heads a test chooses: the runtime polls its source (the
// suite's separate indexer process) only when told, so a test makes a reorg happen between two heads it picks.
import type { GatewayRuntime } from "../../../gateway/src/gateway";
import type { IndexedHead } from "../../../gateway/src/sources/head-watcher";
import { waitUntil } from "../../helpers/wait";

/** Whether the subgraph at `subgraphUrl` has indexed `block`. */
async function indexedThrough(subgraphUrl: string, block: number): Promise<boolean> {
  const response = await fetch(subgraphUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _meta { block { number } } }" }),
  });
  const body = (await response.json()) as { data?: { _meta: { block: { number: number } } } };
  return (body.data?._meta.block.number ?? -1) >= block;
}

/**
 * Returns `showHead(block)`: once the indexer has reached `block`, the runtime reads its head and the call resolves
 * when the hub is done with that head. Subscribe it before the test's own head listeners: listeners run in order, one
 * head at a time, so once this one has a head, so has the hub.
 */
export function headShower(runtime: GatewayRuntime, subgraphUrl: string): (block: number) => Promise<IndexedHead> {
  const seen: IndexedHead[] = [];
  runtime.services.head.subscribe((head) => void seen.push(head));
  return async (block) => {
    await waitUntil(() => indexedThrough(subgraphUrl, block), `the indexer has indexed block ${block}`);
    const head = await runtime.services.head.refresh();
    await waitUntil(() => seen.at(-1) === head, `the hub has handled head ${head.number}`);
    return head;
  };
}
