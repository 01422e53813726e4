// The governance object over a fake source whose index moves on while its fields are read, which the scenario chain
// (idle while the suite queries it) never does.
import { expect } from "chai";
import { execute, parse } from "graphql";
import { createContext } from "../../../gateway/src/context";
import type { SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import { silentLogger } from "../../../gateway/src/logger";
import { createResolvers } from "../../../gateway/src/resolvers";
import { buildSchema } from "../../../gateway/src/schema/executable-schema";
import type { HeadWatcher, IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";

const HASH_7 = `0x${"07".repeat(32)}`;
const HASH_8 = `0x${"08".repeat(32)}`;

function proposal(voteCount: number) {
  return {
    id: "1",
    proposer: { id: `0x${"01".repeat(20)}` },
    status: "Created",
    targets: [],
    values: [],
    calldatas: [],
    description: "",
    title: "Raise the fee",
    voteStart: "100",
    voteEnd: "200",
    quorum: "10",
    forVotes: String(5 * voteCount),
    againstVotes: "0",
    abstainVotes: "0",
    voteCount,
    quorumReached: false,
    createdAt: "90",
    eta: null,
    queuedAt: null,
    executedAt: null,
    canceledAt: null,
    timelockOperation: null,
    votes: Array.from({ length: voteCount }, (_, i) => ({
      id: `0x0${i}`,
      voter: { id: `0x${"02".repeat(20)}` },
      support: "For",
      weight: "5",
      reason: "",
      timestamp: "150",
    })),
  };
}

function parameter(value: number, changeCount: number) {
  return {
    id: "JobEscrow.protocolFeeBps",
    contract: `0x${"03".repeat(20)}`,
    contractKind: "JobEscrow",
    name: "protocolFeeBps",
    value: String(value),
    addressValue: null,
    changeCount,
    updatedAt: "10",
  };
}

/** Block 7: no pause, economic parameters 1, a fee of 100, a proposal without votes. Block 8 changed all four. */
const BLOCKS = {
  7: {
    protocol: { pausedUntil: "0", currentParams: { id: "1" }, totalSupply: "1000" },
    parameters: [parameter(100, 1)],
    proposals: [proposal(0)],
    proposal: proposal(0),
  },
  8: {
    protocol: { pausedUntil: "999999999", currentParams: { id: "2" }, totalSupply: "1000" },
    parameters: [parameter(200, 2)],
    proposals: [proposal(1)],
    proposal: proposal(1),
  },
};

/** Answers its first read of the latest block at block 7, every later one at block 8; a read at a block, at that block. */
class MovingIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  private latestReads = 0;

  async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
    const block = variables.block as { hash?: string; number?: number } | undefined;
    const number = block === undefined ? (this.latestReads++ === 0 ? 7 : 8) : block.hash === HASH_8 || block.number === 8 ? 8 : 7;
    return { ...BLOCKS[number], _meta: { block: { number, hash: number === 8 ? HASH_8 : HASH_7, timestamp: 1_000 } } } as TData;
  }

  async close(): Promise<void> {}
}

const GOVERNANCE = `{
  governance {
    paused pausedUntil economicParamsVersion
    parameters { name value changeCount }
    proposals(first: 5) { nodes { id voterCount forVotes { wei } votes { weight { wei } } } pageInfo { blockNumber } }
    proposal(id: "1") { voterCount votes { weight { wei } } }
  }
}`;

describe("governance at one block", function () {
  it("reads every field of one answer at the head's block while the index moves on", async function () {
    const head: IndexedHead = { number: 7, hash: HASH_7, parentHash: null, timestamp: 1_000, hasIndexingErrors: false };
    const context = createContext({
      reader: new SubgraphReader(new MovingIndex()),
      head: { head, ensureHead: async () => head } as unknown as HeadWatcher,
      chain: null,
      chainHead: null,
      sourceKind: "subgraphUrl",
      limits: DEFAULT_QUERY_LIMITS,
      maxLag: 10,
      logger: silentLogger,
    });
    const result = await execute({ schema: buildSchema(createResolvers({} as SubscriptionHub)), document: parse(GOVERNANCE), contextValue: context });
    expect(result.errors).to.equal(undefined);
    expect(result.data).to.deep.equal({
      governance: {
        paused: false,
        pausedUntil: null,
        economicParamsVersion: 1,
        parameters: [{ name: "protocolFeeBps", value: "100", changeCount: 1 }],
        proposals: { nodes: [{ id: "1", voterCount: 0, forVotes: { wei: "0" }, votes: [] }], pageInfo: { blockNumber: 7 } },
        proposal: { voterCount: 0, votes: [] },
      },
    });
  });
});
