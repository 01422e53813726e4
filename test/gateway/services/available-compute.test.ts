import { expect } from "chai";
import { TIED_PRICE, describeEachSource } from "../helpers/environment";

interface Offer {
  gpuModel: string;
  vramGiB: number;
  freeGpus: number;
  region: string;
  tier: string;
  pricePerGpuHour: { wei: string };
  reputation: number;
  quote: { gpuCount: number; durationSeconds: number; cost: { wei: string }; collateral: { wei: string } };
  provider: { address: string; active: boolean };
}

interface OfferPage {
  availableCompute: { edges: { cursor: string; node: Offer }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null } };
}

const OFFERS = `
  query Offers($requirements: ComputeRequirements!, $orderBy: OfferOrder, $first: Int, $after: String) {
    availableCompute(requirements: $requirements, orderBy: $orderBy, first: $first, after: $after) {
      edges { cursor node {
        gpuModel vramGiB freeGpus region tier pricePerGpuHour { wei } reputation
        quote { gpuCount durationSeconds cost { wei } collateral { wei } }
        provider { address active }
      } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }`;

const key = (o: Offer) => o.provider.address;

/** price asc, reputation desc, address asc. */
function ranked(a: Offer, b: Offer): number {
  const pa = BigInt(a.pricePerGpuHour.wei);
  const pb = BigInt(b.pricePerGpuHour.wei);
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (a.reputation !== b.reputation) return b.reputation - a.reputation;
  return a.provider.address.toLowerCase() < b.provider.address.toLowerCase() ? -1 : 1;
}

describeEachSource("availableCompute", (ctx) => {
  const offers = async (requirements: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    (await ctx().client.query<OfferPage>(OFFERS, { requirements, first: 100, ...extra })).availableCompute;

  it("offers only active providers with the GPUs free", async function () {
    const page = await offers({ gpuCount: 4 });
    expect(page.edges.length).to.be.greaterThan(0);
    for (const { node } of page.edges) {
      expect(node.provider.active).to.equal(true);
      expect(node.freeGpus).to.be.at.least(4);
    }
  });

  it("leaves out providers that are offline, under-staked or deregistered", async function () {
    const { env } = ctx();
    const deregistered = env.summary.providers.find((p) => !p.registered);
    expect(deregistered, "the scenario deregisters a provider").to.not.equal(undefined);
    const all = (await offers({ gpuCount: 1 })).edges.map((e) => e.node.provider.address.toLowerCase());
    expect(all).to.not.include(deregistered!.address.toLowerCase());
  });

  it("ranks by price, then reputation, then address", async function () {
    const nodes = (await offers({ gpuCount: 1 })).edges.map((e) => e.node);
    expect(nodes.length).to.be.greaterThan(20);
    expect(nodes.map(key)).to.deep.equal([...nodes].sort(ranked).map(key));
  });

  it("pages by cursor through exactly the ranked list", async function () {
    const whole = (await offers({ gpuCount: 1 })).edges.map((e) => key(e.node));
    const paged: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: OfferPage["availableCompute"] = await offers({ gpuCount: 1 }, { first: 7, after });
      paged.push(...page.edges.map((e) => key(e.node)));
      expect(page.pageInfo.hasPreviousPage).to.equal(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).to.deep.equal(whole);
  });

  it("pages an explicit order (free GPUs, descending) without overlaps or gaps", async function () {
    const orderBy = { field: "FREE_GPUS", direction: "DESC" };
    const whole = (await offers({ gpuCount: 1 }, { orderBy })).edges.map((e) => e.node);
    for (let i = 1; i < whole.length; i++) expect(whole[i - 1]!.freeGpus).to.be.at.least(whole[i]!.freeGpus);
    const paged: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: OfferPage["availableCompute"] = await offers({ gpuCount: 1 }, { orderBy, first: 6, after });
      paged.push(...page.edges.map((e) => key(e.node)));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).to.deep.equal(whole.map(key));
  });

  it("ranks a group of equal prices by reputation, across page boundaries", async function () {
    const requirements = { gpuModels: ["rtx-4090-24gb"], gpuCount: 1 };
    const whole = (await offers(requirements)).edges.map((e) => e.node);
    const tied = whole.filter((o) => BigInt(o.pricePerGpuHour.wei) === TIED_PRICE);
    expect(tied.length, "a dozen providers share one price").to.be.greaterThan(10);
    expect(new Set(tied.map((o) => o.reputation)).size, "with different reputations").to.be.greaterThan(1);
    expect(whole.map(key)).to.deep.equal([...whole].sort(ranked).map(key));
    const paged: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard++) {
      const page: OfferPage["availableCompute"] = await offers(requirements, { first: 4, after });
      paged.push(...page.edges.map((e) => key(e.node)));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).to.deep.equal(whole.map(key));
  });

  const filters: [string, Record<string, unknown>, (o: Offer) => boolean][] = [
    ["GPU models", { gpuModels: ["h100-sxm-80gb", "a100-sxm-80gb"] }, (o) => ["h100-sxm-80gb", "a100-sxm-80gb"].includes(o.gpuModel)],
    ["regions", { regions: ["eu-west", "us-east"] }, (o) => ["eu-west", "us-east"].includes(o.region)],
    ["tier", { tier: "CONSUMER" }, (o) => o.tier === "CONSUMER"],
    ["minimum VRAM", { minVramGiB: 80 }, (o) => o.vramGiB >= 80],
    ["maximum price", { maxPricePerGpuHour: "1000000000000000000" }, (o) => BigInt(o.pricePerGpuHour.wei) <= 10n ** 18n],
    ["minimum reputation", { minReputation: 5001 }, (o) => o.reputation >= 5001],
    ["GPU count", { gpuCount: 8 }, (o) => o.freeGpus >= 8],
  ];
  for (const [name, requirement, holds] of filters) {
    it(`filters by ${name}`, async function () {
      const all = (await offers({ gpuCount: 1 })).edges.map((e) => e.node);
      const filtered = (await offers({ gpuCount: 1, ...requirement })).edges.map((e) => e.node);
      expect(filtered.length, "the filter keeps some offers").to.be.greaterThan(0);
      expect(filtered.length, "the filter drops some offers").to.be.lessThan(all.length);
      expect(filtered.map(key)).to.deep.equal(all.filter(holds).map(key));
    });
  }

  it("quotes what JobEscrow would charge for the GPUs and hours asked", async function () {
    const { env } = ctx();
    const nodes = (await offers({ gpuCount: 2, hours: 1.5 })).edges.map((e) => e.node);
    const sample = nodes[0]!;
    expect(sample.quote.gpuCount).to.equal(2);
    expect(sample.quote.durationSeconds).to.equal(5400);
    const onChain = await env.scenario.c.jobEscrow.computeCost(BigInt(sample.pricePerGpuHour.wei), 2, 5400);
    expect(BigInt(sample.quote.cost.wei)).to.equal(onChain);
  });

  it("refuses a job length the deployed JobEscrow would refuse, giving its MIN_DURATION and MAX_DURATION as the range", async function () {
    const escrow = ctx().env.scenario.c.jobEscrow;
    const errors = await ctx().client.errors(OFFERS, { requirements: { gpuCount: 1, hours: 0.01 } });
    expect(errors[0]?.extensions).to.include({
      code: "BAD_USER_INPUT",
      argument: "requirements.hours",
      minSeconds: Number(await escrow.MIN_DURATION()),
      maxSeconds: Number(await escrow.MAX_DURATION()),
    });
  });

  it("refuses a malformed GPU model id with BAD_USER_INPUT", async function () {
    const errors = await ctx().client.errors(OFFERS, { requirements: { gpuModels: ["H100 SXM!"] } });
    expect(errors[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
    expect(errors[0]?.message).to.contain("requirements.gpuModels[0]");
  });

  it("refuses a cursor from another ordering", async function () {
    const first = await offers({ gpuCount: 1 }, { first: 2 });
    const errors = await ctx().client.errors(OFFERS, {
      requirements: { gpuCount: 1 },
      orderBy: { field: "VRAM" },
      after: first.pageInfo.endCursor,
    });
    expect(errors[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
  });
});
