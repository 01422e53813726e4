// Publishes a result document and names it. The escrow takes a resultURI of at most MAX_URI_LENGTH (256) bytes,
// so a result is inlined as a data: URI only when that URI fits; a larger one is written to the results directory
// under its own hash (content-addressed: rewriting it is harmless) and named by the public base URL, if the
// provider serves the directory, or by its file: URL.
//
// Retention: next to each result file, `<hash>.jobs` lists the jobs that submitted it (a line each, `<chain id>:<JobEscrow>
// <job id>`; two jobs can compute the same bytes). `prune` deletes a file older than the retention once every job listed
// is over on-chain, so no client or arbitrator can still need it; a file no job is listed for is never deleted. Job ids
// are counted per JobEscrow: workers of two chains may share the directory, and the same id there names another job.

import * as fs from "node:fs/promises";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { makeDirectory } from "../../../subgraph/indexer/directories";
import { processAlive, processStartTime, processStillRunning } from "../../processes";
import type { ResultsConfig } from "../config";
import type { Logger } from "../logger";
import { JobStatus } from "../market";
import { sleep } from "../retry";
import { keccak256OffThread } from "./threads";

export const RESULT_DATA_URI_PREFIX = "data:application/octet-stream;base64,";

export interface PublishedResult {
  resultHash: string;
  resultURI: string;
}

/** The results directory or public base URL is so long that no result URI fits the escrow's limit. */
export class ResultUriTooLongError extends Error {
  constructor(
    readonly uri: string,
    readonly maxUriBytes: number,
  ) {
    super(
      `result URI ${uri} is longer than ${maxUriBytes} bytes; shorten config.results.dir or config.results.publicBaseUrl`,
    );
    this.name = "ResultUriTooLongError";
  }
}

/** A result file could not be written for want of space (its disk full, or the quota spent). */
export class ResultWriteError extends Error {
  constructor(
    readonly dir: string,
    /** The system's code: ENOSPC or EDQUOT. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot write the result file to ${dir}: no space left on its disk (${code}); free space there`, options);
    this.name = "ResultWriteError";
  }
}

// What a write refused for want of space fails with: space can be freed while the job still runs.
const NO_SPACE_CODES: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT"]);

export interface ResultStoreOptions {
  /** Where a write waiting for space is logged. */
  logger?: Logger;
  /** Pause between two tries of a write refused for want of space (the retry policy's maxDelayMs). Default 30 s. */
  retryDelayMs?: number;
  /** Writes a file: fs.promises.writeFile, or a stand-in (tests: a full disk). */
  writeFile?: (file: string, bytes: Uint8Array) => Promise<void>;
}

/** After these a job's result is read by no one: settled or refunded, no dispute can follow. */
const FINISHED_STATUSES: ReadonlySet<JobStatus> = new Set([
  JobStatus.Completed,
  JobStatus.Refunded,
  JobStatus.TimedOut,
  JobStatus.Cancelled,
  JobStatus.Expired,
  JobStatus.Declined,
]);

const RESULT_FILE_NAME = /^([0-9a-f]{64})\.bin$/;
/**
 * What `publish` writes before its rename: `<hash>.bin.<writer pid>-<its start time>.<ms>.tmp` on Linux, where the
 * start time (processStartTime's) tells the writer from a later process given its pid; `<hash>.bin.<pid>.<ms>.tmp`
 * elsewhere, and from workers before the start time was recorded.
 */
const TEMPORARY_FILE_NAME = /^[0-9a-f]{64}\.bin\.([0-9]{1,10})(?:-([0-9]{1,20}))?\.[0-9]{1,16}\.tmp$/;
const OWN_START_TIME = processStartTime(process.pid);
/** This process's part of its temporary files' names: its pid, and its start time where the system tells it. */
const OWN_WRITER = OWN_START_TIME === undefined ? `${process.pid}` : `${process.pid}-${OWN_START_TIME}`;

export interface PruneReport {
  /** File names deleted. */
  deleted: string[];
  /** Result files kept: younger than the retention, a job not over, or no job listed. */
  kept: number;
}

/** Where results go and how they are named: the results config less what the daemon does with old files. */
export type ResultLocation = Omit<ResultsConfig, "retentionMs">;

/** The JobEscrow a job id is counted by, as the job lists write it: `<chain id>:<address in lowercase>`. */
export function escrowKey(chainId: number | bigint, jobEscrow: string): string {
  return `${chainId}:${jobEscrow.toLowerCase()}`;
}

/**
 * A line of a job list: the job's escrow (escrowKey) and id, or the id alone, as workers before the escrow was written
 * (or a store told no escrow) wrote it.
 */
const JOB_LINE = /^(?:([0-9]{1,20}:0x[0-9a-fA-F]{40}) )?([0-9]{1,78})$/;

export class ResultStore {
  constructor(
    private readonly config: ResultLocation,
    private readonly options: ResultStoreOptions = {},
  ) {}

  /**
   * Lists `jobId` of the JobEscrow `escrow` (escrowKey) as a job whose result is `result`'s file; nothing for an
   * inlined result.
   */
  async recordJob(jobId: bigint, result: PublishedResult, escrow?: string): Promise<void> {
    if (result.resultURI.startsWith(RESULT_DATA_URI_PREFIX)) return;
    const line = escrow === undefined ? `${jobId}` : `${escrow} ${jobId}`;
    await fs.appendFile(jobsFile(resultFile(this.config, result.resultHash).file), `${line}\n`);
  }

  /**
   * Deletes each result file last written more than `retentionMs` before `nowMs` whose listed jobs are all over,
   * as `status` reads them from the chain of `escrow` (escrowKey). A job listed for another escrow (or for any, where
   * `escrow` is not given) is one `status` cannot read (another chain's worker shares the directory, and its id names
   * another job here): its file is kept. A failed
   * read is thrown: nothing is deleted on a guess. A retention of 0 (results.retentionDays 0) keeps every file.
   */
  async prune(
    retentionMs: number,
    status: (jobId: bigint) => Promise<JobStatus>,
    { nowMs = Date.now(), escrow }: { nowMs?: number; escrow?: string } = {},
  ): Promise<PruneReport> {
    const report: PruneReport = { deleted: [], kept: 0 };
    if (retentionMs <= 0) return report;
    let names: string[];
    try {
      names = await fs.readdir(this.config.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return report;
      throw error;
    }
    for (const name of names.sort()) {
      if (!RESULT_FILE_NAME.test(name)) continue;
      const file = path.join(this.config.dir, name);
      const before = await fileState(file);
      if (before === undefined) continue;
      let over = before.mtimeMs <= nowMs - retentionMs && before.jobs.length > 0;
      for (const job of before.jobs) {
        if (!over) break;
        // An id alone was written by a worker that knew one chain, the one it pruned for: read as this escrow's, as then.
        over = (job.escrow === undefined || job.escrow === escrow) && FINISHED_STATUSES.has(await status(job.jobId));
      }
      // Written again meanwhile (the same result for a new job): that job may need it.
      const after = over ? await fileState(file) : undefined;
      if (after === undefined || after.mtimeMs !== before.mtimeMs || after.lines.join() !== before.lines.join()) {
        report.kept += 1;
        continue;
      }
      await fs.rm(file, { force: true });
      await fs.rm(jobsFile(file), { force: true });
      report.deleted.push(name);
    }
    return report;
  }

  /**
   * Deletes the temporary files of publishes that never reached their rename (the writer crashed in between), and
   * returns their names. Only a writer that is gone is judged: another worker sharing the directory may be mid-write.
   * A writer is the pid and start time in the name, so a process that took the pid since is not the writer; a name
   * with no start time has only its pid to go by, and this process's own pid then counts as gone for files older than
   * this process (an earlier process had the pid).
   */
  async removeStaleTemporaries(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.config.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const startedMs = Date.now() - process.uptime() * 1000;
    const removed: string[] = [];
    for (const name of names.sort()) {
      const match = TEMPORARY_FILE_NAME.exec(name);
      if (match === null) continue;
      const file = path.join(this.config.dir, name);
      const pid = Number(match[1]);
      const startTime = match[2];
      if (startTime !== undefined) {
        if (processStillRunning(pid, startTime)) continue;
      } else if (pid === process.pid) {
        const stat = await fs.stat(file).catch(() => undefined);
        if (stat === undefined || stat.mtimeMs >= startedMs) continue;
      } else if (processAlive(pid)) continue;
      await fs.rm(file, { force: true });
      removed.push(name);
    }
    return removed;
  }

  /**
   * `knownHash`: keccak256(bytes) when the caller already computed it (off the event loop). `signal`: the run's. A write
   * refused for want of space is tried again until it aborts (the job is accepted, and its result computed: left
   * unsubmitted the job is slashed, while the provider may free space meanwhile), logged at each try; then, or at once
   * without a signal, it fails as ResultWriteError. A write that fails leaves no part of the file behind.
   */
  async publish(bytes: Uint8Array, knownHash?: string, signal?: AbortSignal): Promise<PublishedResult> {
    const resultHash = knownHash ?? (await keccak256OffThread(bytes));
    const inline = RESULT_DATA_URI_PREFIX + Buffer.from(bytes).toString("base64");
    if (Buffer.byteLength(inline) <= this.config.maxUriBytes) return { resultHash, resultURI: inline };

    const { file, resultURI } = resultFile(this.config, resultHash);
    if (Buffer.byteLength(resultURI) > this.config.maxUriBytes)
      throw new ResultUriTooLongError(resultURI, this.config.maxUriBytes);

    const { logger, retryDelayMs = 30_000 } = this.options;
    for (;;) {
      try {
        await this.write(file, bytes);
        return { resultHash, resultURI };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === undefined || !NO_SPACE_CODES.has(code)) throw error;
        if (signal === undefined || signal.aborted) throw new ResultWriteError(this.config.dir, code, { cause: error });
        logger?.warn("cannot write a result file: no space left on its disk; trying again until the job's run time is up (free space there)", {
          dir: this.config.dir,
          resultHash,
          code,
          delayMs: retryDelayMs,
        });
        try {
          await sleep(retryDelayMs, signal);
        } catch {
          throw new ResultWriteError(this.config.dir, code, { cause: error });
        }
      }
    }
  }

  /** Write then rename, so a reader (or a crash) never sees a half-written result under its final name. */
  private async write(file: string, bytes: Uint8Array): Promise<void> {
    makeDirectory(this.config.dir);
    const temporary = `${file}.${OWN_WRITER}.${Date.now()}.tmp`;
    try {
      await (this.options.writeFile ?? fs.writeFile)(temporary, bytes);
      await fs.rename(temporary, file);
    } catch (error) {
      // What was written of it holds space the next try (or another job) needs, and no job would ever name it.
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}

function jobsFile(resultFile: string): string {
  return `${resultFile.slice(0, -".bin".length)}.jobs`;
}

interface ListedJob {
  /** escrowKey, where the line names one. */
  escrow?: string;
  jobId: bigint;
}

/** The file's last write and the jobs listed for it (and the lines, as written); undefined once it is gone. */
async function fileState(file: string): Promise<{ mtimeMs: number; jobs: ListedJob[]; lines: string[] } | undefined> {
  let mtimeMs: number;
  try {
    mtimeMs = (await fs.stat(file)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let text = "";
  try {
    text = await fs.readFile(jobsFile(file), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  // Only whole lines: one cut short by a crash while appending could read as another job's id.
  const lines = text.split("\n").slice(0, -1);
  const jobs: ListedJob[] = [];
  for (const line of lines) {
    const match = JOB_LINE.exec(line);
    if (match !== null) jobs.push({ escrow: match[1]?.toLowerCase(), jobId: BigInt(match[2]!) });
  }
  return { mtimeMs, jobs, lines };
}

/** Where a result too large to inline is written, and the URI that names it. Its length depends only on the config. */
export function resultFile(config: ResultLocation, resultHash: string): { file: string; resultURI: string } {
  const fileName = `${resultHash.slice(2)}.bin`;
  const file = path.join(config.dir, fileName);
  const resultURI = config.publicBaseUrl
    ? `${config.publicBaseUrl.replace(/\/+$/, "")}/${fileName}`
    : pathToFileURL(file).href;
  return { file, resultURI };
}
