// Times the built-in matmul workload on this machine: `npm run bench:worker [-- 256 1024 2048]`.
// computeMs is the multiplication inside the thread (generation, product, encoding, hash); wallMs adds starting
// the thread.

import * as os from "node:os";
import { computeMatmulInThread } from "./executors/matmul";
import { MATMUL_MAX_N } from "./spec";

const SEED = `0x${"42".repeat(32)}`;

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const invalid = sizes.find((n) => !Number.isInteger(n) || n < 1 || n > MATMUL_MAX_N);
  if (invalid !== undefined) {
    process.stderr.write(`bench: matrix sizes must be integers in 1..${MATMUL_MAX_N}, got ${invalid}\n`);
    process.exitCode = 2;
    return;
  }
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(`matmul mod 65521, one round, on ${cpu} (Node ${process.version})\n`);
  for (const n of sizes.length > 0 ? sizes : [256, 1024]) {
    const started = performance.now();
    const { computeMs } = await computeMatmulInThread({ n, seed: SEED, rounds: 1 });
    const wallMs = performance.now() - started;
    const gmacs = (n ** 3 / (computeMs / 1000) / 1e9).toFixed(2);
    process.stdout.write(`n=${n}: computeMs=${computeMs.toFixed(0)} wallMs=${wallMs.toFixed(0)} (${gmacs} G multiply-adds/s)\n`);
  }
}

void main();
