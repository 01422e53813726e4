// One worker per provider and JobEscrow on a machine: two would both take up the jobs in hand at start and at each
// reconnection, running each twice and racing each other's submissions and settlements with one operator key. The
// claim is a pid file in the results directory, which the provider's workers share by default (`results` beside
// the config), taken before connecting and given back at exit; one left by a worker that is gone (its pid gone, or
// reused by another process since: the `.start` file records the process's start time where the system tells it) is
// taken over.
import * as path from "node:path";
import { makeDirectory } from "../../subgraph/indexer/directories";
import { pidFileRelease, processStartTime, takePidFile } from "../processes";

export class ProviderInUseError extends Error {
  constructor(
    readonly provider: string,
    readonly pid: number,
    readonly file: string,
  ) {
    super(
      `another worker (pid ${pid}) serves provider ${provider} with this JobEscrow (${file}): run one worker per ` +
        `provider, or stop that one first`,
    );
    this.name = "ProviderInUseError";
  }
}

/** The claim file of `provider` on `jobEscrow` in `dir`. */
export function providerClaimFile(dir: string, provider: string, jobEscrow: string): string {
  return path.join(dir, `.worker-${jobEscrow.toLowerCase()}-${provider.toLowerCase()}.pid`);
}

/**
 * Claims `provider` on `jobEscrow` for this process (`pid`), in the results directory `dir`; returns what gives it back.
 * Throws ProviderInUseError while another live process holds it.
 */
export function claimProvider(
  dir: string,
  provider: string,
  jobEscrow: string,
  pid = process.pid,
  startTimeOf: (pid: number) => string | undefined = processStartTime,
): () => void {
  const file = providerClaimFile(dir, provider, jobEscrow);
  makeDirectory(dir);
  const holder = takePidFile(file, pid, startTimeOf);
  if (holder !== null) throw new ProviderInUseError(provider, holder, file);
  return pidFileRelease(file, pid);
}
