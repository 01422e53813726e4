import { expect } from "chai";
import type { GraphQLError } from "graphql";
import { proposalState, proposals } from "../../../gateway/src/services/governance";
import type { ProposalEntity } from "../../../gateway/src/subgraph/entities";
import type { ListArgs } from "../../../gateway/src/subgraph/reader";
import { FakeReader } from "../helpers/fake-reader";
import { list } from "../helpers/fake-source";

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

describe("proposals list", function () {
  it("refuses an empty states list with BAD_USER_INPUT on states, the empty list in extensions.value", async function () {
    const reader = new FakeReader({});
    const refused = (await proposals(reader, null, 201, [], 1, null).catch((e: unknown) => e)) as GraphQLError;
    expect(refused.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "states", value: [] });
  });

  it("finds the proposals of a state further back than a few pages of others", async function () {
    // Twelve defeated proposals, then (oldest) one that succeeded: `states: [SUCCEEDED]` must reach it.
    const rows = Array.from({ length: 13 }, (_, i) =>
      proposal({ id: String(i + 1), createdAt: String(90 - i), ...(i === 12 ? { quorumReached: true, forVotes: "6", againstVotes: "5" } : {}) }),
    );
    const reader = new FakeReader({ proposalPage: async (args: ListArgs) => ({ rows: list(rows, args), block: { number: 5, hash: null } }) });
    const page = await proposals(reader, null, 201, ["SUCCEEDED"], 1, null);
    expect(page.edges.map((e) => e.node.entity.id)).to.deep.equal(["13"]);
    expect(page.pageInfo.hasNextPage).to.equal(false);
  });

  it("reads every page of a sequence at its first page's block and judges states at its first page's time", async function () {
    // At block 5 three proposals are being voted on; at block 6 the oldest was canceled, and the head's time is later.
    const atBlock = (block: number) =>
      [90, 89, 88].map((createdAt, i) => proposal({ id: String(i + 1), createdAt: String(createdAt), ...(block >= 6 && i === 2 ? { status: "Canceled" } : {}) }));
    let latest = 5;
    const reads: (number | null)[] = [];
    const reader = new FakeReader({
      proposalPage: async (args: ListArgs) => {
        const block = args.at?.block.number ?? latest;
        reads.push(args.at?.block.number ?? null);
        return { rows: list(atBlock(block), args), block: { number: block, hash: null } };
      },
    });
    const first = await proposals(reader, null, 150, null, 2, null);
    latest = 6;
    const second = await proposals(reader, null, 250, null, 2, first.pageInfo.endCursor);
    expect(second.edges.map((e) => [e.node.entity.id, proposalState(e.node.entity, e.node.now)])).to.deep.equal([["3", "ACTIVE"]]);
    expect([first.pageInfo.blockNumber, second.pageInfo.blockNumber]).to.deep.equal([5, 5]);
    expect(reads).to.deep.equal([null, 5]);
  });
});
