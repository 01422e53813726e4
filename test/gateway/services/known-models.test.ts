// A GPU model id or region code the network has never seen (a typo) is refused by every query that takes them, naming
// it and the ones the network knows, rather than answered with an empty list that reads as "all busy".
import { expect } from "chai";
import { describeEachSource } from "../helpers/environment";

const OFFERS = `query Q($requirements: ComputeRequirements!) { availableCompute(requirements: $requirements) { nodes { gpuModel } } }`;
const PROVIDERS = `query Q($filter: ProviderFilter) { providers(filter: $filter) { nodes { address } } }`;
const JOBS = `query Q($filter: JobFilter) { jobs(filter: $filter) { nodes { id } } }`;

describeEachSource("GPU models and regions the network does not know", (ctx) => {
  it("availableCompute: refuses a model no provider listed and no job required, naming it, its index and the known models", async function () {
    const errors = await ctx().client.errors(OFFERS, { requirements: { gpuModels: ["h100-sxm-80gb", "H1OO"] } });
    expect(errors.length, JSON.stringify(errors)).to.equal(1);
    const extensions = errors[0]?.extensions ?? {};
    expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "requirements.gpuModels[1]", value: "h1oo", unknownModels: ["h1oo"] });
    expect(extensions.knownModels).to.include.members(["h100-sxm-80gb", "rtx-4090-24gb"]).and.not.include("h1oo");
    expect(errors[0]?.message).to.contain('"h1oo"').and.contain("h100-sxm-80gb");
  });

  it("availableCompute: answers a known model that no offer can run now with an empty page, not an error", async function () {
    const { body } = await ctx().client.request<{ availableCompute: { nodes: unknown[] } }>(OFFERS, {
      requirements: { gpuModels: ["h100-sxm-80gb"], gpuCount: 1024 },
    });
    expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
    expect(body.data?.availableCompute.nodes).to.deep.equal([]);
  });

  it("providers: refuses an unknown model in filter.gpuModels, listing every unknown one", async function () {
    const errors = await ctx().client.errors(PROVIDERS, { filter: { gpuModels: ["a1OO", "h100-sxm-80gb", "H1OO"] } });
    expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "filter.gpuModels[0]", value: "a1oo", unknownModels: ["a1oo", "h1oo"] });
  });

  it("jobs: refuses an unknown model in filter.gpuModels", async function () {
    const errors = await ctx().client.errors(JOBS, { filter: { gpuModels: ["H1OO"] } });
    expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "filter.gpuModels[0]", value: "h1oo" });
    expect(errors[0]?.extensions?.knownModels).to.include("h100-sxm-80gb");
  });

  it("availableCompute: refuses a region no provider listed and no job required, naming it and the known regions", async function () {
    const errors = await ctx().client.errors(OFFERS, { requirements: { regions: ["eu-west", "EU-WSET"] } });
    expect(errors.length, JSON.stringify(errors)).to.equal(1);
    expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "requirements.regions[1]", value: "eu-wset", unknownRegions: ["eu-wset"] });
    expect(errors[0]?.extensions?.knownRegions).to.include.members(["eu-west", "us-east"]);
  });

  it("providers and jobs: refuse an unknown region in filter.regions", async function () {
    const { client } = ctx();
    for (const query of [PROVIDERS, JOBS]) {
      const errors = await client.errors(query, { filter: { regions: ["eu-wset"] } });
      expect(errors[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "filter.regions[0]", value: "eu-wset" });
    }
  });

  it("names an unknown model before an unknown region when both are asked for", async function () {
    const errors = await ctx().client.errors(OFFERS, { requirements: { regions: ["eu-wset"], gpuModels: ["h1oo"] } });
    expect(errors.map((e) => e.extensions?.argument)).to.deep.equal(["requirements.gpuModels[0]"]);
  });
});
