// A graph-node on 127.0.0.1 whose subgraph stopped on a fatal error, answering as graph-node does: its `_meta` is the
// last block before the failure with `hasIndexingErrors: false` (graph-node counts only errors at or below the head),
// and only its index node's status API (`/graphql`, port 8030 on a real one) says `health: failed`.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export const FAILED_DEPLOYMENT = "QmFailedDeploymentFailedDeploymentFailedDeploy";

/**
 * `fatalError`: the failure's message, as the status API gives it; `deterministic`: false for an error graph-node
 * retries itself (the node's or the store's, not the subgraph's).
 */
export async function failedGraphNode(fatalError = "Mapping aborted at src/jobs.ts, line 12: boom", deterministic = true): Promise<{
  subgraphUrl: string;
  statusUrl: string;
  /** The bodies of the requests its status API received. */
  statusRequests: { query: string; variables?: Record<string, unknown> }[];
  close(): Promise<void>;
}> {
  const statusRequests: { query: string; variables?: Record<string, unknown> }[] = [];
  const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const reply = (payload: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(payload));
      const request = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
      if (req.url === "/graphql") {
        statusRequests.push(request);
        const asked = (request.variables?.ids as string[] | undefined) ?? [];
        reply({
          data: {
            indexingStatuses: asked.includes(FAILED_DEPLOYMENT)
              ? [
                  {
                    subgraph: FAILED_DEPLOYMENT,
                    health: "failed",
                    // The index node's BigInt: a string.
                    fatalError: { message: fatalError, block: { number: "41" }, deterministic },
                  },
                ]
              : [],
          },
        });
        return;
      }
      if (request.query.includes("_meta")) {
        reply({ data: { _meta: { block: { number: 40, hash: hash(40), timestamp: 1040, parentHash: hash(39) }, hasIndexingErrors: false, deployment: FAILED_DEPLOYMENT } } });
        return;
      }
      reply({ errors: [{ message: "this fake graph-node answers only _meta" }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    subgraphUrl: `${base}/subgraphs/name/latent/latent`,
    statusUrl: `${base}/graphql`,
    statusRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
