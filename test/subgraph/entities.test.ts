// The proof that the subgraph and the contracts agree (issues #4 and #5): the full scenario (every event of every
// contract) is indexed by the embedded indexer over HTTP JSON-RPC, then every entity is compared, field by field,
// with what the contracts' view functions return at the same block; and, through time travel, at earlier blocks of
// the scenario. `npm test` builds subgraph/build first.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { Kind, parse, type ObjectTypeDefinitionNode } from "graphql";
import { EVENTS_NEVER_EMITTED, collectEvents } from "../../scripts/scenario";
import { gql } from "./indexer/helpers/dump";
import { readChainState, readLandmarks, type ChainState, type Landmarks } from "./helpers/chain-state";
import { Mismatches } from "./helpers/compare";
import {
  checkAccounts,
  checkActive,
  checkAggregates,
  checkDailyRollups,
  checkDailySnapshots,
  checkEventFeed,
  checkDisputes,
  checkEconomicParams,
  checkEverything,
  checkJobs,
  checkParameters,
  checkProposals,
  checkProtocol,
  checkProviders,
  checkSlashes,
  checkThawRequests,
  checkTokenRecoveries,
  checkTimelock,
  checkTimedOutEvents,
  pluralNames,
  reputationScore,
  type CheckContext,
} from "./helpers/entity-checks";
import { indexFullScenario, type IndexedScenario } from "./helpers/indexed-scenario";

const SCHEMA = path.resolve(__dirname, "..", "..", "subgraph", "schema.graphql");

/** Entity types the scenario cannot fill: they record events Latent never emits (see EVENTS_NEVER_EMITTED). */
const NEVER_EMITTED_ENTITIES: Record<string, string> = {
  RoleRevokedEvent: "LatentTimelock.RoleRevoked",
  RoleAdminChangedEvent: "LatentTimelock.RoleAdminChanged",
};

describe("subgraph entities equal the contracts' views (full scenario, embedded indexer)", function () {
  this.timeout(180_000);
  let x: IndexedScenario;
  let lm: Landmarks;
  let head: ChainState;

  /** Chain state at `block`, reading balances and votes of every Account the indexer holds then too. */
  async function stateAt(block: number, at?: number): Promise<ChainState> {
    const data = await gql<{ accounts: { id: string }[] }>(
      x.engine,
      `query($block: Block_height) { accounts(first: 1000, block: $block) { id } }`,
      { block: at === undefined ? undefined : { number: at } },
    );
    return readChainState(x.s, x.summary, x.chain.accounts, lm, block, { extraAccounts: data.accounts.map((a) => a.id) });
  }

  const atHead = (): CheckContext => ({ s: x.s, engine: x.engine, st: head });

  before(async function () {
    x = await indexFullScenario();
    lm = await readLandmarks(x.s, x.head);
    head = await stateAt(x.head);
  });

  after(async function () {
    await x?.close();
  });

  it("indexes the whole scenario without indexing errors", async function () {
    const data = await gql<{ _meta: { block: { number: number; hash: string }; hasIndexingErrors: boolean } }>(
      x.engine,
      `{ _meta { block { number hash } hasIndexingErrors } }`,
    );
    expect(data._meta.hasIndexingErrors).to.equal(false);
    expect(data._meta.block.number).to.equal(x.head);
    expect(data._meta.block.hash).to.equal((await x.s.rpc.getBlock(x.head))!.hash);
    expect(x.logs.map((l) => `${l.level}: ${l.message}`)).to.deep.equal([]);
  });

  it("every Provider equals ProviderRegistry.getProvider, Staking.getStake/freeStake and JobEscrow.providerStats", async function () {
    const m = new Mismatches("Provider");
    await checkProviders(atHead(), m);
    m.assertNone(6 * 30);
    // The scenario leaves a deregistered provider (listing kept for history, counts zeroed) next to live ones.
    expect([...head.providers.values()].map((p) => p.registered).sort()).to.deep.equal([false, true, true, true, true, true]);
  });

  it("a provider is active by its entity (registered, online, stakePerGpu >= minStakePerGpu) exactly when ProviderRegistry.isActive", async function () {
    const m = new Mismatches("active providers");
    const { active, inactive } = await checkActive(atHead(), m);
    m.assertNone();
    // Both answers occur, so the comparison can tell them apart.
    expect(active).to.be.greaterThan(0);
    expect(inactive).to.be.greaterThan(0);
  });

  it("every Job equals JobEscrow.getJob, and its indexed terms hash (JobEscrow.hashTerms) to the stored termsHash", async function () {
    const m = new Mismatches("Job");
    await checkJobs(atHead(), m);
    m.assertNone(14 * 30);
    // Every status a job can end in, and the three live ones, are compared.
    expect(new Set(head.jobs.map((j) => j.status))).to.deep.equal(
      new Set(["Open", "Accepted", "Submitted", "Completed", "Cancelled", "Expired", "Declined", "TimedOut", "Refunded"]),
    );
  });

  it("every JobTimedOutEvent names who gave its job back (the provider's operator here), and none for a deadline that passed", async function () {
    const m = new Mismatches("JobTimedOutEvent");
    await checkTimedOutEvents(atHead(), m);
    m.assertNone(3);
    // Both endings are compared: a job given back and one whose deadline passed.
    const timedOut = head.jobs.filter((j) => j.status === "TimedOut");
    expect(timedOut.filter((j) => j.abandonedBy !== null)).to.have.length(1);
    expect(timedOut.filter((j) => j.abandonedBy === null)).to.have.length(1);
  });

  it("Protocol equals the contracts' counters, totals, token balances and every current parameter", async function () {
    const m = new Mismatches("Protocol");
    await checkProtocol(atHead(), m);
    m.assertNone(65);
  });

  it("GpuModel and Region inventories equal sums over the providers' registry views", async function () {
    const m = new Mismatches("GpuModel/Region");
    await checkAggregates(atHead(), m);
    m.assertNone(20);
  });

  it("ThawRequests equal Staking.getThawRequest and thawRequestRange", async function () {
    const m = new Mismatches("ThawRequest");
    await checkThawRequests(atHead(), m);
    m.assertNone(2);
  });

  it("Disputes equal DisputeManager.getDispute (ruling, deposit, deadlines) and the slash measured on the stake", async function () {
    const m = new Mismatches("Dispute");
    await checkDisputes(atHead(), m);
    m.assertNone(4 * 12);
    expect(new Set(head.jobs.flatMap((j) => (j.dispute === null ? [] : [j.dispute.ruling])))).to.deep.equal(
      new Set(["Upheld", "Rejected", "Draw", "Expired"]),
    );
  });

  it("TokenRecoveries equal what the contract's and the recipient's balances moved, and leave the deposits held", async function () {
    const m = new Mismatches("TokenRecovery");
    await checkTokenRecoveries(atHead(), m);
    m.assertNone(12);
    // LIP-1's three recoveries (the DisputeManager's stray LAT, the STRAY sent to the JobEscrow and to Staking) each
    // took all there was of the token to recover, and no deposit.
    expect(head.recoveries.map((r) => r.recoverableAfter)).to.deep.equal([0n, 0n, 0n]);
  });

  it("Slashes equal the stake each slashing transaction took", async function () {
    const m = new Mismatches("Slash");
    await checkSlashes(atHead(), m);
    m.assertNone(2 * 8);
  });

  it("a Completed job counts in Provider.jobsCompleted and reputationScore only if it cost at least its params' minTrackRecordCost", async function () {
    const data = await gql<{
      jobs: { status: string; cost: string | null; countsForTrackRecord: boolean | null; provider: { id: string } | null; params: { minTrackRecordCost: string } | null }[];
      providers: { id: string; jobsCompleted: number; reputationScore: number }[];
    }>(
      x.engine,
      `{ jobs(first: 1000) { status cost countsForTrackRecord provider { id } params { minTrackRecordCost } }
         providers(first: 1000) { id jobsCompleted reputationScore } }`,
    );
    const completed = data.jobs.filter((j) => j.status === "Completed");
    for (const j of completed) expect(j.countsForTrackRecord).to.equal(BigInt(j.cost!) >= BigInt(j.params!.minTrackRecordCost));
    // The scenario settles jobs on both sides of the threshold, so the rule is exercised both ways.
    expect(new Set(completed.map((j) => j.countsForTrackRecord))).to.deep.equal(new Set([true, false]));
    for (const p of data.providers) {
      const counted = completed.filter((j) => j.provider?.id === p.id && j.countsForTrackRecord === true).length;
      const stats = head.providers.get(p.id)!;
      expect([p.jobsCompleted, counted], p.id).to.deep.equal([stats.completed, stats.completed]);
      expect(p.reputationScore, p.id).to.equal(reputationScore(stats.completed, stats.timedOut, stats.disputesLost));
    }
  });

  it("every EconomicParams version equals JobEscrow.getParams, and every Parameter its getter", async function () {
    const m = new Mismatches("EconomicParams/Parameter");
    await checkEconomicParams(atHead(), m);
    await checkParameters(atHead(), m);
    m.assertNone(22 * 5);
    // Governance changed the fee: there is more than one version to compare.
    expect(head.currentParamsId).to.be.greaterThan(1);
  });

  it("every Account's balance, votes and delegate equal LatentToken.balanceOf, getVotes and delegates", async function () {
    const m = new Mismatches("Account");
    await checkAccounts(atHead(), m);
    m.assertNone(20);
  });

  it("every Proposal's state and tallies equal LatentGovernor.state and proposalVotes; every Vote its weight", async function () {
    const m = new Mismatches("Proposal");
    const states = await checkProposals(atHead(), m);
    m.assertNone(4 * 10);
    expect(new Set(states)).to.deep.equal(new Set(["Executed", "Canceled"]));
  });

  it("TimelockOperations and TimelockRoles equal the timelock's operation state and hasRole", async function () {
    const m = new Mismatches("Timelock");
    await checkTimelock(atHead(), m);
    m.assertNone(5);
  });

  it("the latest NetworkDay and ProviderDay snapshots equal the chain now", async function () {
    const m = new Mismatches("daily snapshots");
    await checkDailySnapshots(atHead(), m);
    m.assertNone(8 + 6 * 5);
  });

  it("NetworkDay and ProviderDay counters, summed over all days, equal the chain's totals", async function () {
    const m = new Mismatches("daily rollups");
    await checkDailyRollups(atHead(), m);
    m.assertNone(18 + 6 * 8);
  });

  it("the activity feed holds one entity per contract log (same transaction and log index), and no other", async function () {
    const record = x.s.deployment.record;
    const logs = await collectEvents(x.s.rpc, record, x.s.c, lm.firstBlock, x.head);
    expect(logs.length).to.be.greaterThan(250);
    const m = new Mismatches("activity feed");
    await checkEventFeed(atHead(), m, fs.readFileSync(SCHEMA, "utf8"), logs);
    m.assertNone(40);
  });

  describe("time travel: a query at an earlier block returns that block's state", function () {
    // Each point is found from the scenario's logs; `expectAt` proves the chain really differs there from now.
    const points: { name: string; block: () => number; expectAt: (st: ChainState) => void }[] = [
      {
        name: "right after the first provider registered",
        block: () => lm.registered[0]!.block,
        expectAt: (st) => {
          expect(st.providers.size).to.equal(1);
          expect(st.jobCount).to.equal(0);
        },
      },
      {
        name: "just before the first job (all providers listed, staked and online)",
        block: () => lm.jobCreated[0]! - 1,
        expectAt: (st) => {
          expect(st.jobCount).to.equal(0);
          expect([...st.providers.values()].filter((p) => p.isActive)).to.have.length(6);
        },
      },
      {
        name: "when the first job was accepted (GPUs reserved, collateral locked)",
        block: () => lm.jobAccepted[0]!,
        expectAt: (st) => {
          expect([...st.providers.values()].some((p) => p.gpusInUse > 0 && p.locked > 0n)).to.equal(true);
        },
      },
      {
        name: "while a thaw request was pending",
        block: () => lm.thawRequested[0]!,
        expectAt: (st) => {
          expect([...st.providers.values()].some((p) => p.thawRequests.some((r) => r.pending))).to.equal(true);
        },
      },
      {
        name: "during the guardian's pause",
        block: () => lm.paused[0]!,
        expectAt: (st) => {
          expect(st.pausedUntil > BigInt(st.timestamp)).to.equal(true);
        },
      },
      {
        name: "while the proposals were being voted on",
        block: () => lm.voteCast[0]!,
        expectAt: (st) => {
          expect([...st.proposals.values()].map((p) => p.state)).to.include("Active");
        },
      },
      {
        name: "when the first proposal was queued",
        block: () => lm.proposalQueued[0]!,
        expectAt: (st) => {
          expect([...st.proposals.values()].map((p) => p.state)).to.include("Queued");
        },
      },
    ];

    for (const point of points) {
      it(`${point.name}: every entity equals the views at that block`, async function () {
        const block = point.block();
        expect(block).to.be.below(x.head);
        const st = await stateAt(block, block);
        point.expectAt(st);
        const meta = await gql<{ _meta: { block: { number: number } } }>(x.engine, `query($n: Int!) { _meta(block: { number: $n }) { block { number } } }`, { n: block });
        expect(meta._meta.block.number).to.equal(block);
        const m = new Mismatches(`at block ${block}`);
        await checkEverything({ s: x.s, engine: x.engine, st, at: block }, m);
        m.assertNone(50);
      });
    }
  });

  it("every entity type of the schema has rows (all events handled for real), except those of events Latent never emits", async function () {
    const never = new Set(EVENTS_NEVER_EMITTED.map((e) => `${e.contract}.${e.name}`));
    for (const event of Object.values(NEVER_EMITTED_ENTITIES)) expect(never.has(event), `${event} is documented as never emitted`).to.equal(true);

    const doc = parse(fs.readFileSync(SCHEMA, "utf8"));
    const entities = doc.definitions
      .filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION)
      .filter((d) => d.directives?.some((dir) => dir.name.value === "entity"))
      .map((d) => d.name.value);
    expect(entities.length).to.be.greaterThan(40);

    const pluralOf = await pluralNames(x.engine);
    const empty: string[] = [];
    for (const entity of entities) {
      const plural = pluralOf.get(entity);
      expect(plural, `no plural query field for ${entity}`).to.be.a("string");
      const data = await gql<Record<string, { id: string }[]>>(x.engine, `{ rows: ${plural}(first: 1) { id } }`);
      if (data.rows!.length === 0) empty.push(entity);
    }
    expect(empty.sort()).to.deep.equal(Object.keys(NEVER_EMITTED_ENTITIES).sort());
  });
});
