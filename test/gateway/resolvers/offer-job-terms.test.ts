// ComputeOffer.jobTerms: JobEscrow.createJob's terms for a job an offer can take, built from the offer and the
// availableCompute requirements it was found for. Each test proves the terms by sending them unchanged: approve the
// escrow, createJob, then compare the emitted and indexed job with them, and simulate the offer's provider
// accepting the job (an eth_call: the shared chain's providers keep their GPUs free).
import { expect } from "chai";
import { ZeroAddress, keccak256, toUtf8Bytes, type Signer } from "ethers";
import { GraphQLError, type GraphQLResolveInfo } from "graphql";
import type { GatewayContext } from "../../../gateway/src/context";
import type { ComputeOfferJobTermsArgs, JobTerms } from "../../../gateway/src/generated/graphql";
import type { OfferModel } from "../../../gateway/src/model/models";
import { computeCost } from "../../../gateway/src/model/money";
import { offerResolvers } from "../../../gateway/src/resolvers/offer";
import { mined } from "../../../scripts/scenario";
import { JOB_LIMITS } from "../../../gateway/src/model/job-limits";
import { describeEachSource, type Environment } from "../helpers/environment";

interface Terms {
  requirements: {
    gpuModel: string;
    region: string;
    minVramGiB: number;
    gpuCount: number;
    tier: number;
    minCompletedJobs: string;
    minSlashRewardBps: number;
  };
  maxPricePerGpuHour: string;
  maxDuration: string;
  acceptDeadline: string;
  targetProvider: string;
  specHash: string;
}

interface Offer {
  gpuModel: string;
  region: string;
  pricePerGpuHour: { wei: string };
  quote: { durationSeconds: number; cost: { wei: string }; collateralAvailable: boolean };
  provider: { address: string };
  jobTerms: { terms: Terms; escrow: { wei: string } };
}

const TERMS = `requirements { gpuModel region minVramGiB gpuCount tier minCompletedJobs minSlashRewardBps }
  maxPricePerGpuHour maxDuration acceptDeadline targetProvider specHash`;

const OFFERS = `
  query Offers($requirements: ComputeRequirements!, $within: Int!, $specHash: Bytes!, $directed: Boolean) {
    availableCompute(requirements: $requirements, first: 100) {
      nodes {
        gpuModel region pricePerGpuHour { wei } provider { address }
        quote { durationSeconds cost { wei } collateralAvailable }
        jobTerms(acceptWithinSeconds: $within, specHash: $specHash, directed: $directed) { terms { ${TERMS} } escrow { wei } }
      }
      pageInfo { blockNumber }
    }
  }`;

const JOB = `query Job($id: ID!) { job(id: $id) { status escrowed { wei } specURI terms { ${TERMS} } } }`;

const SPEC_URI = "ipfs://bafy-offer-job-terms/spec.json";
const SPEC_HASH = keccak256(toUtf8Bytes("offer-job-terms workload"));
const WITHIN = 3600;

/** The ASCII of `id` left-aligned in a `bytes`-byte word. */
const word = (id: string, bytes: number) => `0x${Buffer.from(id, "ascii").toString("hex").padEnd(bytes * 2, "0")}`;

function providerSigner(env: Environment, address: string): Signer {
  const wallet = [...env.bulk.wallets, ...env.ties.wallets].find((w) => w.address.toLowerCase() === address.toLowerCase());
  if (wallet === undefined) throw new Error(`no wallet for provider ${address}`);
  return wallet.connect(env.scenario.rpc);
}

describeEachSource("ComputeOffer.jobTerms", (ctx) => {
  async function draft(requirements: Record<string, unknown>, directed: boolean) {
    const { env, client } = ctx();
    const bulk = new Set([...env.bulk.wallets, ...env.ties.wallets].map((w) => w.address.toLowerCase()));
    const page = (
      await client.query<{ availableCompute: { nodes: Offer[]; pageInfo: { blockNumber: number } } }>(OFFERS, {
        requirements,
        within: WITHIN,
        specHash: SPEC_HASH,
        directed,
      })
    ).availableCompute;
    const offer = page.nodes.find((o) => o.quote.collateralAvailable && bulk.has(o.provider.address.toLowerCase()));
    expect(offer, "a bulk provider offers it with its collateral free").to.not.equal(undefined);
    const block = await env.scenario.rpc.getBlock(page.pageInfo.blockNumber);
    return { offer: offer!, blockTime: block!.timestamp };
  }

  /** approve + createJob with the terms as the gateway gave them; the job's id, once indexed. */
  async function post(offer: Offer): Promise<{ jobId: bigint; paid: bigint; emitted: bigint }> {
    const { env } = ctx();
    const who = env.scenario.actors.clients[3]!;
    const escrow = env.scenario.c.jobEscrow.connect(who);
    const before = await env.scenario.c.token.balanceOf(await who.getAddress());
    await mined(env.scenario.c.token.connect(who).approve(await escrow.getAddress(), offer.jobTerms.escrow.wei));
    const receipt = await mined(escrow.createJob(offer.jobTerms.terms, SPEC_URI));
    const created = receipt.logs.map((log) => env.scenario.c.jobEscrow.interface.parseLog(log)).find((e) => e?.name === "JobCreated");
    expect(created, "JobCreated emitted").to.not.equal(undefined);
    const jobId = created!.args.getValue("jobId") as bigint;
    const emitted = created!.args.getValue("escrowed") as bigint;
    const paid = before - (await env.scenario.c.token.balanceOf(await who.getAddress()));
    await env.waitForIndexed();
    return { jobId, paid, emitted };
  }

  async function indexed(jobId: bigint) {
    return (await ctx().client.query<{ job: { status: string; escrowed: { wei: string }; specURI: string; terms: Terms } }>(JOB, { id: String(jobId) }))
      .job;
  }

  it("gives an open job's terms that createJob takes: the requirements asked (the offer's model among those listed, any region when none was), the offer's price, the quote's seconds, the deadline after the page's block time, and the quote's cost as escrow", async function () {
    const requirements = {
      gpuModels: ["h100-sxm-80gb", "a100-sxm-80gb", "rtx-4090-24gb"],
      gpuCount: 2,
      hours: 1.5,
      minVramGiB: 20,
      minCompletedJobs: 0,
      minSlashRewardBps: 0,
    };
    const { offer, blockTime } = await draft(requirements, false);
    const expected: Terms = {
      requirements: {
        gpuModel: word(offer.gpuModel, 32),
        region: `0x${"00".repeat(16)}`,
        minVramGiB: 20,
        gpuCount: 2,
        tier: 0,
        minCompletedJobs: "0",
        minSlashRewardBps: 0,
      },
      maxPricePerGpuHour: offer.pricePerGpuHour.wei,
      maxDuration: String(1.5 * 3600),
      acceptDeadline: String(blockTime + WITHIN),
      targetProvider: ZeroAddress,
      specHash: SPEC_HASH,
    };
    expect(offer.jobTerms.terms).to.deep.equal(expected);
    expect(offer.jobTerms.escrow.wei).to.equal(offer.quote.cost.wei);

    const { jobId, paid, emitted } = await post(offer);
    expect(String(paid), "createJob pulled the escrow").to.equal(offer.jobTerms.escrow.wei);
    expect(String(emitted)).to.equal(offer.jobTerms.escrow.wei);
    const job = await indexed(jobId);
    expect(job).to.deep.equal({ status: "OPEN", escrowed: offer.jobTerms.escrow, specURI: SPEC_URI, terms: expected });
    const { env } = ctx();
    await env.scenario.c.jobEscrow
      .connect(providerSigner(env, offer.provider.address))
      .acceptJob.staticCall(jobId, offer.provider.address, offer.jobTerms.terms);
  });

  it("gives a directed job's terms (targetProvider: the offer's provider) with the offer's region among those listed, any model when none was, the tier and the least slash reward asked", async function () {
    const requirements = { regions: ["eu-west", "us-east", "us-west", "ap-southeast"], tier: "CONSUMER", minSlashRewardBps: 1, hours: 2 };
    const { offer, blockTime } = await draft(requirements, true);
    const expected: Terms = {
      requirements: {
        gpuModel: `0x${"00".repeat(32)}`,
        region: word(offer.region, 16),
        minVramGiB: 0,
        gpuCount: 1,
        tier: 2,
        minCompletedJobs: "0",
        minSlashRewardBps: 1,
      },
      maxPricePerGpuHour: offer.pricePerGpuHour.wei,
      maxDuration: "7200",
      acceptDeadline: String(blockTime + WITHIN),
      targetProvider: offer.provider.address,
      specHash: SPEC_HASH,
    };
    expect(offer.jobTerms.terms).to.deep.equal(expected);

    const { jobId, paid } = await post(offer);
    expect(String(paid)).to.equal(offer.jobTerms.escrow.wei);
    expect((await indexed(jobId)).terms).to.deep.equal(expected);
    const { env } = ctx();
    await env.scenario.c.jobEscrow
      .connect(providerSigner(env, offer.provider.address))
      .acceptJob.staticCall(jobId, offer.provider.address, offer.jobTerms.terms);
  });

  const ONE_OFFER = `
    query Offer($within: Int!, $specHash: Bytes!) {
      availableCompute(requirements: {}, first: 1) { nodes { jobTerms(acceptWithinSeconds: $within, specHash: $specHash) { escrow { wei } } } }
    }`;

  it("refuses acceptWithinSeconds outside 1 to MAX_ACCEPT_WINDOW with BAD_USER_INPUT naming the argument and the bounds", async function () {
    const max = JOB_LIMITS.maxAcceptWindowSeconds;
    for (const within of [0, -5, max + 1]) {
      const errors = await ctx().client.errors(ONE_OFFER, { within, specHash: SPEC_HASH });
      expect(errors.map((e) => [e.message, e.extensions?.code, e.extensions?.argument]), String(within)).to.deep.equal([
        [`acceptWithinSeconds: must be an integer from 1 to ${max} (got ${within})`, "BAD_USER_INPUT", "acceptWithinSeconds"],
      ]);
    }
  });

  it("takes acceptWithinSeconds of exactly MAX_ACCEPT_WINDOW", async function () {
    const answer = await ctx().client.query<{ availableCompute: { nodes: unknown[] } }>(ONE_OFFER, {
      within: JOB_LIMITS.maxAcceptWindowSeconds,
      specHash: SPEC_HASH,
    });
    expect(answer.availableCompute.nodes).to.have.length(1);
  });

  it("refuses a specHash that is not 32 bytes with BAD_USER_INPUT naming the argument, with the value sent", async function () {
    const specHash = `0x${"ab".repeat(31)}`;
    const errors = await ctx().client.errors(ONE_OFFER, { within: WITHIN, specHash });
    expect(errors.map((e) => [e.message, e.extensions?.code, e.extensions?.argument, e.extensions?.value])).to.deep.equal([
      ["specHash: must be 32 bytes, the keccak256 of the workload document (got 31 bytes)", "BAD_USER_INPUT", "specHash", specHash],
    ]);
  });
});

describe("ComputeOffer.jobTerms' escrow range", function () {
  type JobTermsResolver = (o: OfferModel, args: ComputeOfferJobTermsArgs, ctx: GatewayContext, info: GraphQLResolveInfo) => { terms: JobTerms; escrow: bigint };
  const jobTerms = offerResolvers.ComputeOffer!.jobTerms as JobTermsResolver;
  const offerAt = (pricePerGpuHour: bigint, gpuCount: number, durationSeconds: number): OfferModel =>
    ({
      provider: { id: `0x${"ab".repeat(20)}`, gpuModelKey: "h100-sxm-80gb", regionKey: "eu-west", pricePerGpuHour: pricePerGpuHour.toString() },
      quote: { gpuCount, durationSeconds, cost: computeCost(pricePerGpuHour, gpuCount, durationSeconds) },
      basis: { listedModels: false, listedRegions: false, minVramGiB: 0, tier: "Any", minCompletedJobs: 0, minSlashRewardBps: 0, blockTime: 1_000 },
    }) as OfferModel;
  const draft = (o: OfferModel) => () => jobTerms(o, { acceptWithinSeconds: 60, specHash: SPEC_HASH, directed: false }, {} as GatewayContext, {} as GraphQLResolveInfo);

  // No argument of jobTerms sets the escrow: `field` says whose `requirements` are, as the error's path ends in jobTerms.
  it("refuses an offer whose escrow would be 0 wei (createJob reverts on it) with BAD_USER_INPUT on availableCompute's requirements", function () {
    expect(draft(offerAt(1n, 1, 60)))
      .to.throw(GraphQLError)
      .that.satisfies(
        (e: GraphQLError) =>
          e.extensions.code === "BAD_USER_INPUT" &&
          e.extensions.field === "Query.availableCompute" &&
          e.extensions.argument === "requirements" &&
          e.extensions.escrow === "0" &&
          e.extensions.value === "0" &&
          e.extensions.minimum === "1" &&
          e.extensions.maximum === (2n ** 96n - 1n).toString(),
      )
      .and.has.property(
        "message",
        "Query.availableCompute(requirements): the escrow at this offer's price (1 wei per GPU-hour) for 1 GPUs for 60 s is 0 wei, which JobEscrow.createJob refuses (1 to 79228162514264337593543950335 wei): ask for more GPUs or hours",
      );
  });

  it("refuses an offer whose escrow would not fit a uint96 with BAD_USER_INPUT on availableCompute's requirements", function () {
    const price = 2n ** 96n - 1n;
    expect(draft(offerAt(price, 1024, 30 * 86_400)))
      .to.throw(GraphQLError)
      .that.satisfies(
        (e: GraphQLError) =>
          e.extensions.field === "Query.availableCompute" && e.extensions.argument === "requirements" && /ask for fewer GPUs or hours$/.test(e.message),
      );
  });

  it("takes an escrow of exactly 1 wei and of exactly type(uint96).max", function () {
    expect(draft(offerAt(60n, 1, 60))().escrow).to.equal(1n);
    expect(draft(offerAt(2n ** 96n - 1n, 1, 3600))().escrow).to.equal(2n ** 96n - 1n);
  });
});
