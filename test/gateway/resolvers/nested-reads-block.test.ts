// provider(address) and job(id) over a fake source whose index moves on while their nested fields are read: the
// row's read fixes the block (its _meta), and everything under it reads that block.
import { expect } from "chai";
import { executeWhileMoving, type MovingBlocks } from "../helpers/moving-index";

const PROVIDER = `0x${"0a".repeat(20)}`;
const CLIENT = `0x${"0c".repeat(20)}`;

type Block = 7 | 8;

const event = (typename: string, logIndex: number) => ({
  __typename: typename,
  id: `0x${String(logIndex).padStart(2, "0")}`,
  timestamp: "900",
  blockNumber: "5",
  transaction: `0x${"0e".repeat(32)}`,
  logIndex: String(logIndex),
  from: CLIENT,
});

/** Job 1: disputed at block 7; at block 8 the dispute is resolved and the job completed. */
function job(block: Block) {
  const events = [event("JobCreatedEvent", 1), event("JobAcceptedEvent", 2), event("DisputeOpenedEvent", 3)];
  return {
    id: "1",
    jobId: "1",
    status: block === 7 ? "Disputed" : "Completed",
    client: { id: CLIENT },
    provider: { id: PROVIDER },
    dispute: {
      openedAt: "900",
      deposit: "10",
      evidenceURI: "ipfs://evidence",
      ruleDeadline: "2000",
      answered: false,
      answerEvidenceURI: null,
      ruling: block === 7 ? "None" : "Rejected",
      resolved: block === 8,
      resolvedAt: block === 7 ? null : "950",
      slashed: "0",
      reward: "0",
    },
    events: block === 7 ? events : [...events, event("DisputeResolvedEvent", 4)],
  };
}

/** The provider: at block 7 one job done and over the minimum stake; at block 8 two, and under a raised minimum. */
function provider(block: Block) {
  const done = block === 7 ? 1 : 2;
  return {
    id: PROVIDER,
    registered: true,
    online: true,
    gpuCount: 8,
    stakePerGpu: "100",
    staked: "800",
    locked: "0",
    thawing: String(block === 7 ? 0 : 50),
    freeStake: "800",
    jobsCompleted: done,
    jobs: Array.from({ length: done }, (_, i) => ({ ...job(block), id: String(done - i), jobId: String(done - i) })),
    days: [{ day: 0, date: "0", jobsCompleted: done, earned: "0", slashed: "0", gpuSecondsBilled: "0", staked: "800", pricePerGpuHour: "1" }],
    before: [],
    slashes: block === 7 ? [] : [{ amount: "5", reward: "0", toTreasury: "5", reason: "Timeout", job: null }],
    thawRequests: block === 7 ? [] : [{ amount: "50", requestIndex: "0" }],
  };
}

const at = (block: Block) => ({ protocol: { minStakePerGpu: block === 7 ? "50" : "500" }, providers: [provider(block)], jobs: [job(block)] });
const BLOCKS: MovingBlocks = { 7: at(7), 8: at(8) };

describe("nested reads at the block of their row", function () {
  it("reads provider(address)'s stake, activity, jobs, history, slashes and thaw requests at the provider's block", async function () {
    const result = await executeWhileMoving(
      BLOCKS,
      `{ provider(address: "${PROVIDER}") {
        active reputation { jobsCompleted } stake { thawing { wei } minimumPerGpu { wei } }
        jobs(first: 5) { nodes { id } pageInfo { blockNumber } }
        history(days: 5) { jobsCompleted } slashes { amount { wei } } thawRequests { amount { wei } }
      } }`,
    );
    expect(result.errors?.map((e) => e.message).join("; ")).to.equal(undefined);
    expect(result.data).to.deep.equal({
      provider: {
        active: true,
        reputation: { jobsCompleted: 1 },
        stake: { thawing: { wei: "0" }, minimumPerGpu: { wei: "50" } },
        jobs: { nodes: [{ id: "1" }], pageInfo: { blockNumber: 7 } },
        history: [{ jobsCompleted: 1 }],
        slashes: [],
        thawRequests: [],
      },
    });
  });

  it("reads job(id)'s dispute, timeline and provider at the job's block", async function () {
    const result = await executeWhileMoving(
      BLOCKS,
      `{ job(id: "1") { status dispute { resolved } timeline { kind } provider { active reputation { jobsCompleted } } } }`,
    );
    expect(result.errors?.map((e) => e.message).join("; ")).to.equal(undefined);
    expect(result.data).to.deep.equal({
      job: {
        status: "DISPUTED",
        dispute: { resolved: false },
        timeline: [{ kind: "JobCreated" }, { kind: "JobAccepted" }, { kind: "DisputeOpened" }],
        provider: { active: true, reputation: { jobsCompleted: 1 } },
      },
    });
  });
});
