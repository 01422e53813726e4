// /healthz: the process serves. /readyz: the index is close enough to the chain head to be worth asking.
import type { ServerResponse } from "node:http";
import type { GatewayServices } from "../context";
import { SourceError } from "../errors";
import { indexingStatus } from "../services/indexing";

function json(res: ServerResponse, status: number, body: unknown): void {
  // Answered SHUTTING_DOWN by the server's stop at the end of its grace, while this waited for the head.
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

export function healthz(res: ServerResponse): void {
  json(res, 200, { status: "ok" });
}

export async function readyz(res: ServerResponse, services: GatewayServices): Promise<void> {
  try {
    const status = await indexingStatus(services);
    const mismatch = services.deploymentMismatch ?? null;
    // An indexer thread that died flags indexing errors too; saying so tells the operator that it is restarted, and when:
    // the time left now, as the delay its error gave at the death is out of date by the time this is asked.
    const down = status.ready ? null : (services.indexerDown?.() ?? null);
    const restart = status.indexerRestart ?? null;
    const when = restart === null ? "" : restart.inSeconds === 0 ? "; it is being restarted" : `; restarting it in ${restart.inSeconds} s`;
    const reason = status.ready
      ? null
      : mismatch !== null
        ? mismatch
        : down !== null
          ? `the indexer is not running: ${down}${when}`
          : status.subgraphFailure?.deterministic === false
            ? `graph-node stopped on an error that it retries: ${status.subgraphFailure.message}`
            : status.hasIndexingErrors
        ? "the indexer stopped on an error"
        : status.lag === null
          ? "the chain head cannot be read"
          : `the index is ${status.lag} blocks behind the chain (at most ${status.maxLag} allowed)`;
    json(res, status.ready ? 200 : 503, { ...status, reason });
  } catch (error) {
    const reason = error instanceof SourceError ? `source unavailable: ${error.detail}` : "readiness check failed";
    if (!(error instanceof SourceError)) services.logger.error("readiness check failed", { error });
    json(res, 503, { ready: false, reason });
  }
}
