import { expect } from "chai";
import { describeEachSource } from "../helpers/environment";

describeEachSource("indexingStatus", (ctx) => {
  it("reports the chain head, the indexed block and the lag between them", async function () {
    const { env, client, mode } = ctx();
    await env.waitForIndexed();
    const { indexingStatus: s } = await client.query<{
      indexingStatus: { chainHead: number; indexedBlock: number; lag: number; maxLag: number; ready: boolean; hasIndexingErrors: boolean; source: string };
    }>(`{ indexingStatus { chainHead indexedBlock indexedBlockTimestamp lag maxLag ready hasIndexingErrors source } }`);
    const head = await env.chain.blockNumber();
    expect(s.chainHead).to.equal(head);
    expect(s.indexedBlock).to.equal(head);
    expect(s.lag).to.equal(0);
    expect(s.ready).to.equal(true);
    expect(s.hasIndexingErrors).to.equal(false);
    expect(s.source).to.equal(mode === "embedded" ? "EMBEDDED" : "SUBGRAPH_URL");
  });

  it("answers /readyz with 200 once the index has caught up, and /healthz with 200", async function () {
    const { env, client } = ctx();
    await env.waitForIndexed();
    const base = client.url.replace(/\/graphql$/, "");
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).to.equal(200);
    expect(((await ready.json()) as { ready: boolean }).ready).to.equal(true);
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
  });
});
