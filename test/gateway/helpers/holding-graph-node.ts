// A graph-node on 127.0.0.1 for the tests of the gateway's stop: its head is known, its other queries wait on the test.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A graph-node that answers the head watcher's `_meta` at once and holds every other query until the test calls its
 * entry in `held`, which answers it with an error naming it ("the held query's answer"). `answer` may answer a query
 * at once instead, with the data it returns (undefined: held), such as the reads that start a subscription.
 */
export async function holdingGraphNode(answer: (query: string) => object | undefined = () => undefined): Promise<{
  url: string;
  held: (() => void)[];
  openQueries(): number;
  /** Indexes one more block: `_meta` names it from now on. */
  advance(): void;
  close(): Promise<void>;
}> {
  const held: (() => void)[] = [];
  let indexed = 7;
  const open = new Set<http.ServerResponse>();
  const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const { query } = JSON.parse(body) as { query: string };
      const reply = (payload: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(payload));
      if (query.startsWith("{ _meta {")) {
        const block = { number: indexed, hash: hash(indexed), timestamp: 1000 + indexed, parentHash: hash(indexed - 1) };
        reply({ data: { _meta: { block, hasIndexingErrors: false, deployment: "Qm" } } });
        return;
      }
      const data = answer(query);
      if (data !== undefined) {
        reply({ data });
        return;
      }
      open.add(res);
      res.on("close", () => open.delete(res));
      held.push(() => reply({ errors: [{ message: "the held query's answer" }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/latent`,
    held,
    openQueries: () => open.size,
    advance: () => void indexed++,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
