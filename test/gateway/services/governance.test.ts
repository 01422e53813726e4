import { expect } from "chai";
import { proposalState, proposals } from "../../../gateway/src/services/governance";
import type { ProposalEntity } from "../../../gateway/src/subgraph/entities";
import type { ListArgs, SubgraphReader } from "../../../gateway/src/subgraph/reader";
import type { Where } from "../../../gateway/src/subgraph/where";

function proposal(overrides: Partial<ProposalEntity>): ProposalEntity {
  return {
    id: "1",
    proposer: { id: "0x01" },
    status: "Created",
    targets: [],
    values: [],
    calldatas: [],
    description: "",
    title: "",
    voteStart: "100",
    voteEnd: "200",
    quorum: "10",
    forVotes: "0",
    againstVotes: "0",
    abstainVotes: "0",
    voteCount: 0,
    quorumReached: false,
    createdAt: "90",
    eta: null,
    queuedAt: null,
    executedAt: null,
    canceledAt: null,
    timelockOperation: null,
    ...overrides,
  };
}

describe("proposal states (OpenZeppelin Governor)", function () {
  it("is pending up to and including its snapshot, active up to and including its deadline", function () {
    expect(proposalState(proposal({}), 100)).to.equal("PENDING");
    expect(proposalState(proposal({}), 101)).to.equal("ACTIVE");
    expect(proposalState(proposal({}), 200)).to.equal("ACTIVE");
  });

  it("succeeds with quorum and more for than against, else is defeated", function () {
    expect(proposalState(proposal({ quorumReached: true, forVotes: "6", againstVotes: "5" }), 201)).to.equal("SUCCEEDED");
    expect(proposalState(proposal({ quorumReached: true, forVotes: "5", againstVotes: "5" }), 201)).to.equal("DEFEATED");
    expect(proposalState(proposal({ quorumReached: false, forVotes: "9", againstVotes: "0" }), 201)).to.equal("DEFEATED");
  });

  it("follows the timelock once queued: vetoed there means canceled", function () {
    expect(proposalState(proposal({ status: "Queued", timelockOperation: { status: "Scheduled" } }), 500)).to.equal("QUEUED");
    expect(proposalState(proposal({ status: "Queued", timelockOperation: { status: "Cancelled" } }), 500)).to.equal("CANCELED");
    expect(proposalState(proposal({ status: "Executed" }), 500)).to.equal("EXECUTED");
    expect(proposalState(proposal({ status: "Canceled" }), 50)).to.equal("CANCELED");
  });
});

/** graph-node's `where` over plain rows: and/or, equality and the _in/_lt/_lte/_gt/_gte suffixes (decimal text as numbers). */
function matches(row: Record<string, unknown>, where: Where): boolean {
  const compare = (a: unknown, b: unknown) => {
    const x = String(a);
    const y = String(b);
    if (/^-?\d+$/.test(x) && /^-?\d+$/.test(y)) return BigInt(x) < BigInt(y) ? -1 : BigInt(x) > BigInt(y) ? 1 : 0;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return Object.entries(where).every(([key, value]) => {
    if (key === "and") return (value as Where[]).every((w) => matches(row, w));
    if (key === "or") return (value as Where[]).some((w) => matches(row, w));
    const [, field = key, op = ""] = /^(.*?)(?:_(in|lt|lte|gt|gte))?$/.exec(key) ?? [];
    const actual = row[field];
    if (op === "in") return (value as unknown[]).some((v) => compare(actual, v) === 0);
    const c = compare(actual, value);
    return op === "lt" ? c < 0 : op === "lte" ? c <= 0 : op === "gt" ? c > 0 : op === "gte" ? c >= 0 : c === 0;
  });
}

describe("proposals list", function () {
  it("finds the proposals of a state further back than a few pages of others", async function () {
    // Twelve defeated proposals, then (oldest) one that succeeded: `states: [SUCCEEDED]` must reach it.
    const rows = Array.from({ length: 13 }, (_, i) =>
      proposal({ id: String(i + 1), createdAt: String(90 - i), ...(i === 12 ? { quorumReached: true, forVotes: "6", againstVotes: "5" } : {}) }),
    );
    const reader = {
      proposals: async (args: ListArgs) =>
        rows
          .filter((p) => matches(p as unknown as Record<string, unknown>, args.where))
          .sort((a, b) => Number(b.createdAt) - Number(a.createdAt))
          .slice(0, args.first),
    } as unknown as SubgraphReader;
    const page = await proposals(reader, 201, ["SUCCEEDED"], 1, null);
    expect(page.edges.map((e) => e.node.entity.id)).to.deep.equal(["13"]);
    expect(page.pageInfo.hasNextPage).to.equal(false);
  });
});
