/**
 * deployment verify: runs deploy.ts's wiring checks on the record's contracts against what the record says the
 * deployment gave them (guardian, arbitrator, supply, allocations), prints each one's result, and fails naming the
 * checks that failed. A record written before those were kept cannot have their checks run: they are listed as not
 * run, not failed. It signs nothing, so it needs no account.
 */
import { loadDeployment, recordedRoles, wiringChecks } from "../../deploy";
import type { WiringCheck } from "../../deploy";
import type { DeploymentContext } from "../lib/context";
import { VerificationError } from "../lib/errors";
import { toJson } from "../lib/format";
import { write } from "../lib/output";
import type { TaskResult } from "../lib/run";

export interface VerifyView {
  deployment: string;
  checks: WiringCheck[];
  /** Names of the checks that failed; empty when the deployment is as recorded. */
  failed: string[];
  /** Names of the checks the record lacks the data for. */
  notRun: string[];
}

export async function verify(ctx: DeploymentContext): Promise<TaskResult<VerifyView>> {
  const { record, deploymentFile: file } = ctx;
  const loaded = await loadDeployment(record, ctx.hre.ethers.provider, file);
  const recorded = recordedRoles(record, file);
  // What the record does not say is taken from the chain, where comparing it with itself proves nothing: not run.
  const roles = {
    guardian: recorded.guardian ?? loaded.config.guardian,
    arbitrator: recorded.arbitrator ?? loaded.config.arbitrator,
    totalSupply: recorded.totalSupply ?? loaded.config.totalSupply,
    allocations: record.allocations === undefined ? undefined : loaded.config.allocations,
  };
  const unrecorded = new Map<string, string>([
    ...(recorded.guardian === undefined ? [["pauseGuardian.guardian", "the record has no guardian"] as const] : []),
    ...(recorded.arbitrator === undefined ? [["disputeManager.arbitrator", "the record has no arbitrator"] as const] : []),
    ...(recorded.totalSupply === undefined ? [["token.totalSupply", "the record has no totalSupply"] as const] : []),
  ]);
  const wiring = await wiringChecks(loaded.contracts, record.deployer, roles, ctx.fromBlock("LatentToken"));
  const checks: WiringCheck[] = [
    // DeploymentContext.open has refused a record whose genesis hash is another chain's.
    record.genesisHash === undefined
      ? { name: "genesis block", ok: true, skipped: "the record has no genesisHash" }
      : { name: "genesis block", ok: true },
    ...wiring.map((check): WiringCheck => {
      const skipped = unrecorded.get(check.name);
      return skipped === undefined ? check : { name: check.name, ok: true, skipped };
    }),
  ];
  const failed = checks.filter((check) => !check.ok);
  const notRun = checks.filter((check) => check.skipped !== undefined);
  const view: VerifyView = { deployment: file, checks, failed: failed.map((c) => c.name), notRun: notRun.map((c) => c.name) };
  const ran = checks.length - notRun.length;
  const text = [
    `Deployment ${file} on network "${ctx.networkName}": ${ran - failed.length} of ${ran} checks passed` +
      (notRun.length === 0 ? "" : `, ${notRun.length} not run`),
    ...checks.map((check) => {
      if (check.skipped !== undefined) return `  not run  ${check.name}: ${check.skipped}`;
      if (check.ok) return `  ok       ${check.name}`;
      return `  FAILED   ${check.name}${check.actual === undefined ? "" : `: is ${check.actual}, not ${check.expected}`}`;
    }),
  ];
  if (failed.length > 0) {
    // The error names the failures; the list shows them among every check, as a passing run would.
    write(ctx.options.json ? toJson(view) : text.join("\n"));
    throw new VerificationError(
      `${file}: ${failed.length} of ${ran} checks failed: ` +
        failed.map(({ name, actual, expected }) => (actual === undefined ? name : `${name} is ${actual}, not ${expected}`)).join(", "),
    );
  }
  return { data: view, text };
}
