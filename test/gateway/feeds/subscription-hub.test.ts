// The subscription hub on its own, over a fake reader and a head it is told about by hand.
import { expect } from "chai";
import { SourceError } from "../../../gateway/src/errors";
import { SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import { silentLogger } from "../../../gateway/src/logger";
import { parseFeedFilter } from "../../../gateway/src/services/job-filters";
import type { HeadListener, HeadWatcher, IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { JobEntity } from "../../../gateway/src/subgraph/entities";
import type { ListArgs, SubgraphReader } from "../../../gateway/src/subgraph/reader";

const head = (number: number): IndexedHead => ({ number, hash: `0x${number.toString(16)}`, timestamp: 1_000 + number, hasIndexingErrors: false });

function openJob(id: number, block: number): JobEntity {
  return { id: String(id), jobId: String(id), status: "Open", createdAtBlock: String(block), gpuModelKey: "*", regionKey: "*" } as JobEntity;
}

describe("subscription hub", function () {
  it("offers jobOpened subscribers the jobs of a head whose query failed, at the next head", async function () {
    const jobs = [openJob(1, 101)];
    let sourceDown = false;
    const reader = {
      jobs: async (args: ListArgs) => {
        if (sourceDown) throw new SourceError("down", "the subgraph endpoint cannot be reached");
        const where = args.where as { createdAtBlock_gt: string; createdAtBlock_lte: string };
        return jobs.filter((j) => Number(j.createdAtBlock) > Number(where.createdAtBlock_gt) && Number(j.createdAtBlock) <= Number(where.createdAtBlock_lte));
      },
      protocol: async () => null,
    } as unknown as SubgraphReader;
    let listener: HeadListener | null = null;
    const watcher = {
      ensureHead: async () => head(100),
      subscribe: (l: HeadListener) => {
        listener = l;
        return () => undefined;
      },
    } as unknown as HeadWatcher;
    const hub = new SubscriptionHub(reader, watcher, silentLogger);
    hub.start();
    const feed = await hub.jobOpened(parseFeedFilter(null));
    const received = feed.next();

    sourceDown = true;
    await listener!(head(101), head(100));
    sourceDown = false;
    await listener!(head(102), head(101));

    const first = await Promise.race([received, new Promise<"nothing">((resolve) => setTimeout(() => resolve("nothing"), 200))]);
    expect(first === "nothing" ? first : first.value?.id).to.equal("1");
    hub.stop();
  });
});
