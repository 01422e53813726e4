/**
 * deployment verify: runs deploy.ts's wiring checks on the record's contracts against what the record says the
 * deployment gave them (guardian, arbitrator, supply, allocations, governance settings, protocol parameters), prints
 * each one's result, and fails naming the checks that failed. A record written before those were kept cannot have
 * their checks run: they are listed as not run, not failed. A governed address (guardian, arbitrator, treasury),
 * governor or timelock setting, protocol parameter, or timelock role that differs from the deployment's passes when
 * the chain's own logs show governance set it since; what a run read of them is kept beside the record, so that the next
 * reads only the blocks since (lib/checkpoint.ts). It signs nothing, so it needs no account.
 */
import { encodeBytes32String, formatUnits } from "ethers";
import type { Interface, Log, LogDescription } from "ethers";
import { ECONOMIC_PARAM_NAMES, loadDeployment, recordedParams, recordedRoles, wiringChecks } from "../../deploy";
import type { ContractName, LatentContracts, TimelockRoleName, WiringCheck } from "../../deploy";
import { IGoverned__factory } from "../../../typechain-types/factories/contracts/interfaces/IGoverned__factory";
import type { DeploymentContext } from "../lib/context";
import { ChainQueryError, VerificationError } from "../lib/errors";
import { formatParameter, toJson } from "../lib/format";
import { LAT_DECIMALS } from "../lib/parse";
import { LogCheckpoint, checkpointFile, readLogStream } from "../lib/checkpoint";
import type { LogStream } from "../lib/checkpoint";
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
  /** What the user should know that is no check's result: that the checkpoint beside the record could not be written. */
  notes: string[];
}

/** One setter log of a governed value: the check whose value it sets, and the value (an address, or a number in decimal). */
interface SetValue {
  parameter: string;
  value: string;
  blockNumber: number;
  index: number;
  transactionHash: string;
}

const isSetValue = (item: unknown): item is SetValue => {
  const log = item as Partial<SetValue> | null;
  return (
    typeof log === "object" &&
    log !== null &&
    [log.parameter, log.value, log.transactionHash].every((field) => typeof field === "string") &&
    Number.isSafeInteger(log.blockNumber) &&
    Number.isSafeInteger(log.index)
  );
};

interface GovernedParameter {
  contract: ContractName;
  /** The event that logs it, and its logs as a detail names them: `ParameterUpdated(thawingPeriod)`. */
  kind: string;
  event: string;
  /** The interface that parses its contract's logs of `kind`, and the kind's topic. */
  iface: Interface;
  topic: string;
  /** The value a parsed log of its contract sets of this parameter; undefined for a log of another. */
  set: (log: LogDescription) => string | undefined;
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
  // The five Governed contracts share IGoverned's two events, whose first argument is the parameter's name.
  const governed = IGoverned__factory.createInterface();
  const named = (contract: ContractName, prefix: string, kind: "ParameterUpdated" | "AddressParameterUpdated", name: string): [string, GovernedParameter] => {
    const id = encodeBytes32String(name);
    const set = (log: LogDescription) => (log.name === kind && log.args[0] === id ? `${log.args[1]}` : undefined);
    return [`${prefix}.${name}`, { contract, kind, event: `${kind}(${name})`, iface: governed, topic: governed.getEvent(kind).topicHash, set }];
  };
  // A setting's log carries its old and new value; the new one, in decimal, is what it set.
  const setting = (name: string, contract: ContractName, iface: Interface, kind: string): [string, GovernedParameter] => {
    const set = (log: LogDescription) => (log.name === kind ? `${log.args[1]}` : undefined);
    const topic = iface.getEvent(kind)?.topicHash;
    if (topic === undefined) throw new TypeError(`${contract} has no event ${kind}`);
    return [name, { contract, kind, event: kind, iface, topic, set }];
  };
  // The protocol parameters: each contract's ParameterUpdated of that name, emitted by its constructor and its
  // onlyGovernance setter alone (the escrow's setters also push a new EconomicParams version, which a check reads).
  return new Map<string, GovernedParameter>([
    named("Staking", "staking", "ParameterUpdated", "minStakePerGpu"),
    named("Staking", "staking", "ParameterUpdated", "thawingPeriod"),
    named("ProviderRegistry", "registry", "ParameterUpdated", "maxGpusPerProvider"),
    named("PauseGuardian", "pauseGuardian", "ParameterUpdated", "pauseDuration"),
    ...ECONOMIC_PARAM_NAMES.map((name) => named("JobEscrow", "jobEscrow", "ParameterUpdated", name)),
    named("PauseGuardian", "pauseGuardian", "AddressParameterUpdated", "guardian"),
    named("DisputeManager", "disputeManager", "AddressParameterUpdated", "arbitrator"),
    named("Staking", "staking", "AddressParameterUpdated", "treasury"),
    setting("governor.votingDelay", "LatentGovernor", c.governor.interface, "VotingDelaySet"),
    setting("governor.votingPeriod", "LatentGovernor", c.governor.interface, "VotingPeriodSet"),
    setting("governor.proposalThreshold", "LatentGovernor", c.governor.interface, "ProposalThresholdSet"),
    setting("governor.quorumNumerator", "LatentGovernor", c.governor.interface, "QuorumNumeratorUpdated"),
    setting("timelock.getMinDelay", "LatentTimelock", c.timelock.interface, "MinDelayChange"),
  ]);
}

/** `contract`'s governed parameters, each with its check's name. */
function parametersOf(governed: Map<string, GovernedParameter>, contract: ContractName): [string, GovernedParameter][] {
  const parameters = [...governed].filter(([, parameter]) => parameter.contract === contract);
  if (parameters.length === 0) throw new TypeError(`${contract} has no governed parameter`);
  return parameters;
}

/** What `log`, parsed as `parsed`, sets of `parameters`; undefined for a parameter no check reads. */
function setValueOf(parameters: [string, GovernedParameter][], parsed: LogDescription, log: Log): SetValue | undefined {
  for (const [parameter, { set }] of parameters) {
    const value = set(parsed);
    if (value !== undefined) return { parameter, value, blockNumber: log.blockNumber, index: log.index, transactionHash: log.transactionHash };
  }
  return undefined;
}

/**
 * Of a contract's setter logs in block order, all that governanceChange reads of them: those in its block `from`, which
 * may be its constructor's, and of the later ones the last of each parameter.
 */
function keptSetValues(logs: SetValue[], from: number): SetValue[] {
  const last = new Map<string, SetValue>();
  for (const log of logs) if (log.blockNumber > from) last.set(log.parameter, log);
  return [...logs.filter((log) => log.blockNumber === from), ...last.values()].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
}

/** `kinds` as a list in a sentence: `A`, `A and B`, `A, B and C`. */
const listed = (kinds: string[]): string => (kinds.length === 1 ? `${kinds[0]}` : `${kinds.slice(0, -1).join(", ")} and ${kinds.at(-1)}`);

/**
 * Every governed parameter's logs of `contract`, read as one stream (one filter for all their events, so one range of
 * calls however many have changed) into the checkpoint, as keptSetValues keeps them. Not the timelock's: its delay's
 * logs are read with its role logs (timelockHistory).
 */
function setterLogs(ctx: DeploymentContext, contract: ContractName, governed: Map<string, GovernedParameter>): LogStream<SetValue> {
  const parameters = parametersOf(governed, contract);
  const { iface } = parameters[0]![1];
  const address = ctx.record.contracts[contract].address;
  const from = ctx.fromBlock(contract);
  const topics = [...new Set(parameters.map(([, parameter]) => parameter.topic))];
  const kinds = [...new Set(parameters.map(([, parameter]) => parameter.kind))];
  const query = async (fromBlock: number, toBlock: number): Promise<SetValue[]> =>
    (await ctx.hre.ethers.provider.getLogs({ address, topics: [topics], fromBlock, toBlock })).flatMap((log) => {
      const parsed = iface.parseLog(log);
      if (parsed === null) throw new ChainQueryError(`the node returned a log of ${contract} that is none of ${kinds.join(", ")} (tx ${log.transactionHash})`);
      const set = setValueOf(parameters, parsed, log);
      return set === undefined ? [] : [set];
    });
  const keep = (logs: SetValue[]): SetValue[] => keptSetValues(logs, from);
  return { key: `${contract} parameters`, what: `${contract}'s ${listed(kinds)}`, address, from, query, isItem: isSetValue, keep };
}

/**
 * The contract (lowercase) transaction `hash` created, null for none, from its receipt; undefined where the node has no
 * receipt for it. Kept in the checkpoint (which never needs to ask again: see lib/checkpoint.ts), so that the logs in a
 * contract's block cost their receipts once, not on every run.
 */
async function contractCreatedBy(ctx: DeploymentContext, checkpoint: LogCheckpoint, hash: string): Promise<string | null | undefined> {
  const known = checkpoint.createdBy(hash);
  if (known !== undefined) return known;
  const receipt = await ctx.hre.ethers.provider.getTransactionReceipt(hash);
  if (receipt === null) return undefined;
  const created = receipt.contractAddress?.toLowerCase() ?? null;
  checkpoint.saveCreatedBy(hash, created);
  return created;
}

/**
 * Where governance last set the value a failed check read, if it did: of `logs`, the parameter's logs from its
 * contract's block to the head (those in that block, and the last after it), the last, when it sets the chain's value
 * and was not emitted by the contract's constructor (in the transaction that created it, in the record's block: a
 * proposal cannot be executed before the contract exists). The constructor's own log must have set the record's
 * value: a record that misstates what the deployment set is not excused by a later change. Otherwise, where a log
 * explains why not, a detail naming it; undefined where none does.
 */
async function governanceChange(
  ctx: DeploymentContext,
  checkpoint: LogCheckpoint,
  parameter: GovernedParameter,
  check: { name: string; actual: string; expected: string },
  logs: SetValue[],
): Promise<{ change: GovernanceChange } | { detail: string } | undefined> {
  const deployedAt = ctx.fromBlock(parameter.contract);
  const address = ctx.record.contracts[parameter.contract].address.toLowerCase();
  const changes: SetValue[] = [];
  for (const log of logs.filter((log) => log.parameter === check.name)) {
    if (log.blockNumber === deployedAt) {
      const created = await contractCreatedBy(ctx, checkpoint, log.transactionHash);
      // A log whose transaction the node no longer has cannot be told from the constructor's: it excuses nothing.
      if (created === undefined) return undefined;
      if (created === address) {
        if (log.value.toLowerCase() !== check.expected.toLowerCase()) return { detail: `the constructor set ${shown(check.name, log.value)} (tx ${log.transactionHash})` };
        continue;
      }
    }
    changes.push(log);
  }
  const last = changes.at(-1);
  if (last === undefined) return undefined;
  if (last.value.toLowerCase() !== check.actual.toLowerCase()) {
    return { detail: `its last ${parameter.event} set ${shown(check.name, last.value)} at block ${last.blockNumber} (tx ${last.transactionHash})` };
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

interface TimelockHistory {
  /** The last role log of each role and account, keyed by `roleKey`. */
  last: Map<string, RoleLog>;
  timelock: string;
  /** The timelock's governed settings' logs (MinDelayChange), as keptSetValues keeps them. */
  settings: SetValue[];
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

/** One log of the timelock's stream: a role's, or a governed setting's. */
type TimelockLog = RoleLog | SetValue;

/**
 * Every RoleGranted and RoleRevoked the timelock emitted from its block in the record to `head`, the last of each
 * role and account kept. AccessControl logs a grant only to an account without the role and a revocation only from
 * one with it, so the last log of a pair is what the chain holds, and the pairs that have none were never granted.
 * TimelockController is not enumerable, so these logs are the only way to find a holder the checks do not name.
 * Its MinDelayChange logs come with them, in the same filter (topic0 any of the three): one range of eth_getLogs calls
 * instead of two, where a changed delay would otherwise be read again on its own. They are read from the checkpoint on
 * (lib/checkpoint.ts): an old deployment behind a node that caps eth_getLogs' range is thousands of calls.
 */
async function timelockHistory(
  ctx: DeploymentContext,
  c: LatentContracts,
  governed: Map<string, GovernedParameter>,
  checkpoint: LogCheckpoint,
  head: number,
): Promise<TimelockHistory> {
  const timelock = await c.timelock.getAddress();
  const from = ctx.fromBlock("LatentTimelock");
  const roleEvents = [c.timelock.interface.getEvent("RoleGranted"), c.timelock.interface.getEvent("RoleRevoked")];
  const settings = parametersOf(governed, "LatentTimelock");
  const kinds = [...roleEvents.map((event) => event.name), ...new Set(settings.map(([, setting]) => setting.kind))];
  const topics = [...roleEvents.map((event) => event.topicHash), ...new Set(settings.map(([, setting]) => setting.topic))];
  const provider = ctx.hre.ethers.provider;
  const query = async (fromBlock: number, toBlock: number): Promise<TimelockLog[]> =>
    (await provider.getLogs({ address: timelock, topics: [topics], fromBlock, toBlock })).flatMap((log): TimelockLog[] => {
      const event = c.timelock.interface.parseLog(log);
      if (event === null) throw new ChainQueryError(`the node returned a timelock log that is none of ${kinds.join(", ")} (tx ${log.transactionHash})`);
      if (roleEvents.some(({ name }) => name === event.name)) {
        const [role, account, sender] = event.args as unknown as [string, string, string];
        return [{ granted: event.name === "RoleGranted", role, account, sender, blockNumber: log.blockNumber, index: log.index, transactionHash: log.transactionHash }];
      }
      const set = setValueOf(settings, event, log);
      return set === undefined ? [] : [set];
    });
  const lastOfEach = (logs: RoleLog[]) => [...new Map(logs.map((log) => [roleKey(log.role, log.account), log])).values()];
  const logs = await readLogStream(
    checkpoint,
    provider,
    {
      key: "LatentTimelock roles and settings",
      what: `LatentTimelock's ${listed(kinds)}`,
      address: timelock,
      from,
      query,
      isItem: (item): item is TimelockLog => isRoleLog(item) || isSetValue(item),
      keep: (logs) => [...lastOfEach(logs.filter(isRoleLog)), ...keptSetValues(logs.filter(isSetValue), from)],
    },
    head,
  );
  const roles = logs.filter(isRoleLog);
  return { last: new Map(roles.map((log) => [roleKey(log.role, log.account), log])), timelock, settings: logs.filter(isSetValue) };
}

/**
 * Whether the chain's `holds` for a role and account is governance's doing: its last log was emitted with the
 * timelock as sender (a grantRole or revokeRole the timelock called on itself, so an executed proposal; the
 * constructor's grants have the deployer as sender) and set what the chain holds. Otherwise a detail that says why not.
 */
function explainRole(history: TimelockHistory, id: string, account: string, holds: boolean): { change: GovernanceChange } | { detail: string } {
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
async function timelockRoles(c: LatentContracts, history: TimelockHistory, wiring: VerifyCheck[], head: number): Promise<VerifyCheck[]> {
  const ids = new Map<string, TimelockRoleName>();
  const named = new Set<string>();
  for (const check of wiring) {
    if (check.timelockRole === undefined) continue;
    ids.set(check.timelockRole.id.toLowerCase(), check.timelockRole.role);
    named.add(roleKey(check.timelockRole.id, check.timelockRole.account));
  }
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

/** The checks of a number, whose value an ok line shows: what a reader compares with what they meant to deploy. */
const NUMBERS = new Set([...SETTINGS, ...PARAMETERS, "token.totalSupply"]);

/**
 * A check's value as verify prints it: a governor or timelock setting, protocol parameter or the supply in its unit
 * (7200 s (2h), 100.0 LAT, 4 (4% of the supply)), which its raw integer hides; anything else (an address) as read.
 */
function shown(name: string, value: string): string {
  if (name === "token.totalSupply") return `${formatUnits(value, LAT_DECIMALS)} LAT`;
  if (!NUMBERS.has(name)) return value;
  // The timelock's getter is not its setter's parameter, whose unit formatParameter knows.
  return formatParameter(name === "timelock.getMinDelay" ? "updateDelay" : name.slice(name.indexOf(".") + 1), BigInt(value));
}

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
  const wired: VerifyCheck[] = await wiringChecks(loaded.contracts, record.deployer, roles, ctx.fromBlock("LatentToken"));
  // Read after the checks, so that a change they saw is in the logs up to it.
  const head = await ctx.hre.ethers.provider.getBlockNumber();
  const governed = governedParameters(loaded.contracts);
  const checkpoint = new LogCheckpoint(checkpointFile(file));
  const history = await timelockHistory(ctx, loaded.contracts, governed, checkpoint, head);
  const wiring = await timelockRoles(loaded.contracts, history, wired, head);
  // Each contract's setter logs, read once for all its parameters that differ; the timelock's came with its role logs.
  const setters = new Map<ContractName, SetValue[]>([["LatentTimelock", history.settings]]);
  for (const [i, check] of wiring.entries()) {
    const parameter = governed.get(check.name);
    // Only a difference costs these log queries: a deployment as recorded is verified without them.
    if (parameter === undefined || check.ok || check.actual === undefined || check.expected === undefined || unrecorded.has(check.name)) continue;
    let logs = setters.get(parameter.contract);
    if (logs === undefined) {
      logs = await readLogStream(checkpoint, ctx.hre.ethers.provider, setterLogs(ctx, parameter.contract, governed), head);
      setters.set(parameter.contract, logs);
    }
    const explained = await governanceChange(ctx, checkpoint, parameter, { name: check.name, actual: check.actual, expected: check.expected }, logs);
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
  // Nothing else tells the user that every run reads the logs from the deployment again.
  const notes =
    checkpoint.unwritable === undefined
      ? []
      : [`could not write the checkpoint ${checkpoint.file} (${checkpoint.unwritable}): the next run reads the logs this one read again`];
  const view: VerifyView = {
    deployment: file,
    checks,
    failed: failed.map((c) => c.name),
    notRun: notRun.map((c) => c.name),
    changedByGovernance: changed.map((c) => c.name),
    notes,
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
      const actual = check.actual === undefined ? undefined : shown(check.name, check.actual);
      const expected = check.expected === undefined ? undefined : shown(check.name, check.expected);
      if (change !== undefined) return `  changed  ${check.name}: is ${actual} (the record's ${expected}), changed ${at}`;
      if (check.ok) return `  ok       ${check.name}${actual === undefined || !NUMBERS.has(check.name) ? "" : `: ${actual}`}`;
      return `  FAILED   ${check.name}${actual === undefined ? "" : `: is ${actual}, not ${expected}`}${check.detail === undefined ? "" : `: ${check.detail}`}`;
    }),
    ...notes.map((note) => `note: ${note}`),
  ];
  if (failed.length > 0) {
    // The error names the failures; the list shows them among every check, as a passing run would.
    write(ctx.options.json ? toJson(view) : text.join("\n"));
    throw new VerificationError(
      `${file}: ${failed.length} of ${ran} checks failed: ` +
        failed
          .map(({ name, actual, expected, detail }) => (actual !== undefined ? `${name} is ${shown(name, actual)}, not ${expected === undefined ? expected : shown(name, expected)}` : detail !== undefined ? `${name}: ${detail}` : name))
          .join(", "),
    );
  }
  return { data: view, text };
}
