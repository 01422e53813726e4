// The gateway over the embedded indexer (a worker thread of this process), and the wait until it has indexed the
// chain up to where the seed left it, so what `npm start` prints as ready is queryable.
import * as fs from "node:fs";
import * as path from "node:path";
import { createJsonLogger, startGateway } from "../../gateway/src";
import type { GatewayHandle, Logger } from "../../gateway/src";
import type { DeploymentRecord } from "../deploy";
import { makeDirectory } from "../../subgraph/indexer/directories";
import { IndexingError, PortInUseError } from "./errors";
import { type Progress, seconds } from "./progress";

export interface ServeOptions {
  host: string;
  port: number;
  rpcUrl: string;
  /** Its file rather than the record: the gateway then tells the dashboard the tasks' --deployment (Deployment.tasks). */
  deployment: DeploymentRecord | string;
  dbPath: string;
  /** JSON-lines log of the gateway and indexer. */
  logFile: string;
}

/** How long the same error, repeated, stays off the console after it was shown (it still goes to the log file). */
const REPEAT_QUIET_MS = 60_000;

/**
 * A logger for the log file that also puts errors on stderr, one short line each: the console stays readable
 * and nothing that breaks the devnet goes unseen. An error that repeats (whatever fails at every poll while the
 * chain at --rpc-url is unreachable) is shown once a minute with its count, not twice a second.
 */
function devnetLogger(logFile: string): Logger {
  makeDirectory(path.dirname(logFile));
  const fd = fs.openSync(logFile, "w");
  let last = "";
  let shownAt = 0;
  let repeats = 0;
  return createJsonLogger({
    level: "info",
    fields: { service: "latent-gateway" },
    write: (line) => {
      fs.writeSync(fd, line);
      const record = JSON.parse(line) as { level: string; msg: string; error?: { message?: string } | string };
      if (record.level !== "error") return;
      const detail = typeof record.error === "string" ? record.error : record.error?.message;
      const text = `gateway: ${record.msg}${detail === undefined ? "" : `: ${detail}`}`;
      const now = Date.now();
      if (text === last && now - shownAt < REPEAT_QUIET_MS) {
        repeats += 1;
        return;
      }
      const again = text === last && repeats > 0 ? `; ${repeats + 1} times in ${seconds(now - shownAt)}` : "";
      process.stderr.write(`${text} (see ${logFile}${again})\n`);
      last = text;
      shownAt = now;
      repeats = 0;
    },
  });
}

export async function serveGateway(options: ServeOptions): Promise<GatewayHandle> {
  try {
    return await startGateway({
      host: options.host,
      port: options.port,
      source: {
        rpcUrl: options.rpcUrl,
        deployment: options.deployment,
        dbPath: options.dbPath,
        // Blocks come one per transaction on a devnet: look for them often, so the dashboard and a worker's
        // subscription follow within a fraction of a second.
        indexerPollMs: 250,
      },
      headPollMs: 500,
      logger: devnetLogger(options.logFile),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortInUseError(options.host, options.port, "the gateway", "--port");
    throw error;
  }
}

/** Resolves once the gateway has indexed `target`; shows progress; fails on an indexing error or after `timeoutMs`. */
export async function waitForIndexed(gateway: GatewayHandle, target: number, progress: Progress, timeoutMs = 600_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const head = gateway.head();
    if (head?.hasIndexingErrors === true) {
      throw new IndexingError(`the indexer stopped on a handler error at block ${head.number + 1}: see the gateway log`);
    }
    const indexed = head?.number ?? 0;
    if (head !== null && indexed >= target) {
      progress.step("index", `indexed up to block ${indexed} (${seconds(Date.now() - started)})`);
      return;
    }
    if (Date.now() - started > timeoutMs) throw new IndexingError(`the indexer reached block ${indexed} of ${target} in ${seconds(timeoutMs)}: see the gateway log`);
    progress.status("index", `indexing block ${indexed} / ${target} (${seconds(Date.now() - started)})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
