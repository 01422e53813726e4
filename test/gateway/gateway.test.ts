// startGateway's options as gateway/README.md documents them (queryCache: true by default, false for benchmarks),
// and the sourceQueries() counter it returns.
import { expect } from "chai";
import { environment } from "./helpers/environment";

describe("startGateway options", function () {
  const query = `{ providers(first: 5) { nodes { address } } }`;

  /** Source queries made by three repeats of a question a new gateway has answered once. */
  async function sourceQueriesOfRepeats(queryCache?: boolean): Promise<number> {
    const env = await environment();
    await env.waitForIndexed();
    const client = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null, ...(queryCache === undefined ? {} : { queryCache }) });
    // The first head a gateway sees drops its cache: ask once it has one.
    while (client.handle.head() === null) await new Promise((resolve) => setTimeout(resolve, 20));
    await client.query(query);
    const before = client.handle.sourceQueries();
    for (let i = 0; i < 3; i++) await client.query(query);
    return client.handle.sourceQueries() - before;
  }

  it("answers a repeated question from the per-block cache by default", async function () {
    expect(await sourceQueriesOfRepeats()).to.equal(0);
  });

  it("with queryCache: false asks the source every time, and sourceQueries() counts it", async function () {
    expect(await sourceQueriesOfRepeats(false)).to.be.at.least(3);
  });
});
