// Times the built-in matmul workload on this machine: `npm run bench:worker [-- 256 1024 2048]`.
// Per size: multiplyMs is one product A·B alone (4×4-tiled float64 kernel, on this thread); jobMs is a whole
// one-round job as the executor runs it in a worker thread (generating A and B, the product, encoding, keccak256);
// wallMs adds starting the thread (mostly loading ts-node when run from sources).

import * as os from "node:os";
import { computeMatmulInThread } from "./executors/matmul";
import { generateMatrices, multiplyMod } from "./executors/matmul-kernel";
import { MATMUL_MAX_N } from "./spec";

const SEED = `0x${"42".repeat(32)}`;

function transposeForKernel(matrix: Float64Array, size: number): Float64Array {
  const result = new Float64Array(size * size);
  for (let i = 0; i < size; i += 1) for (let j = 0; j < size; j += 1) result[j * size + i] = matrix[i * size + j];
  return result;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizes = args.map(Number);
  // The argument as typed: Number() would report "--n" as NaN and "" as 0.
  const invalid = args.find((arg, i) => !/^\d+$/.test(arg) || sizes[i]! < 1 || sizes[i]! > MATMUL_MAX_N);
  if (invalid !== undefined) {
    process.stderr.write(`bench: matrix sizes must be integers in 1..${MATMUL_MAX_N}, got "${invalid}"\n`);
    process.exitCode = 2;
    return;
  }
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  process.stdout.write(`matmul mod 65521, one round, on ${cpu} (${os.cpus().length} cores, Node ${process.version})\n`);
  for (const n of sizes.length > 0 ? sizes : [256, 1024]) {
    const size = Math.ceil(n / 4) * 4;
    const { a, b } = generateMatrices(SEED, n, size);
    const bTransposed = transposeForKernel(b, size);
    const multiplyStart = performance.now();
    multiplyMod(a, bTransposed, size);
    const multiplyMs = performance.now() - multiplyStart;

    const started = performance.now();
    const { computeMs } = await computeMatmulInThread({ n, seed: SEED, rounds: 1 });
    const wallMs = performance.now() - started;
    const rate = (n ** 3 / (multiplyMs / 1000) / 1e9).toFixed(2);
    process.stdout.write(
      `n=${n}: multiplyMs=${multiplyMs.toFixed(0)} (${rate} G multiply-adds/s) jobMs=${computeMs.toFixed(0)} wallMs=${wallMs.toFixed(0)}\n`,
    );
  }
}

void main();
