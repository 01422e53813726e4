// The probe fixture of a suite: started by its before hook and closed by its after hook, which mocha runs in the order
// they are registered. A suite whose own after hook still needs the chain (a worker to stop, a child to end) registers
// it before calling useProbeFixture.
import { startProbeFixture, type ProbeFixture } from "./probe";

/** A suite's probe fixture: closed by the suite, not by its user. */
export type SuiteProbeFixture = Omit<ProbeFixture, "close">;

/**
 * Registers the hooks that start a probe fixture for the calling suite and close it after its tests, and returns it:
 * its members are the started fixture's, readable in the suite's hooks (those registered after this call) and tests.
 */
export function useProbeFixture(): SuiteProbeFixture {
  let started: ProbeFixture | null = null;
  before(async function () {
    started = await startProbeFixture();
  });
  after(async function () {
    await started?.close();
    started = null;
  });
  const current = (): ProbeFixture => {
    if (started === null) throw new Error("the suite's probe fixture is read outside its hooks and tests (before it started, or after it closed)");
    return started;
  };
  return {
    get chain() {
      return current().chain;
    },
    get probe() {
      return current().probe;
    },
    get buildDir() {
      return current().buildDir;
    },
    get tmpDir() {
      return current().tmpDir;
    },
    dbPath: (name) => current().dbPath(name),
  };
}
