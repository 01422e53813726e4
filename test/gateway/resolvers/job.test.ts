import { expect } from "chai";
import { AbiCoder, ZeroAddress, keccak256 } from "ethers";
import type { GraphQLResolveInfo } from "graphql";
import type { GatewayContext } from "../../../gateway/src/context";
import type { JobRequirements } from "../../../gateway/src/generated/graphql";
import { jobResolvers } from "../../../gateway/src/resolvers/job";
import type { JobEntity } from "../../../gateway/src/subgraph/entities";
import { GPU_MODELS } from "../../../scripts/scenario/catalog";
import { describeEachSource, type Environment } from "../helpers/environment";

interface JobRow {
  id: string;
  status: string;
  client: string;
  provider: { address: string } | null;
  requirements: {
    gpuModel: string | null; gpuModelName: string | null; region: string | null; minVramGiB: number; gpuCount: number; tier: string; minCompletedJobs: number; minSlashRewardBps: number;
  };
  terms: {
    requirements: {
      gpuModel: string; region: string; minVramGiB: number; gpuCount: number; tier: number; minCompletedJobs: string; minSlashRewardBps: number;
    };
    maxPricePerGpuHour: string;
    maxDuration: string;
    acceptDeadline: string;
    targetProvider: string;
    specHash: string;
  };
  termsHash: string;
  specURI: string;
  directed: boolean;
  targetProvider: string | null;
  maxPricePerGpuHour: { wei: string };
  escrowed: { wei: string };
  createdAt: number;
  acceptDeadline: number;
}

const JOB_FIELDS = `
  id status client provider { address }
  requirements { gpuModel gpuModelName region minVramGiB gpuCount tier minCompletedJobs minSlashRewardBps }
  terms { requirements { gpuModel region minVramGiB gpuCount tier minCompletedJobs minSlashRewardBps } maxPricePerGpuHour maxDuration acceptDeadline targetProvider specHash }
  termsHash specURI directed targetProvider maxPricePerGpuHour { wei } escrowed { wei } createdAt acceptDeadline`;

interface JobsPage {
  jobs: { edges: { cursor: string; node: JobRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

const JOBS = `
  query Jobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {
    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { edges { cursor node { ${JOB_FIELDS} } } pageInfo { hasNextPage endCursor } }
  }`;

const TERMS_TYPE = "tuple(tuple(bytes32 gpuModel, bytes16 region, uint16 minVramGiB, uint16 gpuCount, uint8 tier, uint32 minCompletedJobs, uint16 minSlashRewardBps) requirements, uint96 maxPricePerGpuHour, uint32 maxDuration, uint64 acceptDeadline, address targetProvider, bytes32 specHash)";

function termsTuple(t: JobRow["terms"]) {
  const r = t.requirements;
  return [[r.gpuModel, r.region, r.minVramGiB, r.gpuCount, r.tier, BigInt(r.minCompletedJobs), r.minSlashRewardBps], BigInt(t.maxPricePerGpuHour), BigInt(t.maxDuration), BigInt(t.acceptDeadline), t.targetProvider, t.specHash];
}

/** acceptJob's rules, written out independently of the gateway, for a provider as the registry holds it. */
async function mayAccept(env: Environment, job: JobRow, provider: string, now: number): Promise<boolean> {
  const c = env.scenario.c;
  const record = await c.registry.getProvider(provider);
  const completed = (await c.jobEscrow.providerStats(provider)).completed;
  const cap = await c.staking.maxSlashRewardBps(provider);
  const free = await c.staking.freeStake(provider);
  const ratio = BigInt((await c.jobEscrow.getParams(await c.jobEscrow.currentParamsId())).collateralRatioBps);
  const t = job.terms;
  const zero32 = "0x" + "00".repeat(32);
  const zero16 = "0x" + "00".repeat(16);
  return (
    job.status === "OPEN" &&
    BigInt(t.acceptDeadline) >= BigInt(now) &&
    (t.requirements.gpuModel === zero32 || t.requirements.gpuModel === record.gpuModel) &&
    (t.requirements.region === zero16 || t.requirements.region === record.region) &&
    t.requirements.minVramGiB <= Number(record.vramGiB) &&
    t.requirements.gpuCount <= Number(record.gpuCount - record.gpusInUse) &&
    (t.requirements.tier === 0 || t.requirements.tier === Number(record.tier)) &&
    BigInt(t.requirements.minCompletedJobs) <= completed &&
    BigInt(t.requirements.minSlashRewardBps) <= cap &&
    BigInt(t.maxPricePerGpuHour) >= record.pricePerGpuHour &&
    (t.targetProvider === ZeroAddress || t.targetProvider.toLowerCase() === provider.toLowerCase()) &&
    (BigInt(job.escrowed.wei) * ratio + 9_999n) / 10_000n <= free
  );
}

describeEachSource("jobs", (ctx) => {
  const all = async (variables: Record<string, unknown> = {}) => (await ctx().client.query<JobsPage>(JOBS, { first: 100, ...variables })).jobs.edges.map((e) => e.node);

  it("lists every job, newest first", async function () {
    const { env } = ctx();
    const rows = await all();
    expect(rows.length).to.equal(Number(await env.scenario.c.jobEscrow.jobCount()));
    const ids = rows.map((j) => Number(j.id));
    expect(ids).to.deep.equal([...ids].sort((a, b) => b - a));
  });

  it("pages by cursor without overlaps or gaps, in each order", async function () {
    for (const orderBy of [undefined, { field: "UPDATED", direction: "ASC" }, { field: "MAX_PRICE" }, { field: "ESCROWED", direction: "ASC" }]) {
      const whole = (await all({ orderBy })).map((j) => j.id);
      const paged: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 30; guard++) {
        const page: JobsPage["jobs"] = (await ctx().client.query<JobsPage>(JOBS, { orderBy, first: 4, after })).jobs;
        paged.push(...page.edges.map((e) => e.node.id));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(paged, JSON.stringify(orderBy)).to.deep.equal(whole);
    }
  });

  it("gives each job the status its history left it in", async function () {
    const { env } = ctx();
    const rows = await all();
    const status = (id: bigint) => rows.find((j) => j.id === id.toString())?.status;
    const j = env.summary.jobs;
    expect(status(j.approved)).to.equal("COMPLETED");
    expect(status(j.cancelled)).to.equal("CANCELLED");
    expect(status(j.expired)).to.equal("EXPIRED");
    expect(status(j.declined)).to.equal("DECLINED");
    expect(status(j.timedOut)).to.equal("TIMED_OUT");
    expect(status(j.disputeUpheld)).to.equal("REFUNDED");
    expect(status(j.running)).to.equal("ACCEPTED");
    expect(status(j.submitted)).to.equal("SUBMITTED");
    expect(status(j.open)).to.equal("OPEN");
  });

  const filters: [string, (env: Environment) => Record<string, unknown>, (j: JobRow, env: Environment) => boolean][] = [
    ["statuses", () => ({ statuses: ["COMPLETED", "REFUNDED"] }), (j) => ["COMPLETED", "REFUNDED"].includes(j.status)],
    ["client", (env) => ({ client: env.summary.accounts.clients[0] }), (j, env) => j.client === env.summary.accounts.clients[0]],
    ["provider", (env) => ({ provider: env.summary.providers[0]!.address }), (j, env) => j.provider?.address === env.summary.providers[0]!.address],
    ["target provider", (env) => ({ targetProvider: env.directedAt.address }), (j, env) => j.targetProvider === env.directedAt.address],
    ["directed", () => ({ directed: true }), (j) => j.directed],
    ["GPU models", () => ({ gpuModels: ["h100-sxm-80gb"] }), (j) => j.requirements.gpuModel === "h100-sxm-80gb"],
    ["regions", () => ({ regions: ["us-west"] }), (j) => j.requirements.region === "us-west"],
    ["tier", () => ({ tier: "CONSUMER" }), (j) => j.requirements.tier === "CONSUMER"],
    ["minimum GPU count", () => ({ minGpuCount: 4 }), (j) => j.requirements.gpuCount >= 4],
    ["maximum GPU count", () => ({ maxGpuCount: 2 }), (j) => j.requirements.gpuCount <= 2],
  ];
  for (const [name, filter, holds] of filters) {
    it(`filters by ${name}`, async function () {
      const { env } = ctx();
      const everyone = await all();
      const filtered = await all({ filter: filter(env) });
      expect(filtered.length, "keeps some").to.be.greaterThan(0);
      expect(filtered.length, "drops some").to.be.lessThan(everyone.length);
      expect(filtered.map((j) => j.id)).to.deep.equal(everyone.filter((j) => holds(j, env)).map((j) => j.id));
    });
  }

  it("filters by creation time", async function () {
    const everyone = await all();
    const middle = everyone[Math.floor(everyone.length / 2)]!.createdAt;
    const after = await all({ filter: { createdAfter: middle } });
    const before = await all({ filter: { createdBefore: middle } });
    expect(after.map((j) => j.id)).to.deep.equal(everyone.filter((j) => j.createdAt > middle).map((j) => j.id));
    expect(before.map((j) => j.id)).to.deep.equal(everyone.filter((j) => j.createdAt < middle).map((j) => j.id));
  });

  it("gives the terms exactly as JobEscrow hashed them", async function () {
    for (const job of await all()) {
      const encoded = AbiCoder.defaultAbiCoder().encode([TERMS_TYPE], [termsTuple(job.terms)]);
      expect(keccak256(encoded), `job ${job.id}`).to.equal(job.termsHash);
    }
  });

  it("reads requirements both as bytes and as readable ids", async function () {
    const { env } = ctx();
    const rows = await all();
    const rtx = rows.find((j) => j.id === env.jobs.rtx4090.jobId.toString())!;
    expect(rtx.requirements.gpuModel).to.equal("rtx-4090-24gb");
    expect(rtx.requirements.tier).to.equal("CONSUMER");
    expect(rtx.terms.requirements.gpuModel).to.equal(env.jobs.rtx4090.terms.requirements.gpuModel);
    const any = rows.find((j) => j.id === env.jobs.anyGpu.jobId.toString())!;
    expect(any.requirements.gpuModel).to.equal(null);
    expect(any.requirements.region).to.equal(null);
  });

  it("names a job's GPU model as its providers registered it, and none for any model", async function () {
    const { env } = ctx();
    const rows = await all();
    const rtx = rows.find((j) => j.id === env.jobs.rtx4090.jobId.toString())!;
    expect(rtx.requirements.gpuModelName).to.equal(GPU_MODELS.find((m) => m.id === "rtx-4090-24gb")!.name);
    const any = rows.find((j) => j.id === env.jobs.anyGpu.jobId.toString())!;
    expect(any.requirements.gpuModelName).to.equal(null);
  });
});

describe("a job's requirements", function () {
  const requirements = jobResolvers.Job!.requirements as (j: JobEntity, args: unknown, ctx: GatewayContext, info: GraphQLResolveInfo) => JobRequirements;
  const job = (gpuModel: JobEntity["gpuModel"]) =>
    ({ gpuModel, gpuModelKey: "b200-192gb", regionKey: "*", tier: "Any", minCompletedJobs: "0" }) as JobEntity;

  it("names no GPU model that no provider has registered: the subgraph made its entity with an empty name", function () {
    const r = requirements(job({ name: "" }), {}, {} as GatewayContext, {} as GraphQLResolveInfo);
    expect([r.gpuModel, r.gpuModelName]).to.deep.equal(["b200-192gb", null]);
  });
});

describeEachSource("job(id)", (ctx) => {
  const JOB = `
    query Job($id: ID!) {
      job(id: $id) {
        ${JOB_FIELDS}
        pricePerGpuHour { wei } collateral { wei } paramsVersion resultDeadline challengeDeadline
        result { uri hash cost { wei } billedSeconds }
        settlement { reason amountPaid { wei } fee { wei } providerAmount { wei } refund { wei } countsForTrackRecord }
        dispute { deposit { wei } answered ruling resolved slashed { wei } }
        timeline { kind blockNumber logIndex from amount { wei } }
        live { blockNumber status escrowBalance { wei } collateralLocked { wei } deadline provider }
      }
    }`;
  type JobDetail = JobRow & {
    settlement: {
      reason: string | null;
      amountPaid: { wei: string };
      fee: { wei: string } | null;
      providerAmount: { wei: string } | null;
      refund: { wei: string };
      countsForTrackRecord: boolean | null;
    } | null;
    result: { cost: { wei: string }; billedSeconds: number } | null;
    dispute: { ruling: string; resolved: boolean; answered: boolean } | null;
    timeline: { kind: string; blockNumber: number; logIndex: number }[];
    live: { blockNumber: number; status: string; escrowBalance: { wei: string }; collateralLocked: { wei: string }; deadline: number; provider: string | null };
    challengeDeadline: number | null;
  };
  const job = async (id: bigint | string) => (await ctx().client.query<{ job: JobDetail | null }>(JOB, { id: id.toString() })).job;

  it("settles a completed job into its cost, fee, provider share and refund", async function () {
    const { env } = ctx();
    const j = (await job(env.summary.jobs.approved))!;
    expect(j.settlement?.reason).to.equal("APPROVED");
    const cost = BigInt(j.result!.cost.wei);
    expect(BigInt(j.settlement!.amountPaid.wei)).to.equal(cost);
    expect(BigInt(j.settlement!.fee!.wei) + BigInt(j.settlement!.providerAmount!.wei)).to.equal(cost);
    expect(BigInt(j.settlement!.refund.wei)).to.equal(BigInt(j.escrowed.wei) - cost);
  });

  it("says whether a settlement counted in the provider's track record: its cost against its params' minTrackRecordCost", async function () {
    const { env } = ctx();
    const c = env.scenario.c;
    const counted: (boolean | null)[] = [];
    for (const id of [env.summary.jobs.approved, env.summary.jobs.disputeDraw]) {
      const j = (await job(id))!;
      const threshold = (await c.jobEscrow.getParams((await c.jobEscrow.getJob(id)).paramsId)).minTrackRecordCost;
      expect(j.settlement!.countsForTrackRecord, String(id)).to.equal(BigInt(j.result!.cost.wei) >= threshold);
      counted.push(j.settlement!.countsForTrackRecord);
    }
    // The scenario's approved job is under the default threshold and its drawn one above it.
    expect(counted).to.deep.equal([false, true]);
  });

  it("tells the job's story in order, from creation to settlement", async function () {
    const { env } = ctx();
    const j = (await job(env.summary.jobs.disputeUpheld))!;
    const kinds = j.timeline.map((e) => e.kind);
    expect(kinds[0]).to.equal("JobCreated");
    for (const kind of ["JobAccepted", "ResultSubmitted", "DisputeOpened", "DisputeAnswered", "DisputeResolved", "Slashed", "JobRefunded"]) {
      expect(kinds, kind).to.include(kind);
    }
    const order = j.timeline.map((e) => e.blockNumber * 10_000 + e.logIndex);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    expect(j.dispute?.ruling).to.equal("UPHELD");
    expect(j.dispute?.answered).to.equal(true);
  });

  it("gives a submitted job its challenge deadline", async function () {
    const { env } = ctx();
    const j = (await job(env.summary.jobs.submitted))!;
    expect(j.status).to.equal("SUBMITTED");
    expect(j.challengeDeadline).to.be.a("number");
    expect(j.challengeDeadline!).to.be.greaterThan(j.createdAt);
  });

  it("reads the live state from the chain", async function () {
    const { env } = ctx();
    const running = (await job(env.summary.jobs.running))!;
    const onChain = await env.scenario.c.jobEscrow.getJob(env.summary.jobs.running);
    expect(running.live.status).to.equal("ACCEPTED");
    expect(BigInt(running.live.escrowBalance.wei)).to.equal(onChain.escrowed);
    expect(running.live.deadline).to.equal(Number(onChain.deadline));
    expect(running.live.provider).to.equal(running.provider!.address);
    const [, collateral] = await env.scenario.c.staking.jobCollateral(env.summary.jobs.running);
    expect(BigInt(running.live.collateralLocked.wei)).to.equal(collateral);
    const done = (await job(env.summary.jobs.approved))!;
    expect(done.live.status).to.equal("COMPLETED");
    expect(done.live.escrowBalance.wei).to.equal("0");
  });

  it("answers null for a job that does not exist", async function () {
    expect(await job("999999")).to.equal(null);
  });

  it("refuses an id that is not a job id", async function () {
    for (const id of ["abc", "0", "-1", "1.5"]) {
      const errors = await ctx().client.errors(JOB, { id });
      expect(errors[0]?.extensions?.code, id).to.equal("BAD_USER_INPUT");
    }
  });
});

describeEachSource("openJobs(provider)", (ctx) => {
  const OPEN_JOBS = `
    query OpenJobs($provider: Address!, $first: Int, $after: String) {
      openJobs(provider: $provider, first: $first, after: $after) { edges { cursor node { ${JOB_FIELDS} } } pageInfo { hasNextPage endCursor } }
    }`;
  const openJobs = async (provider: string) =>
    (await ctx().client.query<{ openJobs: JobsPage["jobs"] }>(OPEN_JOBS, { provider, first: 100 })).openJobs.edges.map((e) => e.node);

  /** The open jobs a provider may accept, by the rules written out in this test. */
  const expected = async (provider: string) => {
    const { env, client } = ctx();
    const open = (await client.query<JobsPage>(JOBS, { filter: { statuses: ["OPEN"] }, first: 100, orderBy: { field: "CREATED", direction: "ASC" } })).jobs.edges.map((e) => e.node);
    const block = await env.chain.ethers.getBlock("latest");
    const now = block!.timestamp;
    const out: string[] = [];
    for (const job of open) if (await mayAccept(env, job, provider, now)) out.push(job.id);
    return out;
  };

  it("lists the open jobs a provider may accept, and only those", async function () {
    const { env } = ctx();
    const candidates = [env.bulk.wallets[0]!.address, env.bulk.wallets[7]!.address, env.directedAt.address, env.ties.wallets[0]!.address];
    let seen = 0;
    for (const provider of candidates) {
      const ids = (await openJobs(provider)).map((j) => j.id);
      expect(ids, provider).to.deep.equal(await expected(provider));
      seen += ids.length;
    }
    expect(seen, "some provider may accept some job").to.be.greaterThan(0);
  });

  it("includes a job directed at the provider, and no other provider sees it", async function () {
    const { env } = ctx();
    const directed = env.jobs.directed.jobId.toString();
    expect((await openJobs(env.directedAt.address)).map((j) => j.id)).to.include(directed);
    expect((await openJobs(env.bulk.wallets[0]!.address)).map((j) => j.id)).to.not.include(directed);
  });

  it("never offers a job nobody can afford", async function () {
    const { env } = ctx();
    const unpayable = env.jobs.unpayable.jobId.toString();
    for (const w of [...env.bulk.wallets.slice(0, 10), ...env.ties.wallets.slice(0, 2)]) {
      expect((await openJobs(w.address)).map((j) => j.id)).to.not.include(unpayable);
    }
  });

  it("is empty for a provider that is not active", async function () {
    const { env } = ctx();
    const departed = env.summary.providers.find((p) => !p.registered)!.address;
    expect(await openJobs(departed)).to.deep.equal([]);
  });

  it("refuses an address that never registered with BAD_USER_INPUT naming it", async function () {
    const stranger = "0x00000000000000000000000000000000000000ab";
    const errors = await ctx().client.errors(OPEN_JOBS, { provider: stranger, first: 10 });
    expect(errors[0]?.extensions).to.include({ code: "BAD_USER_INPUT", argument: "provider", provider: stranger });
    expect(errors[0]?.message).to.match(/^provider: 0x0+ab is not a registered provider/);
  });
});
