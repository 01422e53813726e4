// The block a subscription's end line names, with the gateway's own schema, subscription hub and HTTP/WebSocket
// server over a fake index that the test moves from block 7 to block 8: the end line of a jobUpdated subscription
// names the block its last event read, as that event's extensions.block did.
import { expect } from "chai";
import { createJsonLogger, silentLogger } from "../../../gateway/src/logger";
import { HeadWatcher } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import type { JobEntity } from "../../../gateway/src/subgraph/entities";
import { waitUntil } from "../../helpers/wait";
import { HASH_7, HASH_8 } from "../helpers/moving-index";
import { serveGatewayWs } from "../helpers/served-gateway-ws";

type Block = 7 | 8;

const hashOf = (block: Block): string => (block === 7 ? HASH_7 : HASH_8);

/** Job 1, accepted in block 7 and submitted in block 8. */
const job = (block: Block) =>
  ({
    id: "1", jobId: "1", status: block === 7 ? "Accepted" : "Submitted", createdAtBlock: "5", termsHash: "0x01", gpuModelKey: "*", regionKey: "*",
    minVramGiB: 0, gpuCount: 1, tier: "Any", minCompletedJobs: "0", minSlashRewardBps: 0, maxPricePerGpuHour: "5",
    targetProvider: "0x0000000000000000000000000000000000000000", escrowed: "10", acceptDeadline: "999999",
  }) as JobEntity;

/** An index at block 7 until the test moves it to 8: reads of the latest block read the head, reads at a block that block. */
class SteppedIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  head: Block = 7;

  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    const meta = (number: Block) => ({ number, hash: hashOf(number), parentHash: number === 8 ? HASH_7 : null, timestamp: 1_000 });
    // The head watcher's poll.
    if (query.includes("hasIndexingErrors")) return { _meta: { block: meta(this.head), hasIndexingErrors: false, deployment: "stepped" } } as TData;
    const asked = variables.block as { hash?: string; number?: number } | undefined;
    const number: Block = asked === undefined ? this.head : asked.hash === HASH_8 || asked.number === 8 ? 8 : 7;
    return { jobs: [job(number)], events: [], _meta: { block: meta(number) } } as TData;
  }

  async close(): Promise<void> {}
}

interface JobEvent {
  data?: { jobUpdated?: { status: string } };
  extensions?: { block?: unknown };
}

describe("a subscription's end line over the gateway's schema and feeds", function () {
  it("names the block of jobUpdated's last event, as that event's extensions.block named it", async function () {
    const source = new SteppedIndex();
    const lines: Record<string, unknown>[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    // Not started: it polls when the test moves the index.
    const head = new HeadWatcher(source, { logger: silentLogger });
    const { client, stop } = await serveGatewayWs(source, head, logger);
    try {
      const events = client.iterate({ query: `subscription Follow { jobUpdated(id: "1") { status } }` });
      const first = (await events.next()).value as JobEvent;
      source.head = 8;
      await head.refresh();
      const second = (await events.next()).value as JobEvent;
      expect([first, second].map((event) => [event.data?.jobUpdated?.status, event.extensions?.block])).to.deep.equal([
        ["ACCEPTED", { number: 7, hash: HASH_7 }],
        ["SUBMITTED", { number: 8, hash: HASH_8 }],
      ]);
      await events.return?.();
      const ends = () => lines.filter((line) => line.msg === "graphql subscription end");
      await waitUntil(() => ends().length === 1, "the subscription's end is logged");
      expect(ends().map(({ operation, events: sent, end, block }) => ({ operation, events: sent, end, block }))).to.deep.equal([
        { operation: "Follow", events: 2, end: "client-completed", block: { number: 8, hash: HASH_8 } },
      ]);
    } finally {
      await stop();
    }
  });
});
