// The worker handle's own options (hangTimeoutMs, maxHeapMb, restart), which Indexer.open does not take: refused with
// an IndexerOptionError naming the option and the value before a thread starts, by the rules' table Indexer.open's own
// options are checked against (option-rules.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { IndexerOptionError, IndexerWorker, type IndexerWorkerOptions } from "../../../../subgraph/indexer";
import { MAX_TIMER_MS } from "../../../../subgraph/indexer/option-rules";

/** Nothing listens there: a thread that starts fails to open, which these tests do not wait for. */
const NOWHERE = "http://127.0.0.1:1";

describe("embedded indexer: the worker handle's own options", function () {
  let dir: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-worker-options-"));
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const base = (): IndexerWorkerOptions => ({ subgraph: dir, rpc: NOWHERE, db: path.join(dir, "index.sqlite") });

  /** Why the handle refused `options` (null: it took them, started a thread, and was stopped). */
  async function refusal(options: Partial<IndexerWorkerOptions>): Promise<unknown> {
    let worker: IndexerWorker;
    try {
      worker = new IndexerWorker({ ...base(), ...options });
    } catch (error) {
      return error;
    }
    await worker.stop();
    return null;
  }

  async function expectRefused(options: Partial<IndexerWorkerOptions>, message: string): Promise<void> {
    const error = await refusal(options);
    expect(error, JSON.stringify(options)).to.be.instanceOf(IndexerOptionError);
    expect((error as Error).message).to.equal(message);
    // The option as data: its name is the message's first word.
    expect((error as IndexerOptionError).option, message).to.equal(message.split(" ")[0]);
    expect(fs.readdirSync(dir), "nothing written").to.deep.equal([]);
  }

  it("refuses a hangTimeoutMs that is not 0 (never) or a whole number of milliseconds from 1000, naming it and the value", async function () {
    // 0.001 set the watchdog checking every millisecond, and called the thread hung almost at once.
    for (const value of [0.001, 1, 999, 1000.5, -1, NaN, Infinity, MAX_TIMER_MS + 1]) {
      await expectRefused(
        { hangTimeoutMs: value },
        `hangTimeoutMs must be a whole number of milliseconds, 0 (never) or at least 1000, at most 2147483647 (got ${value})`,
      );
    }
  });

  it("refuses a maxHeapMb below the 5 MB V8 needs to start a thread, or not whole, naming it and the value", async function () {
    for (const value of [0, 4, -1, 5.5, NaN, Infinity]) {
      await expectRefused({ maxHeapMb: value }, `maxHeapMb must be a whole number of megabytes, at least 5 (got ${value})`);
    }
  });

  it("refuses restart delays of 0 (a thread that dies at once restarted with no pause), NaN, negative or past a timer's", async function () {
    for (const field of ["initialDelayMs", "maxDelayMs"] as const) {
      for (const value of [0, -1, NaN, Infinity, MAX_TIMER_MS + 1]) {
        await expectRefused(
          { restart: { [field]: value } },
          `restart.${field} must be a number of milliseconds, at least 1, at most 2147483647 (got ${value})`,
        );
      }
    }
  });

  it("refuses a restart.maxDelayMs below the restart.initialDelayMs given with it", async function () {
    await expectRefused(
      { restart: { initialDelayMs: 5000, maxDelayMs: 10 } },
      "restart.maxDelayMs must be at least restart.initialDelayMs (got initialDelayMs 5000, maxDelayMs 10)",
    );
  });

  it("takes each option's edge values, and a restart delay given alone whatever the other's default", async function () {
    const accepted: Array<Partial<IndexerWorkerOptions>> = [
      { hangTimeoutMs: 0, maxHeapMb: 5, restart: { initialDelayMs: 1, maxDelayMs: 1 } },
      { hangTimeoutMs: 1000, restart: { initialDelayMs: MAX_TIMER_MS } },
      { hangTimeoutMs: MAX_TIMER_MS, restart: { maxDelayMs: 1 } },
    ];
    for (const options of accepted) expect(await refusal(options), JSON.stringify(options)).to.equal(null);
  });
});
