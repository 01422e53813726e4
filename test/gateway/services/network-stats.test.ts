// networkStats over a fake source whose index moves on while the statistics are read, which the scenario chain
// (idle while the suite queries it) never does.
import { expect } from "chai";
import { networkStats } from "../../../gateway/src/services/network-stats";
import type { IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";

const HASH_7 = `0x${"07".repeat(32)}`;
const HASH_8 = `0x${"08".repeat(32)}`;

const inventory = (gpus: number) => ({ providerCount: 1, onlineProviderCount: 1, gpusTotal: gpus, gpusFree: gpus, gpusOnline: gpus, gpusFreeOnline: gpus });

/** Block 7: one provider with 8 H100s in eu-west. Block 8 adds one with 8 A100s in us-east. */
const BLOCKS = {
  7: {
    protocol: { providerCount: 1, onlineProviderCount: 1, gpusTotal: 8, gpusFree: 8, minStakePerGpu: "1" },
    gpuModels: [{ id: "h100-sxm-80gb", name: "H100", ...inventory(8) }],
    regions: [{ id: "eu-west", ...inventory(8) }],
  },
  8: {
    protocol: { providerCount: 2, onlineProviderCount: 2, gpusTotal: 16, gpusFree: 16, minStakePerGpu: "1" },
    gpuModels: [{ id: "a100-sxm-80gb", name: "A100", ...inventory(8) }, { id: "h100-sxm-80gb", name: "H100", ...inventory(8) }],
    regions: [{ id: "eu-west", ...inventory(8) }, { id: "us-east", ...inventory(8) }],
  },
};

/** Answers its first read of the latest block at block 7, every later one at block 8; a read at a block, at that block. */
class MovingIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  private latestReads = 0;

  async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
    const block = variables.block as { hash?: string; number?: number } | undefined;
    const number = block === undefined ? (this.latestReads++ === 0 ? 7 : 8) : block.hash === HASH_8 || block.number === 8 ? 8 : 7;
    return { ...BLOCKS[number], providers: [], networkDays: [] } as TData;
  }

  async close(): Promise<void> {}
}

describe("networkStats", function () {
  it("reads every figure at its head's block, so totals agree with their breakdowns while the index moves on", async function () {
    const head: IndexedHead = { number: 7, hash: HASH_7, parentHash: null, timestamp: 86_400 * 100, hasIndexingErrors: false };
    const stats = await networkStats(new SubgraphReader(new MovingIndex()), head, 1);
    expect({
      blockNumber: stats.blockNumber,
      providers: stats.providers,
      gpusTotal: stats.gpus.total,
      byModel: stats.gpusByModel.map((m) => [m.model, m.total]),
      byRegion: stats.gpusByRegion.map((r) => [r.region, r.total]),
    }).to.deep.equal({
      blockNumber: 7,
      providers: { registered: 1, online: 1, active: 1 },
      gpusTotal: 8,
      byModel: [["h100-sxm-80gb", 8]],
      byRegion: [["eu-west", 8]],
    });
  });
});
