import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import WebSocket from "ws";
import type { GatewayClient } from "../helpers/client";
import { environment, type Environment } from "../helpers/environment";
import { closedPort } from "../../helpers/closed-port";

/** An HTTP server answering every request with `status` and `body`. */
async function fakeEndpoint(status: number, body: string, type: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(status, { "content-type": type }).end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/latent`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const base = (client: GatewayClient) => client.url.replace(/\/graphql$/, "");

describe("gateway robustness", function () {
  let env: Environment;
  let client: GatewayClient;

  before(async function () {
    env = await environment();
    client = env.clients.embedded;
  });

  /** The server still answers a plain query. */
  async function stillServes(c: GatewayClient = client): Promise<void> {
    const { status } = await c.request(`{ __typename }`);
    expect(status).to.equal(200);
  }

  describe("query limits", function () {
    it("refuses a query nested too deep, and keeps serving", async function () {
      const deep = `{ provider(address: "0x000000000000000000000000000000000000dead") {
        jobs { nodes { provider { jobs { nodes { provider { jobs { nodes { provider { jobs { nodes { provider { address } } } } } } } } } } } } } }`;
      const { status, body } = await client.request(deep);
      expect(status).to.equal(400);
      expect(body.errors?.[0]?.extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
      expect(body.errors?.[0]?.extensions?.limit).to.equal("depth");
      expect(body.data ?? null).to.equal(null);
      await stillServes();
    });

    it("refuses a query too wide (hundreds of aliased root fields)", async function () {
      const wide = `{ ${Array.from({ length: 600 }, (_, i) => `a${i}: indexingStatus { indexedBlock }`).join(" ")} }`;
      const { status, body } = await client.request(wide);
      expect(status).to.equal(400);
      expect(body.errors?.[0]?.extensions?.limit).to.equal("cost");
      await stillServes();
    });

    it("refuses pages that multiply into too much work", async function () {
      const costly = `{ providers(first: 100) { nodes { jobs(first: 100) { nodes { timeline { kind } provider { address } } } } } }`;
      const { body } = await client.request(costly);
      expect(body.errors?.[0]?.extensions?.limit).to.equal("cost");
    });

    it("refuses `first` over the cap with BAD_USER_INPUT, as a literal or a variable", async function () {
      const literal = await client.request(`{ providers(first: 101) { nodes { address } } }`);
      expect(literal.status).to.equal(400);
      expect(literal.body.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
      expect(literal.body.errors?.[0]?.message).to.contain("maximum page size of 100");
      const variable = await client.request(`query($n: Int) { jobs(first: $n) { nodes { id } } }`, { n: 5000 });
      expect(variable.body.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
      const nested = await client.request(`{ providers(first: 2) { nodes { jobs(first: 1000) { nodes { id } } } } }`);
      expect(nested.body.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
      const zero = await client.request(`{ providers(first: 0) { nodes { address } } }`);
      expect(zero.body.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
    });

    it("refuses malformed addresses and identifiers inside filters", async function () {
      const address = await client.request(`{ providers(filter: { operator: "0xabc" }) { nodes { address } } }`);
      expect(address.body.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
      const region = await client.request(`{ providers(filter: { regions: ["eu west"] }) { nodes { address } } }`);
      expect(region.body.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
      expect(region.body.errors?.[0]?.message).to.contain("filter.regions[0]");
      const amount = await client.request(`{ providers(filter: { maxPricePerGpuHour: "-5" }) { nodes { address } } }`);
      expect(amount.body.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
    });

    it("refuses a cursor that is not one", async function () {
      const { body } = await client.request(`{ providers(after: "bm90IGEgY3Vyc29y") { nodes { address } } }`);
      expect(body.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
    });
  });

  describe("HTTP", function () {
    it("refuses a body over the size limit with 413", async function () {
      const response = await fetch(client.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: `{ __typename }`, padding: "x".repeat(200_000) }),
      });
      expect(response.status).to.equal(413);
      await stillServes();
    });

    it("refuses a body that is not JSON with 400", async function () {
      const response = await fetch(client.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
      expect(response.status).to.equal(400);
    });

    it("refuses batched operations", async function () {
      const response = await fetch(client.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
      });
      expect(response.status).to.equal(400);
    });

    it("answers queries over GET too", async function () {
      const response = await fetch(`${client.url}?query=${encodeURIComponent("{ indexingStatus { indexedBlock } }")}`, {
        headers: { "apollo-require-preflight": "true" },
      });
      expect(response.status).to.equal(200);
      expect(((await response.json()) as { data: { indexingStatus: { indexedBlock: number } } }).data.indexingStatus.indexedBlock).to.be.greaterThan(0);
    });

    it("answers 404 elsewhere", async function () {
      expect((await fetch(`${base(client)}/nothing-here`)).status).to.equal(404);
    });
  });

  describe("a failing source", function () {
    it("answers SOURCE_UNAVAILABLE when the subgraph endpoint is down, and keeps serving", async function () {
      const broken = await env.startExtraGateway({ source: { subgraphUrl: `http://127.0.0.1:${await closedPort()}/subgraphs/name/latent` }, chain: null });
      for (let i = 0; i < 2; i++) {
        const { body } = await broken.request(`{ networkStats { blockNumber } }`);
        expect(body.errors?.[0]?.extensions?.code).to.equal("SOURCE_UNAVAILABLE");
        expect(body.errors?.[0]?.message).to.contain("cannot be reached");
      }
      expect((await fetch(`${base(broken)}/healthz`)).status).to.equal(200);
      const ready = await fetch(`${base(broken)}/readyz`);
      expect(ready.status).to.equal(503);
      expect(((await ready.json()) as { reason: string }).reason).to.contain("source unavailable");
      await stillServes(broken);
    });

    it("answers SOURCE_UNAVAILABLE when the endpoint answers garbage or GraphQL errors", async function () {
      const html = await fakeEndpoint(502, "<html>bad gateway</html>", "text/html");
      const errors = await fakeEndpoint(200, JSON.stringify({ errors: [{ message: "store error: timeout" }] }), "application/json");
      try {
        for (const endpoint of [html, errors]) {
          const gateway = await env.startExtraGateway({ source: { subgraphUrl: endpoint.url }, chain: null });
          const { body } = await gateway.request(`{ providers { nodes { address } } }`);
          expect(body.errors?.[0]?.extensions?.code, endpoint.url).to.equal("SOURCE_UNAVAILABLE");
          await stillServes(gateway);
        }
      } finally {
        await html.close();
        await errors.close();
      }
    });

    it("sends SOURCE_UNAVAILABLE to a subscriber rather than dropping it", async function () {
      const broken = await env.startExtraGateway({ source: { subgraphUrl: `http://127.0.0.1:${await closedPort()}/subgraphs/name/latent` }, chain: null });
      const events = broken.subscribe(`subscription { networkStats { blockNumber } }`);
      const first = await events.next();
      expect(first.done).to.equal(false);
      expect(first.value?.errors?.[0]?.extensions?.code).to.equal("SOURCE_UNAVAILABLE");
      await broken.closeSockets();
    });

    it("answers CHAIN_UNAVAILABLE for live fields when the RPC is down, with the indexed fields still there", async function () {
      const deployment = env.scenario.deployment.record;
      const noChain = await env.startExtraGateway({
        source: { rpcUrl: env.chain.url, deployment, dbPath: path.join(env.tmpDir, "no-chain.sqlite"), indexerPollMs: 100 },
        chain: { rpcUrl: `http://127.0.0.1:${await closedPort()}`, deployment },
      });
      const address = env.summary.providers[0]!.address;
      const query = `query($a: Address!) { provider(address: $a) { address live { active } } }`;
      // Its own indexer starts from scratch: wait until it has the provider.
      while ((await noChain.request<{ provider: unknown }>(`query($a: Address!) { provider(address: $a) { address } }`, { a: address })).body.data?.provider == null) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const { body } = await noChain.request<{ provider: { address: string; live: unknown } }>(query, { a: address });
      expect(body.errors?.[0]?.extensions?.code).to.equal("CHAIN_UNAVAILABLE");
      expect(body.errors?.[0]?.path).to.deep.equal(["provider", "live"]);
      expect(body.data?.provider.address).to.equal(address);
      expect(body.data?.provider.live).to.equal(null);
      await stillServes(noChain);
    });
  });

  describe("CORS", function () {
    let restricted: GatewayClient;
    before(async function () {
      restricted = await env.startExtraGateway({
        source: { subgraphUrl: env.subgraphUrl },
        chain: null,
        corsOrigins: ["https://app.latent.example"],
      });
    });

    it("answers a preflight from an allowed origin", async function () {
      const response = await fetch(restricted.url, {
        method: "OPTIONS",
        headers: { origin: "https://app.latent.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
      expect(response.status).to.equal(204);
      expect(response.headers.get("access-control-allow-origin")).to.equal("https://app.latent.example");
    });

    it("refuses a preflight from another origin", async function () {
      const response = await fetch(restricted.url, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
      expect(response.status).to.equal(403);
      expect(response.headers.get("access-control-allow-origin")).to.equal(null);
    });

    /** Opens a WebSocket to the restricted gateway as a page on `origin` would: "open" or "refused". */
    async function connectFrom(origin: string): Promise<string> {
      const ws = new WebSocket(restricted.handle.wsUrl, "graphql-transport-ws", { origin });
      const outcome = await new Promise<string>((resolve) => {
        ws.once("open", () => resolve("open"));
        ws.once("error", () => resolve("refused"));
      });
      ws.terminate();
      return outcome;
    }

    it("refuses a WebSocket from another origin", async function () {
      expect(await connectFrom("https://evil.example")).to.equal("refused");
    });

    it("accepts a WebSocket from its own origin, which the list does not name (the dashboard it serves)", async function () {
      expect(await connectFrom(base(restricted))).to.equal("open");
    });

    it("answers a preflight from its own origin", async function () {
      const own = base(restricted);
      const response = await fetch(restricted.url, { method: "OPTIONS", headers: { origin: own, "access-control-request-method": "POST" } });
      expect(response.status).to.equal(204);
      expect(response.headers.get("access-control-allow-origin")).to.equal(own);
    });
  });

  describe("the dashboard route", function () {
    it("serves the dashboard directory at /, and nothing outside it", async function () {
      const dir = path.join(env.tmpDir, "dashboard");
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Latent</title>");
      const gateway = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null, staticDir: dir });
      const page = await fetch(`${base(gateway)}/`);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-type")).to.contain("text/html");
      expect(await page.text()).to.contain("<title>Latent</title>");
      const escape = await new Promise<number>((resolve) => {
        http.get({ host: "127.0.0.1", port: gateway.handle.port, path: "/../../package.json" }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
      });
      expect(escape).to.equal(404);
    });
  });
});
