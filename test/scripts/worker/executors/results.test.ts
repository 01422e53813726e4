import { expect } from "chai";
import { keccak256 } from "ethers";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  RESULT_DATA_URI_PREFIX,
  escrowKey,
  ResultStore,
  ResultUriTooLongError,
  ResultWriteError,
} from "../../../../scripts/worker/executors/results";
import { createLogger, type LogRecord } from "../../../../scripts/worker/logger";
import { JobStatus } from "../../../../scripts/worker/market";
import { waitUntil } from "../../../helpers/wait";

describe("result store", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-results-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("inlines a result whose data: URI fits the escrow's URI limit", async () => {
    const bytes = Buffer.alloc(150, 7);
    const published = await new ResultStore({ dir, maxUriBytes: 256 }).publish(bytes);
    expect(published.resultURI).to.equal(RESULT_DATA_URI_PREFIX + bytes.toString("base64"));
    expect(published.resultURI.length).to.be.at.most(256);
    expect(published.resultHash).to.equal(keccak256(bytes));
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("writes a larger result to the results directory under its hash", async () => {
    const bytes = Buffer.alloc(200, 7);
    const published = await new ResultStore({ dir, maxUriBytes: 256 }).publish(bytes);
    const file = path.join(dir, `${keccak256(bytes).slice(2)}.bin`);
    expect(published.resultURI).to.equal(`file://${file}`);
    expect(fs.readFileSync(file).equals(bytes)).to.equal(true);
  });

  it("names a file by the public base URL when the directory is served", async () => {
    const bytes = Buffer.alloc(300, 1);
    const store = new ResultStore({ dir, maxUriBytes: 256, publicBaseUrl: "https://worker.example.org/results/" });
    const published = await store.publish(bytes);
    expect(published.resultURI).to.equal(`https://worker.example.org/results/${keccak256(bytes).slice(2)}.bin`);
  });

  it("fails a write to a results directory mkdir answers ENOENT under a parent that exists (/proc/x), where Node's recursive mkdir would retry forever", async () => {
    const error = await new ResultStore({ dir: "/proc/x", maxUriBytes: 256 }).publish(Buffer.alloc(300)).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.have.property("code", "ENOENT");
    expect(error).to.have.property("path", "/proc/x");
  });

  it("hashes a result above a megabyte off the event loop to the same keccak256", async () => {
    const bytes = new Uint8Array(1024 * 1024 + 3).map((_, index) => index % 251);
    const published = await new ResultStore({ dir, maxUriBytes: 256 }).publish(bytes);
    expect(published.resultHash).to.equal(keccak256(bytes));
  });

  it("refuses a file URI longer than the limit instead of letting the escrow revert", async () => {
    const deep = path.join(dir, "x".repeat(200));
    const error = await new ResultStore({ dir: deep, maxUriBytes: 256 }).publish(Buffer.alloc(300)).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(ResultUriTooLongError);
  });
});

describe("result store on a full disk", () => {
  let dir: string;
  let logs: LogRecord[];
  /** Writes refused for want of space, as a full disk refuses them: part of the file written, then ENOSPC. */
  let fullWrites: number;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-results-"));
    logs = [];
    fullWrites = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function storeOnDisk(fullFor: number): ResultStore {
    return new ResultStore(
      { dir, maxUriBytes: 256 },
      {
        logger: createLogger("info", (record) => logs.push(record)),
        retryDelayMs: 1,
        writeFile: async (file, bytes) => {
          if (fullWrites >= fullFor) return fs.promises.writeFile(file, bytes);
          fullWrites += 1;
          await fs.promises.writeFile(file, bytes.subarray(0, 10));
          throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: "ENOSPC", errno: -28, syscall: "write" });
        },
      },
    );
  }

  it("waits while the disk is full, logging each try and removing the part written, and writes the result once space is freed", async () => {
    const bytes = Buffer.alloc(300, 5);
    const published = await storeOnDisk(2).publish(bytes, undefined, new AbortController().signal);
    const file = path.join(dir, `${keccak256(bytes).slice(2)}.bin`);
    expect(published.resultURI).to.equal(`file://${file}`);
    expect(fs.readFileSync(file).equals(bytes)).to.equal(true);
    expect(fs.readdirSync(dir)).to.deep.equal([path.basename(file)]);
    const warnings = logs.filter((record) => record.level === "warn");
    expect(warnings.map((record) => record.msg)).to.deep.equal([
      "cannot write a result file: no space left on its disk; trying again until the job's run time is up (free space there)",
      "cannot write a result file: no space left on its disk; trying again until the job's run time is up (free space there)",
    ]);
    expect(warnings[0].fields).to.deep.include({ dir, resultHash: keccak256(bytes), code: "ENOSPC" });
  });

  it("gives up with ResultWriteError, naming the directory, once the run's signal ends while the disk stays full", async () => {
    const run = new AbortController();
    const writing = storeOnDisk(Infinity).publish(Buffer.alloc(300, 5), undefined, run.signal).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    await waitUntil(() => fullWrites >= 2, "two writes refused");
    run.abort();
    const error = await writing;
    expect(error).to.be.instanceOf(ResultWriteError);
    expect((error as ResultWriteError).message).to.equal(
      `cannot write the result file to ${dir}: no space left on its disk (ENOSPC); free space there`,
    );
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("gives up at once, with ResultWriteError, when not given a signal to wait by", async () => {
    const error = await storeOnDisk(1).publish(Buffer.alloc(300, 5)).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(ResultWriteError);
    expect(fullWrites).to.equal(1);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });
});

describe("stale temporary result files", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-results-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const hash = "ab".repeat(32);
  /** A pid no process has now: a child that has exited and been reaped. */
  const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid as number;
  const write = (name: string, mtime?: Date): string => {
    fs.writeFileSync(path.join(dir, name), "partial");
    if (mtime) fs.utimesSync(path.join(dir, name), mtime, mtime);
    return name;
  };

  it("removes the temporary files of writers that are gone, and only the worker's own temporary files", async () => {
    const dead = write(`${hash}.bin.${deadPid()}.1700000000000.tmp`);
    const earlierSamePid = write(`${hash}.bin.${process.pid}.1700000000001.tmp`, new Date(Date.now() - process.uptime() * 1000 - 60_000));
    const live = write(`${hash}.bin.${process.ppid}.1700000000002.tmp`);
    const ownNow = write(`${hash}.bin.${process.pid}.1700000000003.tmp`);
    const others = [write(`${hash}.bin`), write(`${hash}.jobs`), write(`notes.${deadPid()}.1.tmp`), write(`${hash}.bin.tmp`)];
    const removed = await new ResultStore({ dir, maxUriBytes: 256 }).removeStaleTemporaries();
    expect(removed.sort()).to.deep.equal([dead, earlierSamePid].sort());
    expect(fs.readdirSync(dir).sort()).to.deep.equal([live, ownNow, ...others].sort());
  });

  it("removes a temporary file whose pid runs again in a process started at another time than the writer", async function () {
    if (process.platform !== "linux") this.skip();
    // Field 22 of /proc/<pid>/stat; the test's processes are node, whose name holds no ") ".
    const started = (pid: number): string => fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[22 - 3];
    const parentStarted = started(process.ppid);
    const ownStarted = started(process.pid);
    const otherStart = (startTime: string): string => String(BigInt(startTime) + 1n);
    const live = write(`${hash}.bin.${process.ppid}-${parentStarted}.1700000000000.tmp`);
    const reusedPid = write(`${hash}.bin.${process.ppid}-${otherStart(parentStarted)}.1700000000001.tmp`);
    const ownNow = write(`${hash}.bin.${process.pid}-${ownStarted}.1700000000002.tmp`);
    const ownPidEarlier = write(`${hash}.bin.${process.pid}-${otherStart(ownStarted)}.1700000000003.tmp`);
    const removed = await new ResultStore({ dir, maxUriBytes: 256 }).removeStaleTemporaries();
    expect(removed.sort()).to.deep.equal([reusedPid, ownPidEarlier].sort());
    expect(fs.readdirSync(dir).sort()).to.deep.equal([live, ownNow].sort());
  });

  it("finds nothing to remove in a results directory not yet created", async () => {
    const store = new ResultStore({ dir: path.join(dir, "missing"), maxUriBytes: 256 });
    expect(await store.removeStaleTemporaries()).to.deep.equal([]);
  });
});

describe("result retention", () => {
  const DAY_MS = 86_400_000;
  const NOW = Date.UTC(2026, 0, 31);
  let dir: string;
  let store: ResultStore;
  /** The jobs' on-chain statuses, as the worker would read them. */
  let statuses: Map<bigint, JobStatus>;
  const status = async (jobId: bigint): Promise<JobStatus> => statuses.get(jobId) ?? JobStatus.None;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-retention-"));
    store = new ResultStore({ dir, maxUriBytes: 256 });
    statuses = new Map();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Publishes a file result `ageDays` old (by its last write) and records it for `jobIds`. */
  async function result(seed: number, ageDays: number, ...jobIds: bigint[]): Promise<string> {
    const published = await store.publish(Buffer.alloc(300, seed));
    for (const jobId of jobIds) await store.recordJob(jobId, published);
    const file = path.join(dir, `${published.resultHash.slice(2)}.bin`);
    const written = new Date(NOW - ageDays * DAY_MS);
    fs.utimesSync(file, written, written);
    return file;
  }

  it("deletes a file older than the retention, and its job list, once every job it served is over", async () => {
    const file = await result(1, 31, 1n, 2n);
    statuses.set(1n, JobStatus.Completed).set(2n, JobStatus.Refunded);
    const report = await store.prune(30 * DAY_MS, status, { nowMs: NOW });
    expect(report).to.deep.equal({ deleted: [path.basename(file)], kept: 0 });
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("counts a job as over once Completed, Refunded, TimedOut, or never accepted (Cancelled, Expired, Declined)", async () => {
    const over = [
      JobStatus.Completed,
      JobStatus.Refunded,
      JobStatus.TimedOut,
      JobStatus.Cancelled,
      JobStatus.Expired,
      JobStatus.Declined,
    ];
    for (const [index, jobStatus] of over.entries()) {
      await result(index + 1, 31, BigInt(index + 1));
      statuses.set(BigInt(index + 1), jobStatus);
    }
    expect(await store.prune(30 * DAY_MS, status, { nowMs: NOW })).to.include({ kept: 0 });
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("keeps a file whose job is submitted or disputed, however old", async () => {
    const submitted = await result(1, 365, 1n);
    const disputed = await result(2, 365, 2n);
    statuses.set(1n, JobStatus.Submitted).set(2n, JobStatus.Disputed);
    expect(await store.prune(DAY_MS, status, { nowMs: NOW })).to.deep.equal({ deleted: [], kept: 2 });
    expect(fs.existsSync(submitted) && fs.existsSync(disputed)).to.equal(true);
  });

  it("keeps a file one of whose jobs is not over, though another that computed the same bytes is", async () => {
    const file = await result(1, 60, 1n, 2n);
    statuses.set(1n, JobStatus.Completed).set(2n, JobStatus.Accepted);
    expect(await store.prune(30 * DAY_MS, status, { nowMs: NOW })).to.deep.equal({ deleted: [], kept: 1 });
    expect(fs.existsSync(file)).to.equal(true);
  });

  it("keeps a file of a finished job until it is older than the retention", async () => {
    const file = await result(1, 29, 1n);
    statuses.set(1n, JobStatus.Completed);
    expect(await store.prune(30 * DAY_MS, status, { nowMs: NOW })).to.deep.equal({ deleted: [], kept: 1 });
    expect(fs.existsSync(file)).to.equal(true);
  });

  it("keeps a file no job is recorded for, and a job the chain does not know", async () => {
    const unrecorded = await result(1, 60);
    const unknown = await result(2, 60, 7n);
    expect(await store.prune(30 * DAY_MS, status, { nowMs: NOW })).to.deep.equal({ deleted: [], kept: 2 });
    expect(fs.existsSync(unrecorded) && fs.existsSync(unknown)).to.equal(true);
  });

  it("keeps a file whose job another chain's escrow lists under an id that names a finished job here", async () => {
    const here = escrowKey(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const there = escrowKey(11155111, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const ours = await store.publish(Buffer.alloc(300, 1));
    const theirs = await store.publish(Buffer.alloc(300, 2));
    await store.recordJob(1n, ours, here);
    await store.recordJob(1n, theirs, there);
    for (const published of [ours, theirs]) {
      const old = new Date(NOW - 31 * DAY_MS);
      fs.utimesSync(path.join(dir, `${published.resultHash.slice(2)}.bin`), old, old);
    }
    statuses.set(1n, JobStatus.Completed);
    expect(await store.prune(30 * DAY_MS, status, { nowMs: NOW, escrow: here })).to.deep.equal({
      deleted: [`${ours.resultHash.slice(2)}.bin`],
      kept: 1,
    });
    expect(fs.readFileSync(path.join(dir, `${theirs.resultHash.slice(2)}.jobs`), "utf8")).to.equal(
      "11155111:0x5fbdb2315678afecb367f032d93f642f64180aa3 1\n",
    );
  });

  it("reads a job listed by its id alone, as a worker before the escrow was written lists it, as the pruning escrow's", async () => {
    const file = await result(1, 31, 1n);
    statuses.set(1n, JobStatus.Completed);
    const escrow = escrowKey(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    expect(await store.prune(30 * DAY_MS, status, { nowMs: NOW, escrow })).to.deep.equal({ deleted: [path.basename(file)], kept: 0 });
  });

  it("deletes nothing when the chain cannot be read", async () => {
    const file = await result(1, 60, 1n);
    const failing = async (): Promise<JobStatus> => {
      throw new Error("connect ECONNREFUSED");
    };
    const outcome = await store.prune(30 * DAY_MS, failing, { nowMs: NOW }).then(() => undefined, (error: Error) => error.message);
    expect(outcome).to.equal("connect ECONNREFUSED");
    expect(fs.existsSync(file)).to.equal(true);
  });

  it("keeps every file with a retention of 0 (results.retentionDays 0)", async () => {
    const file = await result(1, 3650, 1n);
    statuses.set(1n, JobStatus.Completed);
    expect((await store.prune(0, status, { nowMs: NOW })).deleted).to.deep.equal([]);
    expect(fs.existsSync(file)).to.equal(true);
  });

  it("records no job for an inlined result", async () => {
    await store.recordJob(1n, await store.publish(Buffer.alloc(10)));
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });
});
