/**
 * `npm run fuzz`: runs the conservation property (scripts/fuzz/model.ts) over FUZZ_RUNS random sequences
 * (default 10,000; long, keep it out of CI), one fresh seed per sequence, and prints how many ran and failed with
 * the seed of each failure. `FUZZ_REPLAY=<seed> npm run fuzz` replays one failing seed and shrinks it to a
 * minimal sequence. FUZZ_SEED sets the first seed (default: the current time).
 */
import { ethers } from "hardhat";
import fc from "fast-check";
import { createHarness, runSequence, sequenceArbitrary } from "./fuzz/model";

/** The environment variable `name` as a whole number (its default when unset); exits with a message otherwise. */
function wholeNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    console.error(`${name} must be a whole number >= ${min}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const replay = process.env.FUZZ_REPLAY === undefined ? undefined : wholeNumber("FUZZ_REPLAY", 0, 0);
  const runs = wholeNumber("FUZZ_RUNS", 10_000, 1);
  const first = wholeNumber("FUZZ_SEED", Date.now() % 2_000_000_000, 0);
  const h = await createHarness(await ethers.getSigners(), (address) => ethers.getImpersonatedSigner(address));
  const property = fc.asyncProperty(sequenceArbitrary, async (intents) => {
    await runSequence(h, intents);
  });

  if (replay !== undefined) {
    const details = await fc.check(property, { seed: replay, numRuns: 1 });
    console.log(details.failed ? fc.defaultReportMessage(details) : `seed ${replay}: no failure`);
    process.exitCode = details.failed ? 1 : 0;
    return;
  }

  const failures: number[] = [];
  const started = Date.now();
  for (let i = 0; i < runs; i++) {
    const seed = first + i;
    // One sequence per seed, no shrinking here: counting is the point; FUZZ_REPLAY shrinks a failure.
    const details = await fc.check(property, { seed, numRuns: 1, endOnFailure: true });
    if (details.failed) {
      failures.push(seed);
      console.log(`FAIL seed ${seed}: ${String(details.errorInstance).split("\n")[0]}`);
    }
    if ((i + 1) % 100 === 0) {
      const rate = ((i + 1) / ((Date.now() - started) / 1000)).toFixed(1);
      console.log(`${i + 1}/${runs} sequences, ${failures.length} failed (${rate}/s)`);
    }
  }
  console.log(`ran ${runs} sequences from seed ${first}: ${failures.length} failed`);
  for (const seed of failures) console.log(`  replay: FUZZ_REPLAY=${seed} npm run fuzz`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
