import { expect } from "chai";
import { keccak256 } from "ethers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { MatmulExecutorConfig } from "../../../../scripts/worker/config";
import { MatmulExecutor, verifyMatmulResult } from "../../../../scripts/worker/executors/matmul";
import { MATMUL_MODULUS, computeMatmulResult, multiplyMod } from "../../../../scripts/worker/executors/matmul-kernel";
import { RESULT_DATA_URI_PREFIX, ResultStore } from "../../../../scripts/worker/executors/results";
import { ExecutionAbortedError } from "../../../../scripts/worker/executors/types";
import { LoadedSpec, MatmulParams, encodeJobSpec, hashSpecBytes } from "../../../../scripts/worker/spec";

// The throughput is given, not measured: a refusal must not depend on how fast this machine is.
const MATMUL_CONFIG: MatmulExecutorConfig = {
  enabled: true,
  maxN: 2048,
  multiplyAddsPerSecond: 1e9,
  margin: { seconds: 30, fraction: 0.25 },
};

const SEED = "0x5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed";

/**
 * The definition in matmul-kernel.ts, re-implemented independently and naively with BigInt: if the fast kernel
 * (float64, 4×4 tiles, zero padding) ever lost exactness or drifted from the definition, they would disagree.
 */
function referenceResult({ n, seed, rounds }: MatmulParams): { bytes: Uint8Array; hash: string } {
  const mask = (1n << 32n) - 1n;
  const state = BigInt(keccak256(Buffer.concat([Buffer.from("latent.matmul.v1"), Buffer.from(seed.slice(2), "hex")])));
  let x = (state >> 224n) & mask;
  let y = (state >> 192n) & mask;
  let z = (state >> 160n) & mask;
  let w = (state >> 128n) & mask;
  const next = (): bigint => {
    const t = (x ^ (x << 11n)) & mask;
    [x, y, z] = [y, z, w];
    w = (w ^ (w >> 19n) ^ t ^ (t >> 8n)) & mask;
    return w;
  };
  const p = BigInt(MATMUL_MODULUS);
  const matrix = (): bigint[][] => Array.from({ length: n }, () => Array.from({ length: n }, () => next() % p));
  const a = matrix();
  const b = matrix();
  let c = a;
  for (let round = 0; round < rounds; round += 1) {
    c = c.map((row) => b[0].map((_, j) => row.reduce((sum, value, k) => sum + value * b[k][j], 0n) % p));
  }
  const bytes = Buffer.alloc(n * n * 2);
  c.flat().forEach((value, index) => bytes.writeUInt16BE(Number(value), index * 2));
  return { bytes: new Uint8Array(bytes), hash: keccak256(bytes) };
}

function loaded(params: MatmulParams): LoadedSpec {
  const spec = { version: 1 as const, kind: "matmul" as const, params };
  const bytes = encodeJobSpec(spec);
  return { uri: "data:,", hash: hashSpecBytes(bytes), bytes, spec };
}

describe("matmul executor", () => {
  describe("kernel", () => {
    for (const params of [
      { n: 1, seed: SEED, rounds: 1 },
      { n: 8, seed: SEED, rounds: 1 },
      { n: 13, seed: SEED, rounds: 3 },
      { n: 6, seed: `0x${"00".repeat(32)}`, rounds: 2 },
    ]) {
      it(`matches the BigInt reference for n=${params.n}, rounds=${params.rounds}, seed ${params.seed.slice(0, 8)}…`, () => {
        const fast = computeMatmulResult(params);
        const reference = referenceResult(params);
        expect(Buffer.from(fast.bytes).equals(Buffer.from(reference.bytes))).to.equal(true);
        expect(fast.hash).to.equal(reference.hash);
      });
    }

    it("stays exact when every entry is the largest residue", () => {
      const size = 64;
      const full = new Float64Array(size * size).fill(MATMUL_MODULUS - 1);
      const product = multiplyMod(full, full, size);
      const expected = Number((BigInt(size) * BigInt(MATMUL_MODULUS - 1) ** 2n) % BigInt(MATMUL_MODULUS));
      expect(product.every((value) => value === expected)).to.equal(true);
    });

    it("gives different results for different seeds", () => {
      const other = `0x${"11".repeat(32)}`;
      expect(computeMatmulResult({ n: 4, seed: SEED, rounds: 1 }).hash).not.to.equal(
        computeMatmulResult({ n: 4, seed: other, rounds: 1 }).hash,
      );
    });
  });

  describe("in a worker thread", () => {
    let dir: string;
    let store: ResultStore;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-matmul-"));
      store = new ResultStore({ dir, maxUriBytes: 256 });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("returns the reference result, its hash and where it was published", async () => {
      const params = { n: 16, seed: SEED, rounds: 2 };
      const result = await new MatmulExecutor(MATMUL_CONFIG, store).run(
        loaded(params),
        new AbortController().signal,
      );
      const reference = referenceResult(params);
      expect(result.resultHash).to.equal(reference.hash);
      expect(Buffer.from(result.resultBytes).equals(Buffer.from(reference.bytes))).to.equal(true);
      expect(result.resultURI).to.equal(`file://${dir}/${reference.hash.slice(2)}.bin`);
      expect(
        fs.readFileSync(path.join(dir, `${reference.hash.slice(2)}.bin`)).equals(Buffer.from(reference.bytes)),
      ).to.equal(true);
      expect(result.metrics.device.type).to.equal("cpu");
      expect(result.metrics.details).to.include({ n: 16, rounds: 2, multiplyAdds: 16 ** 3 * 2 });
    });

    it("inlines a small product as a data: URI", async () => {
      const result = await new MatmulExecutor(MATMUL_CONFIG, store).run(
        loaded({ n: 4, seed: SEED, rounds: 1 }),
        new AbortController().signal,
      );
      expect(result.resultURI).to.equal(RESULT_DATA_URI_PREFIX + Buffer.from(result.resultBytes).toString("base64"));
    });

    it("stops computing when aborted", async () => {
      const controller = new AbortController();
      const run = new MatmulExecutor(MATMUL_CONFIG, store).run(
        loaded({ n: 2048, seed: SEED, rounds: 32 }),
        controller.signal,
      );
      controller.abort();
      const error = await run.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).to.be.instanceOf(ExecutionAbortedError);
    });

    it("verifies an honest result hash", async () => {
      const params = { n: 12, seed: SEED, rounds: 1 };
      const verification = await verifyMatmulResult(
        { version: 1, kind: "matmul", params },
        referenceResult(params).hash,
      );
      expect(verification).to.deep.equal({ valid: true, expectedHash: referenceResult(params).hash });
    });

    it("rejects a result hash for another seed", async () => {
      const params = { n: 12, seed: SEED, rounds: 1 };
      const forged = referenceResult({ ...params, seed: `0x${"22".repeat(32)}` }).hash;
      expect((await verifyMatmulResult(params, forged)).valid).to.equal(false);
    });
  });

  it("refuses a matrix above the configured maximum before accepting the job", () => {
    const executor = new MatmulExecutor(
      { ...MATMUL_CONFIG, maxN: 512 },
      new ResultStore({ dir: os.tmpdir(), maxUriBytes: 256 }),
    );
    expect(executor.refusalReason(loaded({ n: 1024, seed: SEED, rounds: 1 }).spec)).to.equal(
      "matrix size 1024 is above executors.builtin.matmul.maxN (512)",
    );
    expect(executor.refusalReason(loaded({ n: 512, seed: SEED, rounds: 1 }).spec)).to.equal(undefined);
  });

  it("refuses a job whose work at the configured throughput, with the margin, exceeds the job's maxDuration", () => {
    const executor = new MatmulExecutor(MATMUL_CONFIG, new ResultStore({ dir: os.tmpdir(), maxUriBytes: 256 }));
    // 2048³ × 32 = 274,877,906,944 multiply-adds: 275 s at 1 G/s, 374 s with 30 s + 25%.
    const spec = loaded({ n: 2048, seed: SEED, rounds: 32 }).spec;
    expect(executor.refusalReason(spec, 60)).to.equal(
      "may need 275 s (274877906944 multiply-adds for n=2048, rounds=32, at " +
        "executors.builtin.matmul.multiplyAddsPerSecond 1000000000), 374 s with the margin " +
        "(executors.runTimeMargin: 30 s + 25%), above the job's maxDuration (60 s)",
    );
    expect(executor.refusalReason(spec, 373)).to.contain("above the job's maxDuration (373 s)");
    expect(executor.refusalReason(spec, 374)).to.equal(undefined);
  });

  it("stretches a job's estimate by concurrent jobs / cores when more jobs than cores may run", () => {
    const results = new ResultStore({ dir: os.tmpdir(), maxUriBytes: 256 });
    const spec = loaded({ n: 2048, seed: SEED, rounds: 32 }).spec;
    // 275 s alone on a core; 8 jobs on 2 cores get half a core each: 1100 s, 1405 s with 30 s + 25%.
    const crowded = new MatmulExecutor(MATMUL_CONFIG, results, { concurrentJobs: 8, cores: 2 });
    expect(crowded.refusalReason(spec, 1404)).to.equal(
      "may need 1100 s (274877906944 multiply-adds for n=2048, rounds=32, at " +
        "executors.builtin.matmul.multiplyAddsPerSecond 1000000000, × 4 for policy.maxConcurrentJobs 8 on 2 cores), " +
        "1405 s with the margin (executors.runTimeMargin: 30 s + 25%), above the job's maxDuration (1404 s)",
    );
    expect(crowded.refusalReason(spec, 1405)).to.equal(undefined);
    // No more jobs than cores: each has one, as the throughput was measured.
    expect(new MatmulExecutor(MATMUL_CONFIG, results, { concurrentJobs: 2, cores: 2 }).refusalReason(spec, 374)).to.equal(
      undefined,
    );
  });

  it("counts the padding of a matrix to a multiple of 4 in a job's work", () => {
    const executor = new MatmulExecutor(
      { ...MATMUL_CONFIG, multiplyAddsPerSecond: 1e6, margin: { seconds: 0, fraction: 0 } },
      new ResultStore({ dir: os.tmpdir(), maxUriBytes: 256 }),
    );
    // n=101 runs as 104×104: 1,124,864 multiply-adds, 1.1 s at 1 M/s.
    expect(executor.refusalReason(loaded({ n: 101, seed: SEED, rounds: 1 }).spec, 1)).to.contain("1124864 multiply-adds");
  });
});
