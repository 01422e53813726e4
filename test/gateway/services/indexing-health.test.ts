// indexingStatus from a graph-node whose deployment indexes on past non-fatal errors: graph-node's index node says
// `health: unhealthy` and lists them (`nonFatalErrors`), which the gateway shows as subgraphHealth and
// subgraphNonFatalErrors, and logs. A loopback fake graph-node answers `_meta` and the status API.
import { expect } from "chai";
import { startGateway, type GatewayHandle } from "../../../gateway/src";
import { createJsonLogger } from "../../../gateway/src/logger";
import { waitUntil } from "../../helpers/wait";
import { fakeGraphNode as graphNode, type FakeGraphNode } from "../helpers/fake-graph-node";

const DEPLOYMENT = "QmUnhealthyDeploymentUnhealthyDeploymentUnhe";

/** A graph-node serving DEPLOYMENT, healthy until a test says otherwise. */
const fakeGraphNode = () => graphNode(DEPLOYMENT, { health: "healthy", fatalError: null, nonFatalErrors: [] });

const QUERY = "{ indexingStatus { hasIndexingErrors subgraphHealth subgraphNonFatalErrors { message block deterministic } } }";

interface Answer {
  data?: { indexingStatus: { hasIndexingErrors: boolean; subgraphHealth: string | null; subgraphNonFatalErrors: unknown[] } };
  errors?: unknown[];
}

async function indexingStatus(handle: GatewayHandle): Promise<Answer["data"]> {
  const response = await fetch(new URL("/graphql", handle.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: QUERY }),
  });
  const answer = (await response.json()) as Answer;
  expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
  return answer.data;
}

describe("indexingStatus of a graph-node deployment with non-fatal errors", function () {
  let node: FakeGraphNode;
  let handle: GatewayHandle;
  const logged: { msg: string; level: string; [key: string]: unknown }[] = [];

  beforeEach(async function () {
    logged.length = 0;
    node = await fakeGraphNode();
  });

  afterEach(async function () {
    await handle?.stop();
    await node.close();
  });

  async function start(statusUrl: string | undefined): Promise<void> {
    handle = await startGateway({
      source: { subgraphUrl: node.subgraphUrl, ...(statusUrl === undefined ? {} : { statusUrl }) },
      chain: null,
      port: 0,
      headPollMs: 20,
      logger: createJsonLogger({ write: (line) => void logged.push(JSON.parse(line) as (typeof logged)[number]) }),
    });
  }

  it("shows graph-node's unhealthy health and its non-fatal errors, each message's URL key cut", async function () {
    node.status = {
      health: "unhealthy",
      fatalError: null,
      nonFatalErrors: [
        { message: "Mapping aborted at src/jobs.ts, line 12: boom", block: { number: "37" }, deterministic: true },
        { message: "eth_call to https://eth.example.org/v2/key123 failed", block: null, deterministic: false },
      ],
    };
    await start(node.statusUrl);
    expect(await indexingStatus(handle)).to.deep.equal({
      indexingStatus: {
        hasIndexingErrors: true,
        subgraphHealth: "UNHEALTHY",
        subgraphNonFatalErrors: [
          { message: "Mapping aborted at src/jobs.ts, line 12: boom", block: 37, deterministic: true },
          { message: "eth_call to https://eth.example.org/… failed", block: null, deterministic: false },
        ],
      },
    });
  });

  it("logs once that the deployment turned unhealthy, with its first error, and when it is healthy again", async function () {
    node.status = { health: "unhealthy", fatalError: null, nonFatalErrors: [{ message: "boom", block: { number: "37" }, deterministic: true }] };
    await start(node.statusUrl);
    await indexingStatus(handle);
    node.status = { health: "healthy", fatalError: null, nonFatalErrors: [] };
    await waitUntil(async () => (await indexingStatus(handle))?.indexingStatus.subgraphHealth === "HEALTHY", "the gateway saw the deployment healthy");
    const lines = logged.filter((line) => line.msg.startsWith("subgraph deployment"));
    expect(lines.map(({ level, msg, deployment, nonFatalErrors, error, block }) => ({ level, msg, deployment, nonFatalErrors, error, block }))).to.deep.equal([
      { level: "warn", msg: "subgraph deployment unhealthy", deployment: DEPLOYMENT, nonFatalErrors: 1, error: "boom", block: 37 },
      { level: "info", msg: "subgraph deployment healthy again", deployment: DEPLOYMENT, nonFatalErrors: undefined, error: undefined, block: undefined },
    ]);
  });

  it("shows HEALTHY and no errors for a healthy deployment", async function () {
    await start(node.statusUrl);
    expect(await indexingStatus(handle)).to.deep.equal({ indexingStatus: { hasIndexingErrors: false, subgraphHealth: "HEALTHY", subgraphNonFatalErrors: [] } });
  });

  it("shows no health without the status API", async function () {
    node.status = { health: "unhealthy", fatalError: null, nonFatalErrors: [{ message: "boom", block: { number: "37" }, deterministic: true }] };
    await start(undefined);
    expect(await indexingStatus(handle)).to.deep.equal({ indexingStatus: { hasIndexingErrors: true, subgraphHealth: null, subgraphNonFatalErrors: [] } });
  });
});
