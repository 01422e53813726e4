import { expect } from "chai";
import { describeEachSource } from "../helpers/environment";

interface Parameter {
  contract: string;
  contractAddress: string;
  name: string;
  unit: string;
  value: string | null;
  address: string | null;
  min: string | null;
  max: string | null;
}

interface Proposal {
  id: string;
  title: string;
  state: string;
  proposer: string;
  forVotes: { wei: string };
  againstVotes: { wei: string };
  voterCount: number;
  actions: { target: string; calldata: string }[];
  votes: { voter: string; support: string; weight: { wei: string }; reason: string }[];
}

const GOVERNANCE = `
  query Governance($states: [ProposalState!], $first: Int, $after: String) {
    governance {
      parameters { contract contractAddress name unit value address min max changeCount updatedAt }
      economicParamsVersion paused pausedUntil
      proposals(states: $states, first: $first, after: $after) {
        nodes { id title state proposer forVotes { wei } againstVotes { wei } voterCount actions { target calldata } votes { voter support weight { wei } reason } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`;

/** OpenZeppelin IGovernor.ProposalState, by its numeric value. */
const OZ_STATES = ["PENDING", "ACTIVE", "CANCELED", "DEFEATED", "SUCCEEDED", "QUEUED", "EXPIRED", "EXECUTED"];

describeEachSource("governance", (ctx) => {
  const governance = async (variables: Record<string, unknown> = {}) =>
    (await ctx().client.query<{ governance: { parameters: Parameter[]; economicParamsVersion: number; paused: boolean; proposals: { nodes: Proposal[] } } }>(GOVERNANCE, variables)).governance;

  it("gives each parameter the value its contract holds", async function () {
    const { env } = ctx();
    const c = env.scenario.c;
    const params = (await governance()).parameters;
    const value = (id: string) => params.find((p) => `${p.contract}.${p.name}` === id);
    expect(value("Staking.minStakePerGpu")?.value).to.equal((await c.staking.minStakePerGpu()).toString());
    expect(value("Staking.thawingPeriod")?.value).to.equal((await c.staking.thawingPeriod()).toString());
    expect(value("ProviderRegistry.maxGpusPerProvider")?.value).to.equal((await c.registry.maxGpusPerProvider()).toString());
    const economic = await c.jobEscrow.getParams(await c.jobEscrow.currentParamsId());
    expect(value("JobEscrow.protocolFeeBps")?.value).to.equal(economic.protocolFeeBps.toString());
    expect(value("JobEscrow.challengeWindow")?.value).to.equal(economic.challengeWindow.toString());
    expect(value("LatentGovernor.votingPeriod")?.value).to.equal((await c.governor.votingPeriod()).toString());
    expect(value("DisputeManager.arbitrator")?.address).to.equal(await c.disputeManager.arbitrator());
    expect(value("Staking.minStakePerGpu")?.contractAddress).to.equal(await c.staking.getAddress());
  });

  it("gives each bounded parameter the bounds its contract enforces", async function () {
    const { env } = ctx();
    const c = env.scenario.c;
    const params = (await governance()).parameters;
    const bounds = (id: string) => {
      const p = params.find((x) => `${x.contract}.${x.name}` === id)!;
      return [p.min, p.max];
    };
    const pairs: [string, bigint, bigint][] = [
      ["Staking.minStakePerGpu", await c.staking.MIN_MIN_STAKE_PER_GPU(), await c.staking.MAX_MIN_STAKE_PER_GPU()],
      ["Staking.thawingPeriod", await c.staking.MIN_THAWING_PERIOD(), await c.staking.MAX_THAWING_PERIOD()],
      ["ProviderRegistry.maxGpusPerProvider", 1n, await c.registry.MAX_GPUS_PER_PROVIDER_LIMIT()],
      ["PauseGuardian.pauseDuration", await c.pauseGuardian.MIN_PAUSE_DURATION(), await c.pauseGuardian.MAX_PAUSE_DURATION()],
      ["JobEscrow.protocolFeeBps", 0n, await c.jobEscrow.MAX_PROTOCOL_FEE_BPS()],
      ["JobEscrow.collateralRatioBps", await c.jobEscrow.MIN_COLLATERAL_RATIO_BPS(), await c.jobEscrow.MAX_COLLATERAL_RATIO_BPS()],
      ["JobEscrow.timeoutSlashBps", await c.jobEscrow.MIN_TIMEOUT_SLASH_BPS(), await c.jobEscrow.MAX_TIMEOUT_SLASH_BPS()],
      ["JobEscrow.maxSlashingCutBps", await c.jobEscrow.MIN_MAX_SLASHING_CUT_BPS(), await c.jobEscrow.MAX_MAX_SLASHING_CUT_BPS()],
      ["JobEscrow.disputeRewardBps", 0n, await c.jobEscrow.MAX_DISPUTE_REWARD_BPS()],
      ["JobEscrow.challengeWindow", await c.jobEscrow.MIN_CHALLENGE_WINDOW(), await c.jobEscrow.MAX_CHALLENGE_WINDOW()],
      ["JobEscrow.grace", await c.jobEscrow.MIN_GRACE(), await c.jobEscrow.MAX_GRACE()],
      ["JobEscrow.disputePeriod", await c.jobEscrow.MIN_DISPUTE_PERIOD(), await c.jobEscrow.MAX_DISPUTE_PERIOD()],
      ["JobEscrow.disputeDeposit", await c.jobEscrow.MIN_DISPUTE_DEPOSIT(), await c.jobEscrow.MAX_DISPUTE_DEPOSIT()],
      ["JobEscrow.minTrackRecordCost", 0n, await c.jobEscrow.MAX_MIN_TRACK_RECORD_COST()],
      ["LatentGovernor.votingDelay", 0n, await c.governor.MAX_VOTING_DELAY()],
      ["LatentGovernor.votingPeriod", 1n, await c.governor.MAX_VOTING_PERIOD()],
      ["LatentGovernor.proposalThreshold", 0n, await c.governor.maxProposalThreshold()],
      ["LatentGovernor.quorumNumerator", await c.governor.MIN_QUORUM_NUMERATOR(), await c.governor.MAX_QUORUM_NUMERATOR()],
      ["LatentTimelock.minDelay", 0n, await c.timelock.MAX_DELAY()],
    ];
    for (const [id, min, max] of pairs) expect(bounds(id), id).to.deep.equal([min.toString(), max.toString()]);
  });

  it("gives every proposal the state the governor gives it", async function () {
    const { env } = ctx();
    const proposals = (await governance({ first: 20 })).proposals.nodes;
    expect(proposals.length).to.equal(Object.keys(env.summary.proposals).length);
    for (const p of proposals) {
      const onChain = OZ_STATES[Number(await env.scenario.c.governor.state(BigInt(p.id)))];
      expect(p.state, p.title).to.equal(onChain);
    }
  });

  it("filters proposals by state", async function () {
    const { env } = ctx();
    const executed = (await governance({ states: ["EXECUTED"] })).proposals.nodes.map((p) => p.id);
    expect(executed).to.have.members([env.summary.proposals.parameterChange.toString(), env.summary.proposals.veto.toString()]);
    const canceled = (await governance({ states: ["CANCELED"] })).proposals.nodes;
    expect(canceled.every((p) => p.state === "CANCELED")).to.equal(true);
  });

  it("pages proposals by cursor", async function () {
    const whole = (await governance({ first: 20 })).proposals.nodes.map((p) => p.id);
    const first = await ctx().client.query<{ governance: { proposals: { nodes: Proposal[]; pageInfo: { endCursor: string } } } }>(GOVERNANCE, { first: 2 });
    const rest = await ctx().client.query<{ governance: { proposals: { nodes: Proposal[] } } }>(GOVERNANCE, { first: 20, after: first.governance.proposals.pageInfo.endCursor });
    expect([...first.governance.proposals.nodes, ...rest.governance.proposals.nodes].map((p) => p.id)).to.deep.equal(whole);
  });

  it("pages a proposal's votes with `after` and each vote's cursor, as the votes of one list, newest first", async function () {
    const { env, client } = ctx();
    const VOTES = `query($id: ID!, $first: Int, $after: String) { governance { proposal(id: $id) { votes(first: $first, after: $after) { cursor voter } } } }`;
    type Votes = { governance: { proposal: { votes: { cursor: string; voter: string }[] } } };
    const id = env.summary.proposals.parameterChange.toString();
    const whole = (await client.query<Votes>(VOTES, { id, first: 100 })).governance.proposal.votes;
    expect(whole.length, "a proposal with two votes or more").to.be.at.least(2);
    const voters: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { cursor: string; voter: string }[] = (await client.query<Votes>(VOTES, { id, first: 1, after })).governance.proposal.votes;
      if (page.length === 0) break;
      voters.push(...page.map((v) => v.voter));
      after = page[page.length - 1]!.cursor;
    }
    expect(voters).to.deep.equal(whole.map((v) => v.voter));
    const otherProposal = await client.errors(VOTES, { id: env.summary.proposals.vetoed.toString(), first: 1, after: whole[0]!.cursor });
    expect(otherProposal[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "after" });
  });

  it("pages a proposal's votes as a connection whose hasNextPage says whether votes follow, a last page of exactly `first` votes too", async function () {
    const { env, client } = ctx();
    const VOTES = `query($id: ID!, $first: Int, $after: String) { governance { proposal(id: $id) {
      votes(first: 100) { cursor voter }
      votesConnection(first: $first, after: $after) { edges { cursor node { cursor voter } } nodes { voter } pageInfo { hasNextPage hasPreviousPage endCursor blockNumber } }
    } } }`;
    type Page = {
      votes: { cursor: string; voter: string }[];
      votesConnection: {
        edges: { cursor: string; node: { cursor: string; voter: string } }[];
        nodes: { voter: string }[];
        pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; blockNumber: number | null };
      };
    };
    const id = env.summary.proposals.parameterChange.toString();
    const ask = async (first: number, after: string | null) => (await client.query<{ governance: { proposal: Page } }>(VOTES, { id, first, after })).governance.proposal;
    const whole = (await ask(100, null)).votes.map((v) => v.voter);
    expect(whole.length, "a proposal with two votes or more").to.be.at.least(2);
    const exact = (await ask(whole.length, null)).votesConnection;
    expect(exact.nodes.map((v) => v.voter)).to.deep.equal(whole);
    expect(exact.pageInfo.hasNextPage, "all the votes on one page of exactly `first`").to.equal(false);
    const voters: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard <= whole.length; guard++) {
      const { votesConnection: page }: Page = await ask(1, after);
      voters.push(...page.nodes.map((v) => v.voter));
      expect(page.edges.map((e) => e.cursor), "an edge's cursor is its node's").to.deep.equal(page.edges.map((e) => e.node.cursor));
      expect(page.pageInfo.hasPreviousPage).to.equal(after !== null);
      expect(page.pageInfo.hasNextPage, `after ${voters.length} of ${whole.length} votes`).to.equal(voters.length < whole.length);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(voters).to.deep.equal(whole);
    // The plain list's cursors are the connection's: a client moving from one to the other keeps its place.
    const plain = (await ask(1, null)).votes;
    const rest = (await ask(100, plain[0]!.cursor)).votesConnection;
    expect(rest.nodes.map((v) => v.voter)).to.deep.equal(whole.slice(1));
  });

  it("lists a proposal's votes and actions", async function () {
    const { env } = ctx();
    const proposals = (await governance({ first: 20 })).proposals.nodes;
    const change = proposals.find((p) => p.id === env.summary.proposals.parameterChange.toString())!;
    expect(change.actions.length).to.equal(9);
    expect(change.voterCount).to.equal(2);
    expect(change.votes.map((v) => v.voter)).to.have.members([env.summary.accounts.funder, env.summary.accounts.voters[0]]);
    expect(change.votes.every((v) => v.support === "FOR")).to.equal(true);
    const vetoed = proposals.find((p) => p.id === env.summary.proposals.vetoed.toString())!;
    expect(vetoed.votes.find((v) => v.voter === env.summary.accounts.voters[0])?.support).to.equal("AGAINST");
  });

  it("says the guardian's pause is over", async function () {
    const g = await governance();
    expect(g.paused).to.equal(false);
    expect(g.economicParamsVersion).to.be.at.least(2);
  });
});
