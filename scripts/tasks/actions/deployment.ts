/**
 * deployment verify: runs deploy.ts's wiring checks on the record's contracts against what the record says the
 * deployment gave them (guardian, arbitrator, supply, allocations, governance settings, protocol parameters), prints
 * each one's result, and fails naming the checks that failed. A record written before those were kept cannot have
 * their checks run: they are listed as not run, not failed. A governed address (guardian, arbitrator, treasury),
 * governor or timelock setting, protocol parameter, or timelock role that differs from the deployment's passes when
 * the chain's own logs show governance set it since. It signs nothing, so it needs no account.
 */
import { encodeBytes32String } from "ethers";
import { ECONOMIC_PARAM_NAMES, loadDeployment, recordedParams, recordedRoles, wiringChecks } from "../../deploy";
import type { ContractName, LatentContracts, LogReader, TimelockRoleName, WiringCheck } from "../../deploy";
import type { DeploymentContext } from "../lib/context";
import { ChainQueryError, VerificationError } from "../lib/errors";
import { toJson } from "../lib/format";
import { CHECKPOINT_MARGIN, checkpointFile, readCheckpoint, writeCheckpoint } from "../lib/checkpoint";
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
  /**
   * For a failed timelock role: what the logs say of it (who granted or revoked it), or that they do not explain it;
   * for a failed governed value: the log that does not explain it (governance's last change set another value, or the
   * constructor set another than the record's), with its block and transaction.
   */
  detail?: string;
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

/** A value set once in one of that contract's setter logs (an address, or a number in decimal). */
interface SetValue {
  value: string;
  blockNumber: number;
  index: number;
  transactionHash: string;
}

interface GovernedParameter {
  contract: ContractName;
  /** The logs, as a ChainQueryError names them. */
  event: string;
  /** The governed contract's logs of `parameter` in blocks `from` to `to`. */
  query: (from: number, to: number) => Promise<SetValue[]>;
}

/**
 * The checked values governance may change, each logged by its constructor and its setter alone, so that a log not
 * the constructor's is governance's. The addresses' setters are onlyGovernance (the timelock, acting on an executed
 * proposal), and each emits AddressParameterUpdated (contracts/); the protocol parameters' setters are
 * onlyGovernance too, each emitting ParameterUpdated with the parameter's name (IGoverned). The governor's settings emit OZ's VotingDelaySet,
 * VotingPeriodSet, ProposalThresholdSet and QuorumNumeratorUpdated from setters that are its onlyGovernance: the
 * caller must be its executor, the timelock, and the call must be one that the governor's own `execute` of a passed
 * proposal queued (`_checkGovernance`), so no timelock operation scheduled otherwise passes. The timelock's
 * `updateDelay` (MinDelayChange) accepts only the timelock itself, an operation it executes. The other checked
 * addresses are immutables, so nothing explains their difference.
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
  const address = (name: string, contract: ContractName, query: GovernedParameter["query"]): [string, GovernedParameter] => [
    name,
    { contract, event: `AddressParameterUpdated(${name})`, query },
  ];
  const setting = (name: string, contract: ContractName, event: string, query: GovernedParameter["query"]): [string, GovernedParameter] => [
    name,
    { contract, event, query },
  ];
  // A setting's log carries its old and new value; the new one, in decimal, is what it set.
  const newValue = (e: { args: [bigint, bigint]; blockNumber: number; index: number; transactionHash: string }): SetValue => ({
    value: `${e.args[1]}`,
    blockNumber: e.blockNumber,
    index: e.index,
    transactionHash: e.transactionHash,
  });
  const [governor, timelock] = [c.governor.filters, c.timelock.filters];
  // The protocol parameters: each contract's ParameterUpdated of that name, emitted by its constructor and its
  // onlyGovernance setter alone (the escrow's setters also push a new EconomicParams version, which a check reads).
  const parameter = (
    contract: ContractName,
    target: LatentContracts["staking" | "registry" | "pauseGuardian" | "jobEscrow"],
    prefix: string,
    name: string,
  ): [string, GovernedParameter] => {
    const filter = target.filters.ParameterUpdated(encodeBytes32String(name));
    const query = async (from: number, to: number): Promise<SetValue[]> =>
      (await target.queryFilter(filter, from, to)).map((e) => ({ value: `${e.args.value}`, blockNumber: e.blockNumber, index: e.index, transactionHash: e.transactionHash }));
    return [`${prefix}.${name}`, { contract, event: `ParameterUpdated(${name})`, query }];
  };
  return new Map<string, GovernedParameter>([
    parameter("Staking", c.staking, "staking", "minStakePerGpu"),
    parameter("Staking", c.staking, "staking", "thawingPeriod"),
    parameter("ProviderRegistry", c.registry, "registry", "maxGpusPerProvider"),
    parameter("PauseGuardian", c.pauseGuardian, "pauseGuardian", "pauseDuration"),
    ...ECONOMIC_PARAM_NAMES.map((name) => parameter("JobEscrow", c.jobEscrow, "jobEscrow", name)),
    address("pauseGuardian.guardian", "PauseGuardian", async (from, to) => (await c.pauseGuardian.queryFilter(guardian, from, to)).map(set)),
    address("disputeManager.arbitrator", "DisputeManager", async (from, to) => (await c.disputeManager.queryFilter(arbitrator, from, to)).map(set)),
    address("staking.treasury", "Staking", async (from, to) => (await c.staking.queryFilter(treasury, from, to)).map(set)),
    setting("governor.votingDelay", "LatentGovernor", "VotingDelaySet", async (from, to) =>
      (await c.governor.queryFilter(governor.VotingDelaySet, from, to)).map(newValue),
    ),
    setting("governor.votingPeriod", "LatentGovernor", "VotingPeriodSet", async (from, to) =>
      (await c.governor.queryFilter(governor.VotingPeriodSet, from, to)).map(newValue),
    ),
    setting("governor.proposalThreshold", "LatentGovernor", "ProposalThresholdSet", async (from, to) =>
      (await c.governor.queryFilter(governor.ProposalThresholdSet, from, to)).map(newValue),
    ),
    setting("governor.quorumNumerator", "LatentGovernor", "QuorumNumeratorUpdated", async (from, to) =>
      (await c.governor.queryFilter(governor.QuorumNumeratorUpdated, from, to)).map(newValue),
    ),
    setting("timelock.getMinDelay", "LatentTimelock", "MinDelayChange", async (from, to) =>
      (await c.timelock.queryFilter(timelock.MinDelayChange, from, to)).map(newValue),
    ),
  ]);
}

/**
 * Where governance last set the value a failed check read, if it did: the contract's last log of the parameter up to
 * `head`, when it sets the chain's value and was not emitted by the contract's constructor (in the
 * transaction that created it, in the record's block: a proposal cannot be executed before the contract exists). The
 * constructor's own log must have set the record's value: a record that misstates what the deployment set is not
 * excused by a later change. Otherwise, where a log explains why not, a detail naming it; undefined where none does.
 */
async function governanceChange(
  ctx: DeploymentContext,
  parameter: GovernedParameter,
  check: { name: string; actual: string; expected: string },
  head: number,
): Promise<{ change: GovernanceChange } | { detail: string } | undefined> {
  const deployedAt = ctx.fromBlock(parameter.contract);
  const address = ctx.record.contracts[parameter.contract].address.toLowerCase();
  const { logs } = await queryLogRange(`${parameter.contract}'s ${parameter.event}`, deployedAt, head, parameter.query);
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const changes: SetValue[] = [];
  for (const log of logs) {
    if (log.blockNumber === deployedAt) {
      const receipt = await ctx.hre.ethers.provider.getTransactionReceipt(log.transactionHash);
      // A log whose transaction the node no longer has cannot be told from the constructor's: it excuses nothing.
      if (receipt === null) return undefined;
      if (receipt.contractAddress?.toLowerCase() === address) {
        if (log.value.toLowerCase() !== check.expected.toLowerCase()) return { detail: `the constructor set ${log.value} (tx ${log.transactionHash})` };
        continue;
      }
    }
    changes.push(log);
  }
  const last = changes.at(-1);
  if (last === undefined) return undefined;
  if (last.value.toLowerCase() !== check.actual.toLowerCase()) {
    return { detail: `its last ${parameter.event} set ${last.value} at block ${last.blockNumber} (tx ${last.transactionHash})` };
  }
  return { change: { blockNumber: last.blockNumber, transactionHash: last.transactionHash } };
}

/** One AccessControl RoleGranted or RoleRevoked log of the timelock. */
interface RoleLog {
  granted: boolean;
  role: string;
  account: string;
  sender: string;
  blockNumber: number;
  index: number;
  transactionHash: string;
}

interface RoleHistory {
  /** The last log of each role and account, keyed by `roleKey`. */
  last: Map<string, RoleLog>;
  timelock: string;
}

const roleKey = (id: string, account: string) => `${id.toLowerCase()}:${account.toLowerCase()}`;

const isRoleLog = (item: unknown): item is RoleLog => {
  const log = item as Partial<RoleLog> | null;
  return (
    typeof log === "object" &&
    log !== null &&
    typeof log.granted === "boolean" &&
    [log.role, log.account, log.sender, log.transactionHash].every((field) => typeof field === "string") &&
    Number.isSafeInteger(log.blockNumber) &&
    Number.isSafeInteger(log.index)
  );
};

/**
 * Every RoleGranted and RoleRevoked the timelock emitted from its block in the record to `head`, the last of each
 * role and account kept. AccessControl logs a grant only to an account without the role and a revocation only from
 * one with it, so the last log of a pair is what the chain holds, and the pairs that have none were never granted.
 * TimelockController is not enumerable, so these logs are the only way to find a holder the checks do not name.
 * What a run read up to CHECKPOINT_MARGIN blocks below its head is kept beside the record (lib/checkpoint.ts), so that
 * the next reads from there: an old deployment behind a node that caps eth_getLogs' range is thousands of calls.
 */
async function roleHistory(ctx: DeploymentContext, c: LatentContracts, head: number): Promise<RoleHistory> {
  const timelock = await c.timelock.getAddress();
  const granted = c.timelock.interface.getEvent("RoleGranted");
  const revoked = c.timelock.interface.getEvent("RoleRevoked");
  const provider = ctx.hre.ethers.provider;
  const deployedAt = ctx.fromBlock("LatentTimelock");
  const file = checkpointFile(ctx.deploymentFile);
  let saved = readCheckpoint(file, timelock, deployedAt, isRoleLog);
  // Its block's hash is not what it was: a reorg reached it (or the chain is another), so what it holds may not be.
  if (saved !== undefined && (saved.block > head || (await provider.getBlock(saved.block))?.hash !== saved.blockHash)) saved = undefined;
  const start = saved === undefined ? deployedAt : saved.block + 1;
  const confirmed = head - CHECKPOINT_MARGIN;
  // The next checkpoint's hash is asked for before its logs, so that a reorg between the two makes it one that the
  // next run finds stale, never one that vouches for logs of another chain.
  const checkpointHash = confirmed >= start ? (await provider.getBlock(confirmed))?.hash : undefined;
  // One filter for both events (topic0 either): one range of calls instead of two.
  const query = (from: number, to: number) =>
    provider.getLogs({ address: timelock, topics: [[granted.topicHash, revoked.topicHash]], fromBlock: from, toBlock: to });
  const { logs } = start > head ? { logs: [] } : await queryLogRange("LatentTimelock's RoleGranted and RoleRevoked", start, head, query);
  const parsed: RoleLog[] = logs.map((log) => {
    const event = c.timelock.interface.parseLog(log);
    if (event === null) throw new ChainQueryError(`the node returned a timelock log that is neither RoleGranted nor RoleRevoked (tx ${log.transactionHash})`);
    const [role, account, sender] = event.args as unknown as [string, string, string];
    return { granted: event.name === "RoleGranted", role, account, sender, blockNumber: log.blockNumber, index: log.index, transactionHash: log.transactionHash };
  });
  parsed.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  const last = new Map<string, RoleLog>();
  const apply = (from: RoleLog[]) => {
    for (const log of from) last.set(roleKey(log.role, log.account), log);
  };
  apply(saved?.state ?? []);
  apply(parsed.filter((log) => log.blockNumber <= confirmed));
  if (checkpointHash != null) {
    writeCheckpoint(file, { version: 1, address: timelock, from: deployedAt, block: confirmed, blockHash: checkpointHash, state: [...last.values()] });
  }
  apply(parsed.filter((log) => log.blockNumber > confirmed));
  return { last, timelock };
}

/**
 * Whether the chain's `holds` for a role and account is governance's doing: its last log was emitted with the
 * timelock as sender (a grantRole or revokeRole the timelock called on itself, so an executed proposal; the
 * constructor's grants have the deployer as sender) and set what the chain holds. Otherwise a detail that says why not.
 */
function explainRole(history: RoleHistory, id: string, account: string, holds: boolean): { change: GovernanceChange } | { detail: string } {
  const last = history.last.get(roleKey(id, account));
  if (last === undefined) return { detail: holds ? "no RoleGranted log grants it" : "no RoleRevoked log revokes it" };
  const what = `${last.granted ? "granted" : "revoked"} by ${last.sender}`;
  const where = `at block ${last.blockNumber} (tx ${last.transactionHash})`;
  if (last.granted !== holds) return { detail: `the chain does not hold what its last log (${what} ${where}) left` };
  if (last.sender.toLowerCase() !== history.timelock.toLowerCase()) return { detail: `${what} (not the timelock) ${where}` };
  return { change: { blockNumber: last.blockNumber, transactionHash: last.transactionHash } };
}

/**
 * The timelock's role checks against its logs: a failed one passes where governance made the change, and a holder of
 * a role that no check names (one the deployment did not grant) becomes a check of its own (`timelock <role>
 * <account>`), passed where governance granted it and failed otherwise (a deployer that kept the admin role and
 * granted one, say). The chain's hasRole confirms each such holder.
 */
async function timelockRoles(ctx: DeploymentContext, c: LatentContracts, wiring: VerifyCheck[], head: number): Promise<VerifyCheck[]> {
  const ids = new Map<string, TimelockRoleName>();
  const named = new Set<string>();
  for (const check of wiring) {
    if (check.timelockRole === undefined) continue;
    ids.set(check.timelockRole.id.toLowerCase(), check.timelockRole.role);
    named.add(roleKey(check.timelockRole.id, check.timelockRole.account));
  }
  const history = await roleHistory(ctx, c, head);
  const checks = wiring.map((check): VerifyCheck => {
    const role = check.timelockRole;
    if (role === undefined || check.ok) return check;
    const explained = explainRole(history, role.id, role.account, !role.held);
    return "change" in explained ? { ...check, ok: true, changedByGovernance: explained.change } : { ...check, detail: explained.detail };
  });
  const holders: VerifyCheck[] = [];
  for (const [key, log] of history.last) {
    // A role id that is none of the four is one no function of the timelock checks: it grants nothing.
    const role = ids.get(log.role.toLowerCase());
    if (named.has(key) || !log.granted || role === undefined) continue;
    // A holder the logs name but the chain does not: the deployment's state (not held), nothing to explain.
    if (!(await c.timelock.hasRole(log.role, log.account, { blockTag: head }))) continue;
    const timelockRole = { role, id: log.role, account: log.account, held: false };
    const check: VerifyCheck = { name: `timelock ${role} ${log.account}`, ok: false, timelockRole };
    const explained = explainRole(history, log.role, log.account, true);
    holders.push("change" in explained ? { ...check, ok: true, changedByGovernance: explained.change } : { ...check, detail: explained.detail });
  }
  // Listed after the deployment's own role checks, with them.
  const after = checks.map((check) => check.timelockRole !== undefined).lastIndexOf(true) + 1;
  return [...checks.slice(0, after), ...holders, ...checks.slice(after)];
}

/** wiringChecks' governor and timelock settings, which a record written before they were kept cannot check. */
const SETTINGS = [
  "governor.votingDelay",
  "governor.votingPeriod",
  "governor.proposalThreshold",
  "governor.quorumNumerator",
  "timelock.getMinDelay",
];

/** wiringChecks' protocol parameters, which a record written before they were kept cannot check. */
const PARAMETERS = [
  "staking.minStakePerGpu",
  "staking.thawingPeriod",
  "registry.maxGpusPerProvider",
  "pauseGuardian.pauseDuration",
  ...ECONOMIC_PARAM_NAMES.map((name) => `jobEscrow.${name}`),
];

export async function verify(ctx: DeploymentContext): Promise<TaskResult<VerifyView>> {
  const { record, deploymentFile: file } = ctx;
  const loaded = await loadDeployment(record, ctx.hre.ethers.provider, file);
  const recorded = recordedRoles(record, file);
  const params = recordedParams(record, file);
  // What the record does not say is taken from the chain, where comparing it with itself proves nothing: not run.
  const roles = {
    guardian: recorded.guardian ?? loaded.config.guardian,
    arbitrator: recorded.arbitrator ?? loaded.config.arbitrator,
    totalSupply: recorded.totalSupply ?? loaded.config.totalSupply,
    governance: recorded.governance ?? loaded.config.governance,
    allocations: record.allocations === undefined ? undefined : loaded.config.allocations,
    params: params ?? loaded.config.params,
  };
  const unrecorded = new Map<string, string>([
    ...(recorded.guardian === undefined ? [["pauseGuardian.guardian", "the record has no guardian"] as const] : []),
    ...(recorded.governance === undefined ? SETTINGS.map((name) => [name, "the record has no governance settings"] as const) : []),
    ...(recorded.arbitrator === undefined ? [["disputeManager.arbitrator", "the record has no arbitrator"] as const] : []),
    ...(recorded.totalSupply === undefined ? [["token.totalSupply", "the record has no totalSupply"] as const] : []),
    ...(params === undefined ? PARAMETERS.map((name) => [name, "the record has no protocol parameters"] as const) : []),
  ]);
  const readLogs: LogReader = async (what, from, to, query) => (await queryLogRange(what, from, to, query)).logs;
  const wired: VerifyCheck[] = await wiringChecks(loaded.contracts, record.deployer, roles, ctx.fromBlock("LatentToken"), readLogs);
  // Read after the checks, so that a change they saw is in the logs up to it.
  const head = await ctx.hre.ethers.provider.getBlockNumber();
  const governed = governedParameters(loaded.contracts);
  const wiring = await timelockRoles(ctx, loaded.contracts, wired, head);
  for (const [i, check] of wiring.entries()) {
    const parameter = governed.get(check.name);
    // Only a difference costs these log queries: a deployment as recorded is verified without them.
    if (parameter === undefined || check.ok || check.actual === undefined || check.expected === undefined || unrecorded.has(check.name)) continue;
    const explained = await governanceChange(ctx, parameter, { name: check.name, actual: check.actual, expected: check.expected }, head);
    if (explained === undefined) continue;
    wiring[i] = "change" in explained ? { ...check, ok: true, changedByGovernance: explained.change } : { ...check, detail: explained.detail };
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
      const at = change === undefined ? "" : `by governance at block ${change.blockNumber} (tx ${change.transactionHash})`;
      if (change !== undefined && check.timelockRole !== undefined) {
        const role = check.timelockRole;
        return `  changed  ${check.name}: ${role.held ? "revoked from" : "granted to"} ${role.account} ${at}`;
      }
      if (change !== undefined) return `  changed  ${check.name}: is ${check.actual} (the record's ${check.expected}), changed ${at}`;
      if (check.ok) return `  ok       ${check.name}`;
      return `  FAILED   ${check.name}${check.actual === undefined ? "" : `: is ${check.actual}, not ${check.expected}`}${check.detail === undefined ? "" : `: ${check.detail}`}`;
    }),
  ];
  if (failed.length > 0) {
    // The error names the failures; the list shows them among every check, as a passing run would.
    write(ctx.options.json ? toJson(view) : text.join("\n"));
    throw new VerificationError(
      `${file}: ${failed.length} of ${ran} checks failed: ` +
        failed
          .map(({ name, actual, expected, detail }) => (actual !== undefined ? `${name} is ${actual}, not ${expected}` : detail !== undefined ? `${name}: ${detail}` : name))
          .join(", "),
    );
  }
  return { data: view, text };
}
