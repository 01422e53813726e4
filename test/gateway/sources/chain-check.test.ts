// The gateway's check that its subgraph URL indexes the chain it reads, not only a deployment at the same addresses:
// the indexed head's hash against the chain's hash of that block number.
import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createGatewayRuntime, SubgraphChainMismatchError, type DeploymentRecord, type GatewayRuntime } from "../../../gateway/src";
import { ChainComparer } from "../../../gateway/src/sources/chain-check";
import type { IndexedHead } from "../../../gateway/src/sources/head-watcher";
import { indexingStatus } from "../../../gateway/src/services/indexing";
import { collectOutput, spawnTsCli } from "../../helpers/child-output";
import { waitUntil } from "../../helpers/wait";
import { environment } from "../helpers/environment";
import { recordingLogger } from "../helpers/recording-logger";
import type { LocalChain } from "../helpers/local-chain";

const OTHER_HASH = `0x${"ab".repeat(32)}`;


function indexedHead(number: number, hash: string | null): IndexedHead {
  return { number, hash, parentHash: null, timestamp: null, hasIndexingErrors: false };
}

/**
 * A graph-node whose subgraph holds the record's contracts (so that the deployment check passes, as it does for the
 * same deployment on another chain) at the head `head` says; assign it to move the head.
 */
async function graphNodeAt(record: DeploymentRecord, head: { number: number; hash: string }): Promise<{ subgraphUrl: string; head: { number: number; hash: string }; close(): Promise<void> }> {
  const node = { head };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const { query } = JSON.parse(body) as { query: string };
      const reply = (data: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
      if (query.includes("parameters(")) {
        reply({ protocol: { token: record.contracts["LatentToken"]!.address.toLowerCase() }, Staking: [{ contract: record.contracts["Staking"]!.address.toLowerCase() }] });
        return;
      }
      const { number, hash } = node.head;
      reply({ _meta: { block: { number, hash, timestamp: 1000 + number, parentHash: OTHER_HASH }, hasIndexingErrors: false, deployment: "QmOtherChain" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(node, {
    subgraphUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/latent`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

async function chainHashAt(chain: LocalChain, number: number): Promise<string> {
  return (await chain.ethers.getBlock(number))!.hash!.toLowerCase();
}

describe("the gateway's check that its subgraph URL indexes the chain it reads", function () {
  this.timeout(120_000);

  describe("ChainComparer", function () {
    function comparer(
      chain: { hashes: Map<number, string>; head: number; fail?: Error },
      reorgThreshold = 10,
    ): { comparer: ChainComparer; calls: () => number; headReads: () => number } {
      let calls = 0;
      let headReads = 0;
      return {
        comparer: new ChainComparer({
          reorgThreshold,
          blockHashAt: async (number) => {
            calls++;
            if (chain.fail !== undefined) throw chain.fail;
            return chain.hashes.get(number) ?? null;
          },
          chainHead: async () => {
            headReads++;
            return chain.head;
          },
        }),
        calls: () => calls,
        headReads: () => headReads,
      };
    }
    const signal = new AbortController().signal;

    it("finds the same chain where the head's hash is the chain's, whatever its case, with one eth_getBlockByNumber per head and no head read", async function () {
      const { comparer: c, calls, headReads } = comparer({ hashes: new Map([[5, OTHER_HASH]]), head: 5 });
      expect(await c.compare(indexedHead(5, OTHER_HASH.toUpperCase().replace("0X", "0x")), signal)).to.deep.equal({ kind: "same" });
      expect(await c.compare(indexedHead(5, OTHER_HASH), signal)).to.deep.equal({ kind: "same" });
      expect(calls()).to.equal(1);
      expect(headReads(), "the chain head, needed only to judge a mismatch").to.equal(0);
    });

    it("says a mismatch on a block the chain holds as final is final, naming the block and both hashes", async function () {
      const chainHash = `0x${"cd".repeat(32)}`;
      const result = await comparer({ hashes: new Map([[5, chainHash]]), head: 15 }).comparer.compare(indexedHead(5, OTHER_HASH), signal);
      expect(result).to.include({ kind: "differs", final: true });
      const error = (result as { error: SubgraphChainMismatchError }).error;
      expect(error).to.include({ block: 5, subgraphHash: OTHER_HASH, chainHash });
      expect(error.message).to.equal(
        `the subgraph indexes another chain than the RPC's: its block 5 is ${OTHER_HASH}, the chain's is ${chainHash} (check --subgraph-url and --rpc-url; a chain restarted from scratch needs its subgraph indexed again)`,
      );
    });

    it("says a mismatch within the reorg threshold of the chain head is not final (a reorg the subgraph may not have followed yet)", async function () {
      const result = await comparer({ hashes: new Map([[5, `0x${"cd".repeat(32)}`]]), head: 14 }).comparer.compare(indexedHead(5, OTHER_HASH), signal);
      expect(result).to.include({ kind: "differs", final: false });
    });

    it("says a head the chain does not have is a mismatch that is not final, naming the block", async function () {
      const result = await comparer({ hashes: new Map(), head: 4 }).comparer.compare(indexedHead(5, OTHER_HASH), signal);
      expect(result).to.include({ kind: "differs", final: false });
      expect((result as { error: SubgraphChainMismatchError }).error.message).to.equal(
        `the subgraph indexes another chain than the RPC's: its head is block 5 (${OTHER_HASH}), which the chain does not have (check --subgraph-url and --rpc-url; a chain restarted from scratch needs its subgraph indexed again)`,
      );
    });

    it("cannot tell without the head's hash, or when the chain does not answer, and says why", async function () {
      expect(await comparer({ hashes: new Map(), head: 4 }).comparer.compare(indexedHead(5, null), signal)).to.deep.equal({
        kind: "unknown",
        reason: "the subgraph does not report its head's hash",
      });
      expect(await comparer({ hashes: new Map(), head: 4, fail: new Error("connection refused") }).comparer.compare(indexedHead(5, OTHER_HASH), signal)).to.deep.equal({
        kind: "unknown",
        reason: "the chain RPC did not answer: connection refused",
      });
    });
  });

  describe("in the gateway", function () {
    it("refuses to start with SubgraphChainMismatchError when the subgraph's head differs from a final block of the chain", async function () {
      const env = await environment();
      const record = env.scenario.deployment.record;
      const node = await graphNodeAt(record, { number: 1, hash: OTHER_HASH });
      try {
        const error = await createGatewayRuntime({
          source: { subgraphUrl: node.subgraphUrl, reorgThreshold: 1 },
          chain: { rpcUrl: env.chain.url, deployment: record },
          logger: recordingLogger().logger,
        }).then(
          async (runtime: GatewayRuntime) => {
            await runtime.close();
            return null;
          },
          (e: unknown) => e,
        );
        expect(error).to.be.instanceOf(SubgraphChainMismatchError);
        expect(error).to.include({ block: 1, subgraphHash: OTHER_HASH, chainHash: await chainHashAt(env.chain, 1) });
      } finally {
        await node.close();
      }
    });

    it("starts when the subgraph's head is the chain's block, warning of nothing", async function () {
      const env = await environment();
      const record = env.scenario.deployment.record;
      const head = await env.chain.blockNumber();
      const node = await graphNodeAt(record, { number: head, hash: await chainHashAt(env.chain, head) });
      const { lines, logger } = recordingLogger();
      try {
        const runtime = await createGatewayRuntime({ source: { subgraphUrl: node.subgraphUrl }, chain: { rpcUrl: env.chain.url, deployment: record }, logger, headPollMs: 20 });
        await runtime.close();
        expect(lines().filter((line) => line.level === "warn" || line.level === "error")).to.deep.equal([]);
      } finally {
        await node.close();
      }
    });

    it("takes a mismatch near the chain head for another chain once it lasts 30 head polls, is then not ready, and is ready again once the subgraph follows the chain", async function () {
      const env = await environment();
      const record = env.scenario.deployment.record;
      const head = await env.chain.blockNumber();
      const node = await graphNodeAt(record, { number: head, hash: OTHER_HASH });
      const { lines, logger } = recordingLogger();
      const runtime = await createGatewayRuntime({
        source: { subgraphUrl: node.subgraphUrl },
        chain: { rpcUrl: env.chain.url, deployment: record },
        logger,
        headPollMs: 20,
        maxLag: 1_000_000_000,
      });
      try {
        const expected = `the subgraph indexes another chain than the RPC's: its block ${head} is ${OTHER_HASH}, the chain's is ${await chainHashAt(env.chain, head)} (check --subgraph-url and --rpc-url; a chain restarted from scratch needs its subgraph indexed again)`;
        expect(lines().filter((line) => line.level === "warn").map((line) => [line.msg, line.error, line.graceMs])).to.deep.equal([
          ["the subgraph's head is not the chain's block: a reorg it has not followed yet, or another chain; checking again", expected, 600],
        ]);
        expect(runtime.services.deploymentMismatch).to.equal(null);
        await waitUntil(() => lines().some((line) => line.level === "error"), "the mismatch outlasted the grace");
        expect(lines().filter((line) => line.level === "error").map((line) => [line.msg, line.error])).to.deep.equal([["the subgraph indexes another chain", expected]]);
        expect(runtime.services.deploymentMismatch).to.equal(expected);
        expect(await indexingStatus(runtime.services)).to.include({ ready: false });

        node.head = { number: head, hash: await chainHashAt(env.chain, head) };
        // A new head for the watcher to see: the same number under its chain hash is one.
        await waitUntil(() => runtime.services.deploymentMismatch === null, "the subgraph follows the chain again");
        expect(lines().filter((line) => line.msg === "the subgraph follows the chain again")).to.have.length(1);
        expect(await indexingStatus(runtime.services)).to.include({ ready: true });
      } finally {
        await runtime.close();
        await node.close();
      }
    });

    it("takes a subgraph ahead of the chain (a head block the chain does not have) for another chain once the grace ends", async function () {
      const env = await environment();
      const record = env.scenario.deployment.record;
      const ahead = (await env.chain.blockNumber()) + 1_000;
      const node = await graphNodeAt(record, { number: ahead, hash: OTHER_HASH });
      const { lines, logger } = recordingLogger();
      const runtime = await createGatewayRuntime({ source: { subgraphUrl: node.subgraphUrl }, chain: { rpcUrl: env.chain.url, deployment: record }, logger, headPollMs: 20 });
      try {
        await waitUntil(() => runtime.services.deploymentMismatch !== null, "the mismatch outlasted the grace");
        expect(runtime.services.deploymentMismatch).to.equal(
          `the subgraph indexes another chain than the RPC's: its head is block ${ahead} (${OTHER_HASH}), which the chain does not have (check --subgraph-url and --rpc-url; a chain restarted from scratch needs its subgraph indexed again)`,
        );
        expect(lines().filter((line) => line.level === "error").map((line) => line.msg)).to.deep.equal(["the subgraph indexes another chain"]);
      } finally {
        await runtime.close();
        await node.close();
      }
    });

    it("CLI: exits 1 with one line naming the block and both hashes when --subgraph-url indexes another chain", async function () {
      const env = await environment();
      const record = env.scenario.deployment.record;
      const node = await graphNodeAt(record, { number: 1, hash: OTHER_HASH });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-other-chain-"));
      const file = path.join(dir, "deployment.json");
      fs.writeFileSync(file, JSON.stringify(record));
      try {
        const child = spawnTsCli("gateway/src/cli.ts", ["--subgraph-url", node.subgraphUrl, "--rpc-url", env.chain.url, "--deployment", file, "--reorg-threshold", "1", "--port", "0"]);
        const output = collectOutput(child);
        expect(await output.exited, output.stderr).to.equal(1);
        expect(output.stderr).to.equal(
          `gateway: the subgraph indexes another chain than the RPC's: its block 1 is ${OTHER_HASH}, the chain's is ${await chainHashAt(env.chain, 1)} (check --subgraph-url and --rpc-url; a chain restarted from scratch needs its subgraph indexed again)\n`,
        );
      } finally {
        await node.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
