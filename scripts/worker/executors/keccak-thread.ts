// Entry point of a thread that hashes one large buffer (see threads.ts).

import { keccak256 } from "ethers";
import { parentPort, workerData } from "node:worker_threads";

parentPort?.postMessage(keccak256(workerData as Uint8Array));
