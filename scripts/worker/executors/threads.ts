// Worker threads for CPU-heavy steps (matrix products, hashing megabytes), so the daemon's event loop keeps
// serving its gateway subscription and RPC calls meanwhile.

import { keccak256 } from "ethers";
import * as path from "node:path";
import { Worker } from "node:worker_threads";

const SOURCE_EXTENSION = path.extname(__filename);

// Run from TypeScript sources (ts-node, Hardhat's mocha) a thread must load ts-node itself: require hooks are per
// thread, and the parent's execArgv cannot be reused (the ts-node binary puts its own script path there). From
// compiled JavaScript a thread needs nothing.
function threadExecArgv(): string[] {
  if (SOURCE_EXTENSION !== ".ts") return process.execArgv;
  return ["--require", require.resolve("ts-node/register/transpile-only")];
}

// ts-node in a thread looks for tsconfig.json from the current directory, which may be anywhere; point it at ours.
const TS_PROJECT = path.resolve(__dirname, "../../../tsconfig.json");

/** Start the thread whose entry module is `<dir>/<name>.ts` (or `.js` once compiled). */
export function startThread(dir: string, name: string, workerData: unknown): Worker {
  const env = SOURCE_EXTENSION === ".ts" ? { ...process.env, TS_NODE_PROJECT: TS_PROJECT } : process.env;
  return new Worker(path.join(dir, `${name}${SOURCE_EXTENSION}`), { workerData, execArgv: threadExecArgv(), env });
}

/** Below this size hashing takes under ~0.1 s and is not worth a thread. */
export const INLINE_HASH_MAX_BYTES = 1024 * 1024;

/** keccak256 of `bytes`, computed in a thread when they are large. */
export function keccak256OffThread(bytes: Uint8Array): Promise<string> {
  if (bytes.length <= INLINE_HASH_MAX_BYTES) return Promise.resolve(keccak256(bytes));
  return new Promise((resolve, reject) => {
    const worker = startThread(__dirname, "keccak-thread", bytes);
    worker.once("message", (hash: string) => resolve(hash));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`hashing thread exited with code ${code} before answering`)));
  });
}
