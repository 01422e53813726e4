// A graph-node on 127.0.0.1 serving one deployment, answering as graph-node does: the subgraph endpoint answers `_meta`
// (block 40, with `hasIndexingErrors` counting only the non-fatal errors: graph-node counts errors at or below the
// head, and a fatal one is above it; at a block number with no hash, time or parent hash; at the hash of a block up to
// its head with that block), and its index node's status API (`/graphql`, port 8030 on a real one) answers
// `indexingStatuses` with what `status` holds at the time of the request.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export const FAILED_DEPLOYMENT = "QmFailedDeploymentFailedDeploymentFailedDeploy";

/** A subgraph error as the status API gives it (block numbers are the index node's BigInt: strings). */
export interface StatusError {
  message: string;
  block: { number: string } | null;
  deterministic: boolean;
}

/** What the status API says of the deployment. */
export interface DeploymentStatus {
  health: "healthy" | "unhealthy" | "failed";
  fatalError: StatusError | null;
  nonFatalErrors: StatusError[];
}

export interface FakeGraphNode {
  subgraphUrl: string;
  statusUrl: string;
  /** Read at each request: assign to change what the status API and `_meta` answer. */
  status: DeploymentStatus;
  /**
   * Read at each request: what the subgraph endpoint answers a query other than `_meta` (HTTP 200, `{ errors }` with
   * these messages, as graph-node answers a query that failed). Null: it answers only `_meta`.
   */
  queryErrors: string[] | null;
  /** The bodies of the requests its status API received. */
  statusRequests: { query: string; variables?: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function fakeGraphNode(deployment: string, status: DeploymentStatus): Promise<FakeGraphNode> {
  const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
  const node = { status, statusRequests: [] as FakeGraphNode["statusRequests"], queryErrors: null as string[] | null };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const reply = (payload: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(payload));
      const request = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
      if (req.url === "/graphql") {
        node.statusRequests.push(request);
        const asked = (request.variables?.ids as string[] | undefined) ?? [];
        reply({ data: { indexingStatuses: asked.includes(deployment) ? [{ subgraph: deployment, ...node.status }] : [] } });
        return;
      }
      if (request.query.includes("_meta")) {
        // A deterministic failure moves graph-node's head onto the failing block (core/src/subgraph/runner.rs).
        const failing = node.status.fatalError?.deterministic === true ? node.status.fatalError.block : null;
        const head = failing === null ? 40 : Number(failing.number);
        const meta = (block: Record<string, unknown>) => reply({ data: { _meta: { block, hasIndexingErrors: node.status.nonFatalErrors.length > 0, deployment } } });
        const byNumber = /_meta\(block: \{ number: (\d+) \}\)/.exec(request.query);
        // By number graph-node looks no hash up, so it names no hash, time or parent hash (locate_blocks, lookup_meta).
        if (byNumber !== null) return meta({ number: Number(byNumber[1]), hash: null, timestamp: null, parentHash: null });
        const byHash = /_meta\(block: \{ hash: "0x([0-9a-f]{64})" \}\)/.exec(request.query);
        const number = byHash === null ? head : parseInt(byHash[1]!, 16);
        if (number > head) return reply({ errors: [{ message: "Failed to decode `block.hash` value: `no block with that hash found`" }] });
        return meta({ number, hash: hash(number), timestamp: 1000 + number, parentHash: hash(number - 1) });
      }
      if (node.queryErrors !== null) {
        reply({ errors: node.queryErrors.map((message) => ({ message })) });
        return;
      }
      reply({ errors: [{ message: "this fake graph-node answers only _meta" }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(node, {
    subgraphUrl: `${base}/subgraphs/name/latent/latent`,
    statusUrl: `${base}/graphql`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/**
 * A graph-node whose subgraph stopped at block 41 on a fatal error, and only the status API says `health: failed`.
 * `_meta` is block 41 when the error is deterministic (the head moves onto the failing block, its writes discarded),
 * else block 40; `_meta(block: { number })` answers that block, without its hash, and `_meta(block: { hash })` the
 * block of that hash (with its parent hash: graph-node v0.35 on). `deterministic`: false for an error graph-node retries itself (the node's or the store's, not the
 * subgraph's).
 */
export function failedGraphNode(fatalError = "Mapping aborted at src/jobs.ts, line 12: boom", deterministic = true): Promise<FakeGraphNode> {
  return fakeGraphNode(FAILED_DEPLOYMENT, {
    health: "failed",
    fatalError: { message: fatalError, block: { number: "41" }, deterministic },
    nonFatalErrors: [],
  });
}
