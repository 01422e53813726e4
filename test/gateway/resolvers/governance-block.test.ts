// The governance object over a fake source whose index moves on while its fields are read.
import { expect } from "chai";
import { executeWhileMoving, type MovingBlocks } from "../helpers/moving-index";

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
const BLOCKS: MovingBlocks = {
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
    const result = await executeWhileMoving(BLOCKS, GOVERNANCE);
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
