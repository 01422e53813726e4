// A cursor pages what it was issued for: asked with another filter, requirements or provider than its first page's,
// it is refused (BAD_USER_INPUT naming what differs) rather than continuing the other query from its position.
import { expect } from "chai";
import type { GatewayClient, GraphQLResponseJson } from "../helpers/client";
import { describeEachSource } from "../helpers/environment";

interface Page {
  pageInfo: { endCursor: string | null };
  nodes: { id: string }[];
}

/** The one page `field` answers with `variables`, failing the test on any error. */
async function page(client: GatewayClient, query: string, field: string, variables: Record<string, unknown>): Promise<Page> {
  const { body } = await client.request<Record<string, Page>>(query, variables);
  expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
  return (body.data as Record<string, Page>)[field] as Page;
}

/** Refused as a cursor issued for `others` ("another filter"), to ask with `same` ("the filter") instead. */
function refused(body: GraphQLResponseJson<unknown>, others: string, same: string): void {
  expect(body.errors?.length, JSON.stringify(body)).to.equal(1);
  expect(body.errors?.[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "after" });
  expect(body.errors?.[0]?.message).to.equal(
    `after: the cursor was issued for ${others}: ask with the ${same} it was issued for, or start again without \`after\``,
  );
}

const JOBS = `query Q($filter: JobFilter, $after: String) { jobs(filter: $filter, first: 1, after: $after) { pageInfo { endCursor } nodes { id } } }`;
const PROVIDERS = `query Q($filter: ProviderFilter, $after: String) {
  providers(filter: $filter, first: 1, after: $after) { pageInfo { endCursor } nodes { id: address } }
}`;
const OFFERS = `query Q($requirements: ComputeRequirements!, $after: String) {
  availableCompute(requirements: $requirements, first: 1, after: $after) { pageInfo { endCursor } nodes { provider { id: address } } }
}`;
const OPEN_JOBS = `query Q($provider: Address!, $after: String) { openJobs(provider: $provider, first: 1, after: $after) { pageInfo { endCursor } nodes { id } } }`;
const ACTIVITY = `query Q($filter: ActivityFilter, $after: String) {
  activity(filter: $filter, first: 1, after: $after) { pageInfo { endCursor } nodes { id: transaction logIndex } }
}`;
const PROVIDER_JOBS = `query Q($provider: Address!, $statuses: [JobStatus!], $after: String) {
  provider(address: $provider) { jobs(statuses: $statuses, first: 1, after: $after) { pageInfo { endCursor } nodes { id } } }
}`;

describeEachSource("cursors bound to the arguments they were issued for", (ctx) => {
  it("jobs: refuses a cursor of one filter with another, or with none, and continues it with the same filter however written", async function () {
    const { client } = ctx();
    const open = { statuses: ["OPEN"], directed: false };
    const first = await page(client, JOBS, "jobs", { filter: open });
    expect(first.pageInfo.endCursor).to.be.a("string");
    const after = first.pageInfo.endCursor;
    for (const filter of [{ statuses: ["COMPLETED"], directed: false }, { statuses: ["OPEN"] }, null]) {
      refused((await client.request(JOBS, { filter, after })).body, "another filter", "filter");
    }
    // The same filter, its fields in another order and an explicit null added: the next page, after the first.
    const second = await page(client, JOBS, "jobs", { filter: { directed: false, client: null, statuses: ["OPEN"] }, after });
    expect(second.nodes.map((j) => j.id)).not.to.include(first.nodes[0]?.id);
  });

  it("providers: refuses a cursor of one filter with another", async function () {
    const { client } = ctx();
    const first = await page(client, PROVIDERS, "providers", { filter: { active: true } });
    refused((await client.request(PROVIDERS, { filter: { active: false }, after: first.pageInfo.endCursor })).body, "another filter", "filter");
    await page(client, PROVIDERS, "providers", { filter: { active: true }, after: first.pageInfo.endCursor });
  });

  it("providers: binds a cursor to its minimum GPU count", async function () {
    const { client } = ctx();
    const first = await page(client, PROVIDERS, "providers", { filter: { minGpuCount: 8 } });
    const after = first.pageInfo.endCursor;
    expect(after).to.be.a("string");
    for (const filter of [{ minGpuCount: 1 }, { minGpusFree: 8 }, null]) refused((await client.request(PROVIDERS, { filter, after })).body, "another filter", "filter");
    await page(client, PROVIDERS, "providers", { filter: { minGpuCount: 8 }, after });
  });

  it("availableCompute: refuses a cursor of one set of requirements with another, not with its defaults written out", async function () {
    const { client } = ctx();
    const first = await page(client, OFFERS, "availableCompute", { requirements: {} });
    const after = first.pageInfo.endCursor;
    expect(after).to.be.a("string");
    refused((await client.request(OFFERS, { requirements: { gpuCount: 2 }, after })).body, "other requirements", "requirements");
    await page(client, OFFERS, "availableCompute", { requirements: { gpuCount: 1, hours: 1, tier: "ANY" }, after });
  });

  it("openJobs: refuses one provider's cursor for another provider", async function () {
    const { env, client } = ctx();
    const first = await page(client, OPEN_JOBS, "openJobs", { provider: env.directedAt.address });
    expect(first.pageInfo.endCursor).to.be.a("string");
    const other = env.bulk.wallets.find((w) => w.address !== env.directedAt.address)?.address;
    refused((await client.request(OPEN_JOBS, { provider: other, after: first.pageInfo.endCursor })).body, "another provider", "provider");
    // The address written in lowercase is the same provider.
    await page(client, OPEN_JOBS, "openJobs", { provider: env.directedAt.address.toLowerCase(), after: first.pageInfo.endCursor });
  });

  it("Provider.jobs: refuses one provider's cursor for another provider, or with other statuses", async function () {
    const { env, client } = ctx();
    // A provider with a job: the one that accepted the first job someone accepted.
    const { body } = await client.request<{ jobs: { nodes: { provider: { address: string } | null }[] } }>(
      `{ jobs(filter: { statuses: [COMPLETED] }, first: 1) { nodes { provider { address } } } }`,
    );
    const provider = body.data?.jobs.nodes[0]?.provider?.address as string;
    const jobsOf = async (variables: Record<string, unknown>) =>
      (await client.request<{ provider: { jobs: Page } }>(PROVIDER_JOBS, variables)).body;
    const first = (await jobsOf({ provider })).data?.provider.jobs as Page;
    const after = first.pageInfo.endCursor;
    expect(after).to.be.a("string");
    refused(await jobsOf({ provider: env.directedAt.address, after }), "another provider or other statuses", "provider and statuses");
    refused(await jobsOf({ provider, statuses: ["COMPLETED"], after }), "another provider or other statuses", "provider and statuses");
    expect((await jobsOf({ provider, after })).errors).to.equal(undefined);
  });

  it("Provider.jobs: continues a cursor with its statuses in another order or repeated, refuses it with another set", async function () {
    const { client } = ctx();
    const { body } = await client.request<{ jobs: { nodes: { provider: { address: string } | null }[] } }>(
      `{ jobs(filter: { statuses: [COMPLETED] }, first: 1) { nodes { provider { address } } } }`,
    );
    const provider = body.data?.jobs.nodes[0]?.provider?.address as string;
    const jobsOf = async (variables: Record<string, unknown>) =>
      (await client.request<{ provider: { jobs: Page } }>(PROVIDER_JOBS, variables)).body;
    const first = (await jobsOf({ provider, statuses: ["COMPLETED", "ACCEPTED"] })).data?.provider.jobs as Page;
    const after = first.pageInfo.endCursor;
    expect(after).to.be.a("string");
    for (const statuses of [["ACCEPTED", "COMPLETED"], ["COMPLETED", "COMPLETED", "ACCEPTED"]]) {
      const next = await jobsOf({ provider, statuses, after });
      expect(next.errors, JSON.stringify(next.errors)).to.equal(undefined);
      expect(next.data?.provider.jobs.nodes.map((j) => j.id)).not.to.include(first.nodes[0]?.id);
    }
    refused(await jobsOf({ provider, statuses: ["COMPLETED", "DISPUTED"], after }), "another provider or other statuses", "provider and statuses");
  });

  it("jobs, providers, availableCompute: continue a cursor with the same models or regions in another order or spelling", async function () {
    const { client } = ctx();
    const jobs = await page(client, JOBS, "jobs", { filter: { gpuModels: ["rtx-4090-24gb", "h100-sxm-80gb"] } });
    expect(jobs.pageInfo.endCursor).to.be.a("string");
    const jobsAfter = jobs.pageInfo.endCursor;
    await page(client, JOBS, "jobs", { filter: { gpuModels: ["H100-SXM-80GB", "rtx-4090-24gb", "h100-sxm-80gb"] }, after: jobsAfter });
    refused((await client.request(JOBS, { filter: { gpuModels: ["rtx-4090-24gb"] }, after: jobsAfter })).body, "another filter", "filter");

    const providers = await page(client, PROVIDERS, "providers", { filter: { regions: ["us-east", "eu-west"], gpuModels: ["rtx-4090-24gb"] } });
    const providersAfter = providers.pageInfo.endCursor;
    expect(providersAfter).to.be.a("string");
    await page(client, PROVIDERS, "providers", { filter: { gpuModels: ["rtx-4090-24gb"], regions: ["eu-west", "us-east"] }, after: providersAfter });
    refused((await client.request(PROVIDERS, { filter: { regions: ["eu-west"], gpuModels: ["rtx-4090-24gb"] }, after: providersAfter })).body, "another filter", "filter");

    const offers = await page(client, OFFERS, "availableCompute", { requirements: { gpuModels: ["rtx-4090-24gb", "h100-sxm-80gb"] } });
    const offersAfter = offers.pageInfo.endCursor;
    expect(offersAfter).to.be.a("string");
    await page(client, OFFERS, "availableCompute", { requirements: { gpuModels: ["h100-sxm-80gb", "RTX-4090-24GB"] }, after: offersAfter });
    refused((await client.request(OFFERS, { requirements: { gpuModels: ["h100-sxm-80gb"] }, after: offersAfter })).body, "other requirements", "requirements");
  });

  it("activity: continues a cursor with its job id, refuses it for another job or for the id spelled another way", async function () {
    const { client } = ctx();
    const first = await page(client, ACTIVITY, "activity", { filter: { jobId: "1" } });
    const after = first.pageInfo.endCursor;
    expect(after).to.be.a("string");
    const respelled = (await client.request(ACTIVITY, { filter: { jobId: "001" }, after })).body;
    expect(respelled.errors?.[0]?.extensions).to.deep.include({ code: "BAD_USER_INPUT", argument: "filter.jobId", value: "001" });
    const next = await page(client, ACTIVITY, "activity", { filter: { jobId: "1" }, after });
    // One transaction may emit several of a job's events: a row is its transaction and log index.
    expect(next.nodes.map((e) => JSON.stringify(e))).not.to.include(JSON.stringify(first.nodes[0]));
    refused((await client.request(ACTIVITY, { filter: { jobId: "2" }, after })).body, "another filter", "filter");
  });
});
