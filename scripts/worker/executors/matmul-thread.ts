// Entry point of the worker thread that computes one matmul result, off the daemon's event loop.

import { parentPort, workerData } from "node:worker_threads";
import { MatmulInput, computeMatmulResult } from "./matmul-kernel";

export type MatmulThreadReply =
  { ok: true; bytes: Uint8Array; hash: string; computeMs: number } | { ok: false; message: string };

function main(port: NonNullable<typeof parentPort>): void {
  const started = performance.now();
  let reply: MatmulThreadReply;
  try {
    const { bytes, hash } = computeMatmulResult(workerData as MatmulInput);
    reply = { ok: true, bytes, hash, computeMs: performance.now() - started };
    port.postMessage(reply, [bytes.buffer as ArrayBuffer]);
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
}

if (parentPort) main(parentPort);
