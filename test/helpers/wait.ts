// Waiting for something another task or process does: a bounded poll of a condition. The bound only turns a hang
// into a failure that names what never happened; no test asserts how long anything took.
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 20_000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The bound for a child CLI's start (ts-node transpiling it, then the indexer's worker thread opening its database and
 * reaching the node): 10-20 s on an idle 2-core machine, over 20 s at load average 17 (the indexer CLI's keyed-URL test
 * ran out of a 20 s wait), 58.7 s measured at 28-35. A test that waits for it allows PROCESS_START_MS + its own work.
 */
export const PROCESS_START_MS = 150_000;
