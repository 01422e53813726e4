/**
 * deployment verify: runs deploy.ts's wiring checks on the record's contracts against what the record says the
 * deployment gave them (guardian, arbitrator, supply, allocations), prints each one's result, and fails naming the
 * checks that failed. A record written before those were kept cannot have their checks run: they are listed as not
 * run, not failed. A governed address (guardian, arbitrator, treasury) that differs from the deployment's passes
 * when the chain's own logs show governance set it since. It signs nothing, so it needs no account.
 */
import { encodeBytes32String } from "ethers";
import { loadDeployment, recordedRoles, wiringChecks } from "../../deploy";
import type { ContractName, LatentContracts, LogReader, WiringCheck } from "../../deploy";
import type { DeploymentContext } from "../lib/context";
import { VerificationError } from "../lib/errors";
import { toJson } from "../lib/format";
import { queryLogRange } from "../lib/logs";
import { write } from "../lib/output";
import type { TaskResult } from "../lib/run";

/** The transaction in which governance last set a checked value: why it differs from the deployment's. */
export interface GovernanceChange {
  blockNumber: number;
  transactionHash: string;
}

export interface VerifyCheck extends WiringCheck {
  /** Set where the value is not the deployment's but governance set it since (ok is then true). */
  changedByGovernance?: GovernanceChange;
}

export interface VerifyView {
  deployment: string;
  checks: VerifyCheck[];
  /** Names of the checks that failed; empty when the deployment is as recorded, or as governance has changed it since. */
  failed: string[];
  /** Names of the checks the record lacks the data for. */
  notRun: string[];
  /** Names of the checks whose value governance has changed since the deployment. */
  changedByGovernance: string[];
}

/** A value set once in that contract's `AddressParameterUpdated(parameter, value)` log. */
interface SetValue {
  value: string;
  blockNumber: number;
  index: number;
  transactionHash: string;
}

interface GovernedParameter {
  contract: ContractName;
  /** The governed contract's logs of `parameter` in blocks `from` to `to`. */
  query: (from: number, to: number) => Promise<SetValue[]>;
}

/**
 * The checked values governance may change: each contract's setter is onlyGovernance (the timelock, acting on an
 * executed proposal), and its constructor and setter alone emit AddressParameterUpdated for it (contracts/). The
 * other checked addresses are immutables, and no numeric parameter is checked, so ParameterUpdated never explains a
 * difference.
 */
function governedParameters(c: LatentContracts): Map<string, GovernedParameter> {
  const set = (e: { args: { value: string }; blockNumber: number; index: number; transactionHash: string }): SetValue => ({
    value: e.args.value,
    blockNumber: e.blockNumber,
    index: e.index,
    transactionHash: e.transactionHash,
  });
  const guardian = c.pauseGuardian.filters.AddressParameterUpdated(encodeBytes32String("guardian"));
  const arbitrator = c.disputeManager.filters.AddressParameterUpdated(encodeBytes32String("arbitrator"));
  const treasury = c.staking.filters.AddressParameterUpdated(encodeBytes32String("treasury"));
  return new Map<string, GovernedParameter>([
    ["pauseGuardian.guardian", { contract: "PauseGuardian", query: async (from, to) => (await c.pauseGuardian.queryFilter(guardian, from, to)).map(set) }],
    ["disputeManager.arbitrator", { contract: "DisputeManager", query: async (from, to) => (await c.disputeManager.queryFilter(arbitrator, from, to)).map(set) }],
    ["staking.treasury", { contract: "Staking", query: async (from, to) => (await c.staking.queryFilter(treasury, from, to)).map(set) }],
  ]);
}

/**
 * Where governance last set the value a failed check read, if it did: the contract's last AddressParameterUpdated of
 * the parameter up to `head`, when it sets the chain's value and was not emitted by the contract's constructor (in the
 * transaction that created it, in the record's block: a proposal cannot be executed before the contract exists). The
 * constructor's own log must have set the record's value: a record that misstates what the deployment set is not
 * excused by a later change.
 */
async function governanceChange(
  ctx: DeploymentContext,
  parameter: GovernedParameter,
  check: { name: string; actual: string; expected: string },
  head: number,
): Promise<GovernanceChange | undefined> {
  const deployedAt = ctx.fromBlock(parameter.contract);
  const address = ctx.record.contracts[parameter.contract].address.toLowerCase();
  const { logs } = await queryLogRange(`${parameter.contract}'s AddressParameterUpdated(${check.name})`, deployedAt, head, parameter.query);
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const changes: SetValue[] = [];
  for (const log of logs) {
    if (log.blockNumber === deployedAt) {
      const receipt = await ctx.hre.ethers.provider.getTransactionReceipt(log.transactionHash);
      // A log whose transaction the node no longer has cannot be told from the constructor's: it excuses nothing.
      if (receipt === null) return undefined;
      if (receipt.contractAddress?.toLowerCase() === address) {
        if (log.value.toLowerCase() !== check.expected.toLowerCase()) return undefined;
        continue;
      }
    }
    changes.push(log);
  }
  const last = changes.at(-1);
  if (last === undefined || last.value.toLowerCase() !== check.actual.toLowerCase()) return undefined;
  return { blockNumber: last.blockNumber, transactionHash: last.transactionHash };
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
  const readLogs: LogReader = async (what, from, to, query) => (await queryLogRange(what, from, to, query)).logs;
  const wiring: VerifyCheck[] = await wiringChecks(loaded.contracts, record.deployer, roles, ctx.fromBlock("LatentToken"), readLogs);
  // Read after the checks, so that a change they saw is in the logs up to it.
  const head = await ctx.hre.ethers.provider.getBlockNumber();
  const governed = governedParameters(loaded.contracts);
  for (const [i, check] of wiring.entries()) {
    const parameter = governed.get(check.name);
    // Only a difference costs log queries: a deployment as recorded is verified without any.
    if (parameter === undefined || check.ok || check.actual === undefined || check.expected === undefined || unrecorded.has(check.name)) continue;
    const change = await governanceChange(ctx, parameter, { name: check.name, actual: check.actual, expected: check.expected }, head);
    if (change !== undefined) wiring[i] = { ...check, ok: true, changedByGovernance: change };
  }
  const checks: VerifyCheck[] = [
    // DeploymentContext.open has refused a record whose genesis hash is another chain's.
    record.genesisHash === undefined
      ? { name: "genesis block", ok: true, skipped: "the record has no genesisHash" }
      : { name: "genesis block", ok: true },
    ...wiring.map((check): VerifyCheck => {
      const skipped = unrecorded.get(check.name);
      return skipped === undefined ? check : { name: check.name, ok: true, skipped };
    }),
  ];
  const failed = checks.filter((check) => !check.ok);
  const notRun = checks.filter((check) => check.skipped !== undefined);
  const changed = checks.filter((check) => check.changedByGovernance !== undefined);
  const view: VerifyView = {
    deployment: file,
    checks,
    failed: failed.map((c) => c.name),
    notRun: notRun.map((c) => c.name),
    changedByGovernance: changed.map((c) => c.name),
  };
  const ran = checks.length - notRun.length;
  const text = [
    `Deployment ${file} on network "${ctx.networkName}": ${ran - failed.length} of ${ran} checks passed` +
      (changed.length === 0 ? "" : ` (${changed.length} changed by governance since)`) +
      (notRun.length === 0 ? "" : `, ${notRun.length} not run`),
    ...checks.map((check) => {
      if (check.skipped !== undefined) return `  not run  ${check.name}: ${check.skipped}`;
      const change = check.changedByGovernance;
      if (change !== undefined) {
        return `  changed  ${check.name}: is ${check.actual} (the record's ${check.expected}), changed by governance at block ${change.blockNumber} (tx ${change.transactionHash})`;
      }
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
