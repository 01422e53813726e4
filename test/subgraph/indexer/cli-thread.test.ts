// The CLI without --port runs the indexer in a worker thread too, so that it gets the thread's protections: a heap
// capped at --max-heap-mb, and a thread found hung after --hang-timeout seconds (both were the --port mode's only).
import type { ChildProcess } from "node:child_process";
import { expect } from "chai";
import { Indexer } from "../../../subgraph/indexer";
import { collectOutput } from "../../helpers/child-output";
import { closedPort } from "../../helpers/closed-port";
import { PROCESS_START_MS, waitUntil } from "../../helpers/wait";
import { runIndexerCli, spawnIndexerCli } from "./helpers/cli";
import { startFakeNode, type FakeNode } from "./helpers/fake-node";
import { useProbeFixture } from "./helpers/use-probe-fixture";

describe("embedded indexer: the CLI's indexer thread", function () {
  // Each test starts the CLI, which may take PROCESS_START_MS under load, and waits for it with that bound.
  this.timeout(PROCESS_START_MS + 60_000);
  const children: ChildProcess[] = [];
  const nodes: FakeNode[] = [];

  after(async function () {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const node of nodes) await node.close();
  });

  // Registered after the suite's own after hook: it ends what still uses the chain before the chain closes.
  const fx = useProbeFixture();

  it("without --port indexes in a thread whose heap --max-heap-mb caps: too small a heap ends it with exit 1, naming the limit", async function () {
    // 5 MB, the least it takes, cannot even load the indexer's modules; the main thread's heap would hold them.
    const run = await runIndexerCli(["--rpc", fx.chain.url, "--db", fx.dbPath("heap.sqlite"), "--subgraph", fx.buildDir, "--max-heap-mb", "5"], 60_000);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(/^indexer: .*the indexer thread's heap is limited to 5 MB: the maxHeapMb option, the CLI's --max-heap-mb, raises it\)\n$/);
  });

  it("refuses a --max-heap-mb that is not a whole number of megabytes from 5 (maxHeapMb's rule), repeating it", async function () {
    for (const value of ["0", "4", "1.5", "lots"]) {
      const run = await runIndexerCli(["--max-heap-mb", value, "--db", fx.dbPath("never.sqlite")]);
      expect(run.code, `--max-heap-mb ${value}: ${run.stderr}`).to.equal(2);
      expect(run.stderr).to.match(new RegExp(`^--max-heap-mb needs a whole number of megabytes, at least 5 \\(got "${value}"\\)\\n`));
    }
  });

  it("without --port stops its thread and exits 0 on SIGTERM", async function () {
    const db = fx.dbPath("sigterm.sqlite");
    const child = spawnIndexerCli(["--rpc", fx.chain.url, "--db", db, "--subgraph", fx.buildDir, "--poll-ms", "50", "--quiet"]);
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes(`into ${db} (deployment Qm`)) resolve();
      });
      void exited.then((code) => reject(new Error(`the CLI exited (${code}) before it was indexing`)));
    });
    child.kill("SIGTERM");
    expect(await exited).to.equal(0);
  });

  /** The CLI started against a node that never answers, once its thread's open has asked that node for the chain id. */
  async function cliHeldByItsNode(extra: readonly string[]): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
    const silent = await startFakeNode(() => "no-answer");
    nodes.push(silent);
    const child = spawnIndexerCli(["--rpc", silent.url, "--db", fx.dbPath(`held-${nodes.length}.sqlite`), "--subgraph", fx.buildDir, ...extra]);
    children.push(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    // Asked from the thread's open, so after the CLI took its signal handlers: a signal now reaches them, not the default.
    // The CLI's start, up to its thread's open: the gateway CLI's same wait ran out of 40 s at load average 25.
    await waitUntil(() => silent.methods.includes("eth_chainId"), "the thread's open asks the node for the chain id", { timeoutMs: PROCESS_START_MS });
    return { child, exited };
  }

  it("stops a thread that is still opening (its node holding the reads) and exits 0 on SIGINT", async function () {
    const { child, exited } = await cliHeldByItsNode(["--quiet"]);
    child.kill("SIGINT");
    expect(await exited).to.deep.equal({ code: 0, signal: null });
  });

  it("with --once leaves SIGTERM its default action: the run it was asked for did not end, and the process dies of the signal", async function () {
    const { child, exited } = await cliHeldByItsNode(["--once", "--quiet"]);
    child.kill("SIGTERM");
    expect(await exited).to.deep.equal({ code: null, signal: "SIGTERM" });
  });

  it("exits 1 with the reason when the thread's first start fails: the node not listening, the database another indexer's", async function () {
    const port = await closedPort();
    const taken = fx.dbPath("taken.sqlite");
    const holder = await Indexer.open({ subgraph: fx.buildDir, rpc: fx.chain.url, db: taken });
    try {
      const cases: Array<[string, string, RegExp]> = [
        [`http://127.0.0.1:${port}`, fx.dbPath("no-node.sqlite"), new RegExp(`^indexer: indexer worker: eth_chainId failed: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`)],
        [fx.chain.url, taken, new RegExp(`^indexer: indexer worker: ${taken} is being indexed by another indexer \\(pid ${process.pid}\\), which holds ${taken}\\.lock: stop it, or index into another file\\n$`)],
      ];
      for (const [rpc, db, message] of cases) {
        const run = await runIndexerCli(["--rpc", rpc, "--db", db, "--subgraph", fx.buildDir, "--quiet", "--log-level", "critical"], 60_000);
        expect(run.code, `${rpc} ${db}: ${run.stderr}`).to.equal(1);
        expect(run.stderr, `${rpc} ${db}`).to.match(message);
      }
    } finally {
      await holder.close();
    }
  });

  it("without --port finds a mapping stuck in an endless loop after --hang-timeout, names its block, and with --once exits 1", async function () {
    // Mode 12: the fixture's handler loops for ever.
    await fx.probe.send("probe", [12, "spin"]);
    const block = await fx.chain.blockNumber();
    const run = await runIndexerCli(
      ["--rpc", fx.chain.url, "--db", fx.dbPath("hangs.sqlite"), "--subgraph", fx.buildDir, "--once", "--hang-timeout", "1"],
      // The CLI's start, then its pass up to the spinning block.
      PROCESS_START_MS,
    );
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(
      new RegExp(
        `ERROR indexer: the indexer worker thread did not answer for 1000 ms while processing block ${block}; it is terminated and not restarted\\n$`,
      ),
    );
    expect(run.stdout).to.not.match(/^done:/m);
  });

  it("without --once restarts a thread found hung after --hang-timeout, 1 s later, logging the block it hung in", async function () {
    // Mode 12: the fixture's handler loops for ever; every thread restarted hangs in the first block that has it.
    await fx.probe.send("probe", [12, "spin"]);
    const child = spawnIndexerCli(["--rpc", fx.chain.url, "--db", fx.dbPath("hangs-restarted.sqlite"), "--subgraph", fx.buildDir, "--hang-timeout", "1", "--quiet"]);
    children.push(child);
    const output = collectOutput(child);
    await waitUntil(() => output.stderr.includes("the worker thread runs again") || child.exitCode !== null, "the CLI restarts its thread", {
      timeoutMs: PROCESS_START_MS,
    });
    child.kill("SIGKILL");
    expect(output.stderr).to.match(
      /ERROR indexer: the indexer worker thread did not answer for 1000 ms while processing block \d+; it is terminated and restarted in 1000 ms\n.*INFO indexer: the worker thread runs again, from block \d+\n/s,
    );
  });
});
