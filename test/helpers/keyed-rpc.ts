// A fake JSON-RPC node behind a key-bearing URL (http://127.0.0.1:<port>/v2/<KEY>, as Alchemy's), for the tests that
// the CLIs keep the key out of what they print. It answers what a program needs to start (eth_chainId, any block by
// number) and fails everything else with HTTP 503 and a body that echoes the URL, as a proxy in front of a node may.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export const API_KEY = "sEcReTkEy";

export interface KeyedRpc {
  /** http://127.0.0.1:<port>/v2/<API_KEY> */
  url: string;
  /** http://127.0.0.1:<port>, what messages should still show. */
  origin: string;
  /** Requests it failed so far. */
  failures: number;
  close(): Promise<void>;
}

interface Call {
  id: number;
  method: string;
  params: unknown[];
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const hash = (n: number): string => `0x${n.toString(16).padStart(64, "0")}`;

function block(n: number): Record<string, unknown> {
  return {
    number: hex(n),
    hash: hash(n + 1),
    parentHash: hash(n),
    timestamp: hex(1_700_000_000 + n),
    gasUsed: "0x0",
    gasLimit: "0x1c9c380",
    difficulty: "0x0",
    totalDifficulty: "0x0",
    transactions: [],
  };
}

function answer(call: Call): unknown {
  if (call.method === "eth_chainId") return { jsonrpc: "2.0", id: call.id, result: hex(31337) };
  if (call.method === "eth_getBlockByNumber") {
    const tag = call.params[0];
    return { jsonrpc: "2.0", id: call.id, result: block(typeof tag === "string" && tag.startsWith("0x") ? Number(tag) : 0) };
  }
  return null;
}

export async function startKeyedRpc(): Promise<KeyedRpc> {
  const state = { failures: 0 };
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const url = `http://${request.headers.host}${request.url}`;
      let calls: Call[] = [];
      try {
        const parsed = JSON.parse(body) as Call | Call[];
        calls = Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        // an empty or broken body fails below, as any unanswered call does
      }
      const answers = calls.map(answer);
      if (request.url !== `/v2/${API_KEY}` || calls.length === 0 || answers.some((a) => a === null)) {
        state.failures += 1;
        response.writeHead(503, { "content-type": "text/plain" });
        response.end(`upstream ${url} unavailable`);
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(Array.isArray(JSON.parse(body)) ? answers : answers[0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/v2/${API_KEY}`,
    origin,
    get failures() {
      return state.failures;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A deployment record for the fake node's chain: every contract the subgraph build indexes, at a made-up address. */
export function fakeDeployment(buildDir: string): { network: string; chainId: number; contracts: Record<string, { address: string; blockNumber: number }> } {
  const names = fs.readdirSync(buildDir).filter((name) => fs.statSync(path.join(buildDir, name)).isDirectory());
  const contracts = Object.fromEntries(names.map((name, i) => [name, { address: `0x${(i + 1).toString(16).padStart(40, "0")}`, blockNumber: 1 }]));
  return { network: "localhost", chainId: 31337, contracts };
}
