import { expect } from "chai";
import { keccak256, parseEther, toUtf8Bytes } from "ethers";
import { cancelJob, createJob } from "../../../scripts/scenario";
import { MAX_AT_BLOCK_AHEAD } from "../../../gateway/src/limits/subscription-limits";
import { DEFAULT_REORG_THRESHOLD } from "../../../subgraph/indexer";
import type { GraphQLResponseJson } from "../helpers/client";
import { describeEachSource, type Environment } from "../helpers/environment";

interface FeedJob {
  id: string;
  status: string;
  specURI: string;
  provider: { address: string } | null;
  terms: {
    requirements: { gpuModel: string; region: string; minVramGiB: number; gpuCount: number; tier: number; minCompletedJobs: string; minSlashRewardBps: number };
    maxPricePerGpuHour: string;
    maxDuration: string;
    acceptDeadline: string;
    targetProvider: string;
    specHash: string;
  };
}

const FEED_JOB = `id status specURI provider { address } terms { requirements { gpuModel region minVramGiB gpuCount tier minCompletedJobs minSlashRewardBps } maxPricePerGpuHour maxDuration acceptDeadline targetProvider specHash }`;

/** The terms as IJobEscrow.JobTerms, from the gateway's answer alone. */
function toJobTerms(t: FeedJob["terms"]) {
  return {
    requirements: { ...t.requirements, minCompletedJobs: BigInt(t.requirements.minCompletedJobs) },
    maxPricePerGpuHour: BigInt(t.maxPricePerGpuHour),
    maxDuration: BigInt(t.maxDuration),
    acceptDeadline: BigInt(t.acceptDeadline),
    targetProvider: t.targetProvider,
    specHash: t.specHash,
  };
}

async function next<T>(events: AsyncIterableIterator<GraphQLResponseJson<T>>): Promise<GraphQLResponseJson<T>> {
  const result = await events.next();
  if (result.done === true) throw new Error("the subscription ended");
  return result.value;
}

/**
 * The errors a subscription is refused with: graphql-ws sends them as an error message when the operation is
 * refused before it runs (limits), or as a result with errors when its resolver refuses it (bad arguments).
 */
async function refusal(events: AsyncIterableIterator<GraphQLResponseJson<unknown>>): Promise<{ message: string; extensions?: { code?: string; limit?: string } }[]> {
  try {
    const result = await events.next();
    return result.done === true ? [] : (result.value.errors ?? []);
  } catch (error) {
    return Array.isArray(error) ? error : [];
  }
}

/** Mines the blocks that put the chain's last block deeper than both gateways' reorg threshold, and waits for them. */
async function buryLastBlock(env: Environment): Promise<void> {
  // One evm_mine at a time: the blocks hardhat_mine reserves report a zero parent hash, which the indexer takes for a reorg.
  for (let i = 0; i <= DEFAULT_REORG_THRESHOLD; i++) await env.chain.ethers.send("evm_mine", []);
  await env.waitForIndexed();
}

describeEachSource("subscriptions", (ctx) => {
  let counter = 0;
  /** A spec URI no other test uses, to recognise this test's jobs in a feed. */
  const uniqueSpec = (label: string) => `ipfs://gateway-suite/${ctx().mode}/${label}-${++counter}.json`;

  /** Subscribes and waits until the gateway holds the subscription, so that nothing posted afterwards is missed. */
  async function subscribe<T>(query: string, variables: Record<string, unknown> = {}) {
    const { env, mode, client } = ctx();
    const gateway = env.gateways[mode];
    const before = gateway.subscriberCount();
    const events = client.subscribe<T>(query, variables);
    const first = events.next();
    while (gateway.subscriberCount() <= before) await new Promise((r) => setTimeout(r, 20));
    return { events, first };
  }

  afterEach(async function () {
    const { env, mode, client } = ctx();
    await client.closeSockets();
    // The next test counts subscriptions from zero.
    while (env.gateways[mode].subscriberCount() > 0) await new Promise((r) => setTimeout(r, 20));
  });

  it("jobOpened feeds a worker the new jobs its provider may accept, with terms it can accept them with", async function () {
    const { env } = ctx();
    const wallet = env.bulk.wallets[5]!;
    const model = env.bulk.listings[5]!.gpuModel.id;
    const otherModel = model === "h100-sxm-80gb" ? "a100-sxm-80gb" : "h100-sxm-80gb";
    const { first } = await subscribe<{ jobOpened: FeedJob }>(`subscription($p: Address!) { jobOpened(requirements: { provider: $p }) { ${FEED_JOB} } }`, { p: wallet.address });
    const client = env.scenario.actors.clients[2]!;
    const notForIt = uniqueSpec("other-model");
    const forIt = uniqueSpec("any-model");
    await createJob(env.scenario, client, { gpuModel: otherModel, gpuCount: 1, specURI: notForIt, maxPricePerGpuHour: parseEther("4"), acceptWindow: 86_400 });
    const posted = await createJob(env.scenario, client, { gpuCount: 1, specURI: forIt, maxPricePerGpuHour: parseEther("4"), acceptWindow: 86_400 });
    const event = (await first).value as GraphQLResponseJson<{ jobOpened: FeedJob }>;
    const job = event.data!.jobOpened;
    expect(job.specURI, "the job for another model was not sent").to.equal(forIt);
    expect(job.id).to.equal(posted.jobId.toString());
    expect(job.status).to.equal("OPEN");
    await env.scenario.c.jobEscrow.connect(wallet).acceptJob(BigInt(job.id), wallet.address, toJobTerms(job.terms)).then((tx) => tx.wait());
    expect(Number((await env.scenario.c.jobEscrow.getJob(BigInt(job.id))).status)).to.equal(2);
  });

  it("jobOpened without requirements sends every new job", async function () {
    const { env } = ctx();
    const { first } = await subscribe<{ jobOpened: FeedJob }>(`subscription { jobOpened { ${FEED_JOB} } }`);
    const spec = uniqueSpec("anything");
    const posted = await createJob(env.scenario, env.scenario.actors.clients[3]!, { gpuModel: "mi300x-192gb", specURI: spec, acceptWindow: 86_400 });
    const job = ((await first).value as GraphQLResponseJson<{ jobOpened: FeedJob }>).data!.jobOpened;
    expect(job.id).to.equal(posted.jobId.toString());
    expect(job.specURI).to.equal(spec);
  });

  it("jobUpdated sends the job now, then its new state after each change", async function () {
    const { env } = ctx();
    const wallet = env.bulk.wallets[9]!;
    const posted = await createJob(env.scenario, env.scenario.actors.clients[4]!, {
      gpuCount: 1,
      maxPricePerGpuHour: parseEther("4"),
      targetProvider: wallet.address,
      specURI: uniqueSpec("updated"),
      acceptWindow: 86_400,
    });
    await env.waitForIndexed();
    const { events, first } = await subscribe<{ jobUpdated: FeedJob }>(`subscription($id: ID!) { jobUpdated(id: $id) { ${FEED_JOB} } }`, { id: posted.jobId.toString() });
    const now = ((await first).value as GraphQLResponseJson<{ jobUpdated: FeedJob }>).data!.jobUpdated;
    expect(now.status).to.equal("OPEN");
    expect(now.provider).to.equal(null);
    await env.scenario.c.jobEscrow.connect(wallet).acceptJob(posted.jobId, wallet.address, toJobTerms(now.terms)).then((tx) => tx.wait());
    const accepted = (await next(events)).data!.jobUpdated;
    expect(accepted.status).to.equal("ACCEPTED");
    expect(accepted.provider?.address).to.equal(wallet.address);
  });

  it("jobUpdated sends each new state with its nested fields read at that state (the timeline grows)", async function () {
    const { env } = ctx();
    const wallet = env.bulk.wallets[10]!;
    const posted = await createJob(env.scenario, env.scenario.actors.clients[4]!, {
      gpuCount: 1,
      maxPricePerGpuHour: parseEther("4"),
      targetProvider: wallet.address,
      specURI: uniqueSpec("timeline"),
      acceptWindow: 86_400,
    });
    await env.waitForIndexed();
    type Timed = FeedJob & { timeline: { kind: string }[] };
    const { events, first } = await subscribe<{ jobUpdated: Timed }>(
      `subscription($id: ID!) { jobUpdated(id: $id) { ${FEED_JOB} timeline { kind } } }`,
      { id: posted.jobId.toString() },
    );
    const kinds = (job: Timed) => job.timeline.map((e) => e.kind);
    const now = ((await first).value as GraphQLResponseJson<{ jobUpdated: Timed }>).data!.jobUpdated;
    expect(kinds(now)).to.deep.equal(["JobCreated"]);

    const escrow = env.scenario.c.jobEscrow.connect(wallet);
    await escrow.acceptJob(posted.jobId, wallet.address, toJobTerms(now.terms)).then((tx) => tx.wait());
    const accepted = (await next(events)).data!.jobUpdated;
    expect(accepted.status).to.equal("ACCEPTED");
    expect(kinds(accepted)).to.include("JobAccepted");

    await escrow.submitResult(posted.jobId, "ipfs://gateway-suite/result.tar", keccak256(toUtf8Bytes("result"))).then((tx) => tx.wait());
    const submitted = (await next(events)).data!.jobUpdated;
    expect(submitted.status).to.equal("SUBMITTED");
    expect(kinds(submitted)).to.include.members(["JobAccepted", "ResultSubmitted"]);
  });

  it("jobUpdated sends a job's final state and completes once it is deeper than the reorg threshold", async function () {
    const { env, mode } = ctx();
    const client = env.scenario.actors.clients[4]!;
    const posted = await createJob(env.scenario, client, { gpuCount: 1, specURI: uniqueSpec("final"), acceptWindow: 86_400 });
    await env.waitForIndexed();
    const { events, first } = await subscribe<{ jobUpdated: FeedJob }>(`subscription($id: ID!) { jobUpdated(id: $id) { id status } }`, { id: posted.jobId.toString() });
    expect(((await first).value as GraphQLResponseJson<{ jobUpdated: FeedJob }>).data!.jobUpdated.status).to.equal("OPEN");
    await env.scenario.c.jobEscrow.connect(client).cancelJob(posted.jobId).then((tx) => tx.wait());
    expect((await next(events)).data!.jobUpdated.status).to.equal("CANCELLED");
    expect(env.gateways[mode].subscriberCount(), "open while a reorg may undo the cancellation").to.equal(1);
    await buryLastBlock(env);
    expect((await events.next()).done).to.equal(true);
  });

  it("jobUpdated sends a job whose final status is deeper than the reorg threshold once and completes", async function () {
    const { env } = ctx();
    const client = env.scenario.actors.clients[4]!;
    const posted = await createJob(env.scenario, client, { gpuCount: 1, specURI: uniqueSpec("already-final"), acceptWindow: 86_400 });
    await env.scenario.c.jobEscrow.connect(client).cancelJob(posted.jobId).then((tx) => tx.wait());
    await buryLastBlock(env);
    // Not through subscribe(): the subscription ends as it starts, so the gateway's subscriber count never shows it.
    const events = ctx().client.subscribe<{ jobUpdated: FeedJob }>(`subscription($id: ID!) { jobUpdated(id: $id) { id status } }`, { id: posted.jobId.toString() });
    expect((await next(events)).data!.jobUpdated.status).to.equal("CANCELLED");
    expect((await events.next()).done).to.equal(true);
  });

  it("jobOpened(sinceBlock) first sends the jobs posted after that block, then the new ones", async function () {
    const { env } = ctx();
    const client = env.scenario.actors.clients[3]!;
    const since = await env.chain.blockNumber();
    const whileAway = uniqueSpec("while-away");
    await createJob(env.scenario, client, { gpuCount: 1, specURI: whileAway, acceptWindow: 86_400 });
    await env.waitForIndexed();
    const { events, first } = await subscribe<{ jobOpened: FeedJob }>(`subscription($since: Int) { jobOpened(sinceBlock: $since) { ${FEED_JOB} } }`, { since });
    expect(((await first).value as GraphQLResponseJson<{ jobOpened: FeedJob }>).data!.jobOpened.specURI).to.equal(whileAway);
    const live = uniqueSpec("live");
    await createJob(env.scenario, client, { gpuCount: 1, specURI: live, acceptWindow: 86_400 });
    expect((await next(events)).data!.jobOpened.specURI).to.equal(live);
  });

  it("refuses a negative sinceBlock", async function () {
    const errors = await refusal(ctx().client.subscribe(`subscription { jobOpened(sinceBlock: -1) { id } }`));
    expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "sinceBlock" });
  });

  it("refuses a sinceBlock more than MAX_AT_BLOCK_AHEAD blocks above the indexed head (a unix time for a block), naming the largest it takes, rather than silencing the feed until then", async function () {
    const { client } = ctx();
    const indexed = (await client.query<{ indexingStatus: { indexedBlock: number } }>(`{ indexingStatus { indexedBlock } }`)).indexingStatus.indexedBlock;
    const errors = await refusal(client.subscribe(`subscription { jobOpened(sinceBlock: 1700000000) { id } }`));
    expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "sinceBlock" });
    const extensions: Record<string, unknown> = errors[0]?.extensions ?? {};
    expect(extensions.indexedBlock).to.be.a("number").and.at.least(indexed);
    expect(extensions.maximum).to.equal(Number(extensions.indexedBlock) + MAX_AT_BLOCK_AHEAD);
    expect(errors[0]?.message).to.match(/^sinceBlock: block 1700000000 is more than 64 blocks above the indexed head \(block \d+\)/);
  });

  it("jobUpdated refuses a job that does not exist", async function () {
    const errors = await refusal(ctx().client.subscribe(`subscription { jobUpdated(id: "999999") { id } }`));
    expect(errors[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
  });

  it("refuses malformed requirements", async function () {
    const errors = await refusal(ctx().client.subscribe(`subscription { jobOpened(requirements: { provider: "0x12" }) { id } }`));
    expect(errors[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
  });

  it("refuses jobOpened for a provider that never registered, as openJobs does, rather than sending nothing forever", async function () {
    const stranger = "0x000000000000000000000000000000000000dead";
    const errors = await refusal(ctx().client.subscribe(`subscription($p: Address!) { jobOpened(requirements: { provider: $p }) { id } }`, { p: stranger }));
    expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "requirements.provider", provider: stranger });
    expect(errors[0]?.message).to.match(/^requirements\.provider: 0x0+dead is not a registered provider \(at block \d+\)$/);
  });

  it("networkStats sends statistics now, then again when the indexed head advances", async function () {
    const { env } = ctx();
    const { events, first } = await subscribe<{ networkStats: { blockNumber: number; jobs: { total: number } } }>(
      `subscription { networkStats(days: 2) { blockNumber jobs { total } } }`,
    );
    const now = ((await first).value as GraphQLResponseJson<{ networkStats: { blockNumber: number } }>).data!.networkStats;
    await env.chain.ethers.send("evm_mine", []);
    const later = (await next(events)).data!.networkStats;
    expect(later.blockNumber).to.be.greaterThan(now.blockNumber);
  });

  /** The block an event names in `extensions.block`, checked to be the chain's block at its height. */
  async function eventBlock(event: GraphQLResponseJson<unknown>): Promise<{ number: number; hash: string }> {
    const block = event.extensions?.block;
    if (block === undefined) throw new Error("the event names no block");
    expect(block.hash, `the chain's hash of block ${block.number}`).to.equal((await ctx().env.chain.ethers.getBlock(block.number))?.hash);
    return block;
  }

  it("jobOpened names in an event's extensions.block the block it read, one holding the job", async function () {
    const { env } = ctx();
    const { first } = await subscribe<{ jobOpened: { id: string; createdAtBlock: number } }>(`subscription { jobOpened { id createdAtBlock } }`);
    const posted = await createJob(env.scenario, env.scenario.actors.clients[3]!, { gpuCount: 1, specURI: uniqueSpec("block"), acceptWindow: 86_400 });
    const event = (await first).value as GraphQLResponseJson<{ jobOpened: { id: string; createdAtBlock: number } }>;
    const job = event.data!.jobOpened;
    expect(job.id).to.equal(posted.jobId.toString());
    expect((await eventBlock(event)).number).to.be.at.least(job.createdAtBlock);
  });

  it("jobUpdated names in each event's extensions.block the block it read: a later one for a later state", async function () {
    const { env } = ctx();
    const client = env.scenario.actors.clients[4]!;
    const posted = await createJob(env.scenario, client, { gpuCount: 1, specURI: uniqueSpec("updated-block"), acceptWindow: 86_400 });
    await env.waitForIndexed();
    const { events, first } = await subscribe<{ jobUpdated: { status: string } }>(`subscription($id: ID!) { jobUpdated(id: $id) { status } }`, { id: posted.jobId.toString() });
    const open = (await first).value as GraphQLResponseJson<{ jobUpdated: { status: string } }>;
    expect(open.data).to.deep.equal({ jobUpdated: { status: "OPEN" } });
    const cancelledIn = (await env.scenario.c.jobEscrow.connect(client).cancelJob(posted.jobId).then((tx) => tx.wait()))!.blockNumber;
    const cancelled = await next(events);
    expect(cancelled.data).to.deep.equal({ jobUpdated: { status: "CANCELLED" } });
    expect((await eventBlock(open)).number, "the job as it was, before its cancellation").to.be.below(cancelledIn);
    expect((await eventBlock(cancelled)).number, "the cancelled job").to.be.at.least(cancelledIn);
  });

  it("clientJobsUpdated sends each of the client's jobs as it is created and changes, and none of another client's", async function () {
    const { env, mode } = ctx();
    const [a, b] = [env.scenario.actors.clients[0]!, env.scenario.actors.clients[1]!];
    // A provider of its own in each mode: the test runs once per source on one chain, and an acceptance holds a GPU.
    const wallet = env.bulk.wallets[mode === "embedded" ? 11 : 12]!;
    const aAddress = await a.getAddress();
    type ClientJob = FeedJob & { client: string };
    const { events, first } = await subscribe<{ clientJobsUpdated: ClientJob }>(
      `subscription($c: Address!) { clientJobsUpdated(client: $c) { ${FEED_JOB} client } }`,
      { c: aAddress },
    );
    const terms = (label: string) => ({ gpuCount: 1, maxPricePerGpuHour: parseEther("4"), targetProvider: wallet.address, specURI: uniqueSpec(label), acceptWindow: 86_400 });
    const a1 = await createJob(env.scenario, a, terms("client-a1"));
    const ofB = await createJob(env.scenario, b, terms("client-b"));
    const a2 = await createJob(env.scenario, a, terms("client-a2"));
    const created = [((await first).value as GraphQLResponseJson<{ clientJobsUpdated: ClientJob }>).data!.clientJobsUpdated, (await next(events)).data!.clientJobsUpdated];
    expect(created.map((j) => [j.id, j.status, j.client])).to.deep.equal([
      [a1.jobId.toString(), "OPEN", aAddress],
      [a2.jobId.toString(), "OPEN", aAddress],
    ]);

    // B's job changes first: the next event being A's acceptance shows B's change was not sent.
    const [onA1] = created as [ClientJob, ClientJob];
    await cancelJob(env.scenario, ofB);
    const escrow = env.scenario.c.jobEscrow.connect(wallet);
    await escrow.acceptJob(a1.jobId, wallet.address, toJobTerms(onA1.terms)).then((tx) => tx.wait());
    const accepted = (await next(events)).data!.clientJobsUpdated;
    expect([accepted.id, accepted.status]).to.deep.equal([a1.jobId.toString(), "ACCEPTED"]);

    await escrow.submitResult(a1.jobId, "ipfs://gateway-suite/result.tar", keccak256(toUtf8Bytes("result"))).then((tx) => tx.wait());
    const submitted = (await next(events)).data!.clientJobsUpdated;
    expect([submitted.id, submitted.status]).to.deep.equal([a1.jobId.toString(), "SUBMITTED"]);
  });

  it("networkStats names in each event's extensions.block the block its figures read", async function () {
    const { env } = ctx();
    const { events, first } = await subscribe<{ networkStats: { blockNumber: number } }>(`subscription { networkStats(days: 2) { blockNumber } }`);
    const now = (await first).value as GraphQLResponseJson<{ networkStats: { blockNumber: number } }>;
    await env.chain.ethers.send("evm_mine", []);
    const later = await next(events);
    const named = [(await eventBlock(now)).number, (await eventBlock(later)).number];
    expect(named).to.deep.equal([now.data!.networkStats.blockNumber, later.data!.networkStats.blockNumber]);
    expect(named[1]).to.be.greaterThan(named[0]!);
  });

  it("refuses a subscription over the query limits", async function () {
    const deep = `subscription { jobOpened { provider { jobs { nodes { provider { jobs { nodes { provider { jobs { nodes { provider { jobs { nodes { id } } } } } } } } } } } } } }`;
    const errors = await refusal(ctx().client.subscribe(deep));
    expect(errors[0]?.extensions?.limit).to.equal("depth");
  });
});
