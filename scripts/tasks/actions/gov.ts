/**
 * gov propose / vote / queue / execute / status / delegate: one-action parameter changes (or a token recovery from the
 * DisputeManager, JobEscrow or Staking) through LatentGovernor and the timelock. A proposal's actions and description are read back from its ProposalCreated event, so queue
 * and execute need only its id.
 */
import { MaxUint256, ZeroAddress, formatUnits, id as keccakUtf8 } from "ethers";
import type { FunctionFragment, Interface, TransactionDescription } from "ethers";
import { IERC20Metadata__factory } from "../../../typechain-types/factories/@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata__factory";
import { CONTRACT_NAMES, GOVERNANCE_MAX_DURATION, GOVERNANCE_QUORUM_BOUNDS, PARAM_BOUNDS } from "../../deploy";
import type { ContractName } from "../../deploy";
import { Vote } from "../../scenario";
import { contractsByName } from "../../scenario/events";
import { revertDecoder } from "../lib/context";
import type { CommonArgs, DeploymentContext, RevertHints, TaskContext } from "../lib/context";
import { InputError, RevertError, StateError } from "../lib/errors";
import { GOV_VALUE_FORMS, formatDuration, formatLat, formatParameter, formatTime, govValueKind, isoTime, table } from "../lib/format";
import { queryLogRange } from "../lib/logs";
import { LAT_DECIMALS, parseAddress, parseBigId, parseChoice, parseDuration, parseLat, parseText, parseTimestamp, parseTokenAmount, parseUint } from "../lib/parse";
import { PROPOSAL_STATES } from "../lib/revert";
import type { TaskResult } from "../lib/run";
import { suggest } from "./shared";

/**
 * The governor's and timelock's own bounds (LatentGovernor.MAX_VOTING_DELAY / MAX_VOTING_PERIOD / MIN_ and
 * MAX_QUORUM_NUMERATOR, LatentTimelock.MAX_DELAY). The proposal threshold's depends on the supply: read on chain.
 */
const GOVERNANCE_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  votingDelay: [0, GOVERNANCE_MAX_DURATION],
  votingPeriod: [1, GOVERNANCE_MAX_DURATION],
  updateDelay: [0, GOVERNANCE_MAX_DURATION],
  updateQuorumNumerator: GOVERNANCE_QUORUM_BOUNDS,
};
/**
 * What a function answers to a caller other than governance when it is governance's alone: Governed's onlyGovernance,
 * the governor's own onlyGovernance and the timelock's updateDelay. The ABI does not say who may call a function;
 * the contract does.
 */
const GOVERNANCE_ONLY = new Set(["GovernedOnlyGovernance", "GovernorOnlyExecutor", "TimelockUnauthorizedCaller"]);

const SUPPORT = { for: Vote.For, against: Vote.Against, abstain: Vote.Abstain } as const;

export interface ProposeArgs extends CommonArgs {
  contract: string;
  set: string;
  value?: string;
  /** recoverTokens' arguments: only with `--set recoverTokens`. */
  token?: string;
  to?: string;
  amount?: string;
  description: string;
}

/** The one call with more than one argument that the task builds: a token recovery, from its own options. */
const RECOVER = "recoverTokens";
const RECOVERY_OPTIONS = ["token", "to", "amount"] as const;

function contractName(value: string): ContractName {
  const name = CONTRACT_NAMES.find((n) => n.toLowerCase() === value.trim().toLowerCase());
  if (name === undefined) throw new InputError("--contract", `"${value}" is not one of ${CONTRACT_NAMES.join(", ")}`);
  return name;
}

/**
 * Whether `fragment` is governance's alone: called by the signer, who is not the timelock, it is refused as such. A
 * provider's own setter (ProviderRegistry.setPrice, Staking.setMaxSlashRewardBps) or anyone's call (JobEscrow.settle)
 * is no parameter a proposal sets: proposed, it would fail at execution, or act for the timelock as a provider would.
 */
async function governanceOnly(ctx: TaskContext, contract: ContractName, iface: Interface, fragment: FunctionFragment): Promise<boolean> {
  // Any value of the argument's type: the refusal comes before the argument is looked at.
  const values = fragment.inputs.map((input) => {
    const bytes = /^bytes(\d+)$/.exec(input.type);
    if (bytes !== null) return `0x${"00".repeat(Number(bytes[1]))}`;
    return { address: ZeroAddress, bool: false, bytes: "0x", string: "" }[input.type] ?? (input.baseType === "array" ? [] : 0n);
  });
  let data: string;
  try {
    data = iface.encodeFunctionData(fragment, values);
  } catch {
    return false; // A type no setter takes (a tuple): no governance parameter.
  }
  try {
    await ctx.hre.ethers.provider.call({ to: ctx.record.contracts[contract].address, from: ctx.address, data });
    return false;
  } catch (error) {
    // A node that gives no revert data says nothing of who may call: the function is not refused for that.
    const decoded = revertDecoder().decode(error);
    return decoded === undefined || GOVERNANCE_ONLY.has(decoded.name);
  }
}

/**
 * `minStakePerGpu` -> setMinStakePerGpu, `quorumNumerator` -> updateQuorumNumerator (the name gov execute and
 * deployment verify print it by); a full function name (setGrace, unpause, updateQuorumNumerator) as is.
 */
async function governanceFunction(ctx: TaskContext, iface: Interface, contract: ContractName, set: string): Promise<FunctionFragment> {
  const text = set.trim();
  const settable = iface.fragments.filter((f): f is FunctionFragment => f.type === "function" && !(f as FunctionFragment).constant && (f as FunctionFragment).inputs.length <= 1);
  const capitalized = `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
  const candidates = [text, `set${capitalized}`, `update${capitalized}`];
  for (const name of candidates) {
    const fragment = settable.find((f) => f.name === name);
    if (fragment !== undefined && (await governanceOnly(ctx, contract, iface, fragment))) return fragment;
  }
  const governed = await Promise.all(settable.map(async (f) => ((await governanceOnly(ctx, contract, iface, f)) ? f.name : undefined)));
  const available = governed.filter((name): name is string => name !== undefined);
  if (iface.getFunction(RECOVER) !== null) available.push(`${RECOVER} (with --token, --to and --amount)`);
  const choose = available.length === 0 ? "it has none" : `choose one of ${available.join(", ")}`;
  throw new InputError("--set", `${contract} has no parameter setter "${set}" that governance alone calls: ${choose}`);
}

/** The parameter a setter changes: setMinStakePerGpu -> minStakePerGpu. */
function parameterOf(fragment: FunctionFragment): string {
  const m = /^set([A-Z].*)$/.exec(fragment.name);
  return m === null ? fragment.name : `${m[1]!.charAt(0).toLowerCase()}${m[1]!.slice(1)}`;
}

async function convertValue(
  ctx: TaskContext,
  contract: ContractName,
  fragment: FunctionFragment,
  parameter: string,
  value: string | undefined,
): Promise<unknown[]> {
  const input = fragment.inputs[0];
  if (input === undefined) {
    if (value !== undefined) throw new InputError("--value", `${fragment.name}() takes no value: drop --value`);
    return [];
  }
  const kind = govValueKind(fragment.name, parameter, input.type);
  if (kind === undefined) throw new InputError("--value", `${fragment.name} takes a ${input.type}, which this task cannot build`);
  if (value === undefined) throw new InputError("--value", `required: ${fragment.name} takes ${GOV_VALUE_FORMS[kind].is}`);
  if (kind === "address") return [await ctx.account("--value", value)];
  let n: bigint;
  if (kind === "lat") n = parseLat("--value", value);
  else if (kind === "duration") n = BigInt(parseDuration("--value", value));
  else if (kind === "time") n = BigInt(parseTimestamp("--value", value));
  else n = parseUint("--value", value, kind === "bps" ? "bps" : kind === "percent" ? "percent" : undefined);
  if (n >= 2n ** BigInt(/^uint(\d+)$/.exec(input.type)![1]!)) throw new InputError("--value", `${n} does not fit the ${input.type} ${fragment.name} takes`);
  // The contracts check these bounds only when the proposal executes, days later: check them now.
  const bounds =
    (PARAM_BOUNDS as Record<string, readonly [bigint | number, bigint | number]>)[parameter] ??
    GOVERNANCE_BOUNDS[parameter] ??
    (contract === "LatentGovernor" && parameter === "proposalThreshold" ? [0n, await ctx.c.governor.maxProposalThreshold()] : undefined);
  if (bounds !== undefined && (n < BigInt(bounds[0]) || n > BigInt(bounds[1]))) {
    const show = (x: bigint | number) => formatParameter(parameter, BigInt(x));
    throw new InputError("--value", `${parameter} must be within [${show(bounds[0])}, ${show(bounds[1])}]; ${show(n)} would fail at execution`);
  }
  return [n];
}

/**
 * The getters of the setters that do not read back by their parameter's name (OpenZeppelin's: the governor's
 * quorumNumerator() beside its quorumNumerator(timepoint), the timelock's getMinDelay()), by their full signature.
 */
const GETTERS: Readonly<Record<string, string>> = {
  "LatentGovernor.updateQuorumNumerator": "quorumNumerator()",
  "LatentTimelock.updateDelay": "getMinDelay()",
};

/** The parameter's value now, when the contract exposes it (a getter, or the escrow's current parameters). */
async function currentValue(ctx: TaskContext, contract: ContractName, parameter: string): Promise<bigint | string | undefined> {
  const target = contractsByName(ctx.c)[contract] as unknown as Record<string, unknown> & { interface: Interface };
  const name = GETTERS[`${contract}.${parameter}`] ?? parameter;
  const getter = target.interface.getFunction(name);
  if (getter !== null && getter.constant && getter.inputs.length === 0) {
    const read = target[name] as () => Promise<bigint | string>;
    return read();
  }
  if (contract === "JobEscrow") {
    const params = await ctx.c.jobEscrow.getParams(await ctx.c.jobEscrow.currentParamsId());
    // A Result: named fields read like properties.
    const value = (params as unknown as Record<string, unknown>)[parameter];
    if (typeof value === "bigint") return value;
  }
  return undefined;
}

/** The timings a ruling by governance takes, and the dispute period it must fit in, by `Contract.parameter`. */
const RULING_TIMINGS = new Set(["LatentGovernor.votingDelay", "LatentGovernor.votingPeriod", "LatentTimelock.updateDelay", "JobEscrow.disputePeriod"]);

/**
 * While the timelock arbitrates disputes a ruling is a proposal: a change after which one cannot pass within the
 * dispute period would turn every dispute into a draw (the deploy refuses such a configuration for the same reason).
 */
async function checkRulingStaysPossible(ctx: TaskContext, contract: ContractName, parameter: string, value: bigint): Promise<void> {
  if (!RULING_TIMINGS.has(`${contract}.${parameter}`)) return;
  const timelock = ctx.record.contracts.LatentTimelock.address;
  if ((await ctx.c.disputeManager.arbitrator()).toLowerCase() !== timelock.toLowerCase()) return;
  const escrow = ctx.c.jobEscrow;
  const timings: Record<string, bigint> = {
    votingDelay: await ctx.c.governor.votingDelay(),
    votingPeriod: await ctx.c.governor.votingPeriod(),
    updateDelay: await ctx.c.timelock.getMinDelay(),
    disputePeriod: (await escrow.getParams(await escrow.currentParamsId())).disputePeriod,
  };
  timings[parameter] = value;
  const ruling = timings.votingDelay! + timings.votingPeriod! + timings.updateDelay!;
  if (ruling >= timings.disputePeriod!) {
    throw new StateError(
      `the timelock arbitrates disputes: with ${parameter} = ${formatParameter(parameter, value)} a ruling would take ` +
        `${ruling} s (${formatDuration(Number(ruling))}: votingDelay + votingPeriod + timelock delay), not less than the dispute ` +
        `period of ${formatParameter("disputePeriod", timings.disputePeriod!)}, so every dispute would end as a draw`,
    );
  }
}

/** A token as a recovery shows it: LAT's 18 decimals, or another token's decimals() and symbol() where it has them. */
interface TokenUnits {
  symbol: string;
  /** null for a token without decimals(): its amounts are shown in its smallest unit. */
  decimals: number | null;
}

async function tokenUnits(ctx: DeploymentContext, address: string): Promise<TokenUnits> {
  if (address.toLowerCase() === ctx.record.contracts.LatentToken.address.toLowerCase()) return { symbol: "LAT", decimals: LAT_DECIMALS };
  // decimals() and symbol() are optional in ERC20: a token may have neither.
  const metadata = IERC20Metadata__factory.connect(address, ctx.hre.ethers.provider);
  const decimals = await metadata.decimals().then(Number, () => null);
  const symbol = await metadata.symbol().catch(() => `units of ${address}`);
  return { symbol, decimals };
}

function showTokens(units: TokenUnits, amount: bigint): string {
  return units.decimals === null ? `${amount} ${units.symbol}` : `${formatUnits(amount, units.decimals)} ${units.symbol}`;
}

/** The contracts with a `recoverTokens`, and what of theirs a LAT recovery could take (for a refusal's words). */
const RECOVERERS: Partial<Record<ContractName, { lat: "surplus" } | { lat: "refused"; owed: string }>> = {
  DisputeManager: { lat: "surplus" },
  JobEscrow: { lat: "refused", owed: "the escrow of its jobs, owed to their clients and providers" },
  Staking: { lat: "refused", owed: "providers' stake" },
};

/**
 * `--set recoverTokens --token LAT|<address> --to <account> --amount <amount>|all`: checked as the contract checks it
 * at execution (token, recipient, amount, what is recoverable now), so that a proposal days from executing is not a
 * revert. The DisputeManager recovers LAT above its deposits held and any other token in full; the JobEscrow and
 * Staking any token but LAT, in full.
 */
async function recoveryProposal(ctx: TaskContext, contract: ContractName, args: ProposeArgs): Promise<{ values: [string, string, bigint]; change: string }> {
  const recoverer = RECOVERERS[contract];
  if (recoverer === undefined) {
    const names = Object.keys(RECOVERERS);
    throw new InputError("--set", `${contract} has no ${RECOVER}: only ${names.slice(0, -1).join(", ")} and ${names.at(-1)} send back tokens sent to them by mistake`);
  }
  if (args.value !== undefined) throw new InputError("--value", `${RECOVER} takes --token, --to and --amount, not --value`);
  const address = ctx.record.contracts[contract].address;
  if (args.token === undefined) throw new InputError("--token", `required with --set ${RECOVER}: LAT, or the address of the token to recover`);
  if (args.to === undefined) throw new InputError("--to", `required with --set ${RECOVER}: the recipient, an address or account index`);
  if (args.amount === undefined) throw new InputError("--amount", `required with --set ${RECOVER}: an amount in the token's units, or all`);

  const lat = ctx.record.contracts.LatentToken.address;
  const token = args.token.trim().toLowerCase() === "lat" ? lat : parseAddress("--token", args.token);
  const isLat = token.toLowerCase() === lat.toLowerCase();
  if (isLat && recoverer.lat === "refused") {
    // Every LAT there is owed, and the contract keeps no sum of it that could tell a stray transfer apart.
    throw new InputError(
      "--token",
      `${contract} cannot recover LAT (${token}): all the LAT it holds counts as ${recoverer.owed}, and it keeps no sum that could tell ` +
        `LAT sent by mistake apart (the recovery would revert with ${contract}RecoveryOfLat); only the DisputeManager recovers LAT, above its deposits held`,
    );
  }
  if ((await ctx.hre.ethers.provider.getCode(token)) === "0x") throw new InputError("--token", `${token} is no contract, so no token: give LAT or a token's address`);
  // Both read the token's balanceOf: a revert there is a contract that is no ERC20; any other failure (the node) is not the input's.
  const notErc20 = (error: unknown): never => {
    if (error instanceof RevertError) throw new InputError("--token", `${token} does not answer balanceOf: it is not an ERC20 token`);
    throw error;
  };
  const dm = ctx.c.disputeManager;
  const surplus =
    contract === "DisputeManager"
      ? await ctx.read("DisputeManager.recoverable", () => dm.recoverable(token)).catch(notErc20)
      : await ctx.read("balanceOf", () => IERC20Metadata__factory.connect(token, ctx.hre.ethers.provider).balanceOf(address)).catch(notErc20);
  const units = await tokenUnits(ctx, token);

  const to = await ctx.account("--to", args.to);
  if (to === ZeroAddress) throw new InputError("--to", `the zero address is not allowed (the recovery would revert with ${contract}RecoveryZeroRecipient)`);
  if (to.toLowerCase() === address.toLowerCase()) throw new InputError("--to", `${to} is the ${contract} itself: name the address the tokens go back to`);

  const all = args.amount.trim().toLowerCase() === "all";
  let amount: bigint;
  if (all) amount = MaxUint256;
  else if (units.decimals === null) throw new InputError("--amount", `${token} has no decimals(), so no amount can be read in its units: give all`);
  else amount = parseTokenAmount("--amount", args.amount, units.decimals, units.symbol, "all (everything recoverable when the proposal executes)");

  const whatIsRecoverable = async (): Promise<string> => {
    if (!isLat) return `${showTokens(units, surplus)} recoverable now (the ${contract}'s whole balance of it)`;
    const [balance, held] = await Promise.all([ctx.c.token.balanceOf(address), dm.heldDeposits()]);
    return `${showTokens(units, surplus)} recoverable now (the DisputeManager holds ${showTokens(units, balance)}, of which ${showTokens(units, held)} are the deposits of unresolved disputes, heldDeposits())`;
  };
  if (!all && amount > surplus) {
    throw new InputError(
      "--amount",
      `${showTokens(units, amount)} is more than the ${await whatIsRecoverable()}, so the recovery would fail at execution: ` +
        `${surplus === 0n ? "nothing is recoverable now" : `give at most ${units.decimals === null ? surplus : formatUnits(surplus, units.decimals)}`}, ` +
        `or all for all that is recoverable when the proposal executes`,
    );
  }
  const sent = all ? `all ${units.symbol} recoverable at execution` : showTokens(units, amount);
  return { values: [token, to, amount], change: `${contract}.${RECOVER}: ${sent} (token ${token}) to ${to}; ${await whatIsRecoverable()}` };
}

export async function propose(ctx: TaskContext, args: ProposeArgs): Promise<TaskResult<unknown>> {
  const contract = contractName(args.contract);
  const target = contractsByName(ctx.c)[contract];
  if (args.set.trim() === RECOVER) {
    const recovery = await recoveryProposal(ctx, contract, args);
    const calldata = target.interface.encodeFunctionData(RECOVER, recovery.values);
    return sendProposal(ctx, contract, calldata, parseText("--description", args.description, 100_000), recovery.change);
  }
  for (const option of RECOVERY_OPTIONS) {
    if (args[option] !== undefined) throw new InputError(`--${option}`, `only for --set ${RECOVER}, not for --set ${args.set}`);
  }
  const fragment = await governanceFunction(ctx, target.interface, contract, args.set);
  const parameter = parameterOf(fragment);
  const values = await convertValue(ctx, contract, fragment, parameter, args.value);
  if (values.length === 1 && typeof values[0] === "bigint") await checkRulingStaysPossible(ctx, contract, parameter, values[0]);
  const description = parseText("--description", args.description, 100_000);
  const calldata = target.interface.encodeFunctionData(fragment, values);
  const current = fragment.inputs.length === 1 ? await currentValue(ctx, contract, parameter) : undefined;
  const change =
    values.length === 0
      ? `${contract}.${fragment.name}()`
      : `${contract}.${parameter}: ${current === undefined ? "?" : show(parameter, current)} -> ${show(parameter, values[0] as bigint | string)}`;
  return sendProposal(ctx, contract, calldata, description, change, await revertsNow(ctx, contract, calldata));
}

/**
 * Runs the proposal's call now as the timelock that will execute it: what the target would refuse at execution (a
 * value no bound table here knows of, such as an arbitrator that is one of the protocol's contracts) is told before
 * anyone votes, not found days later. Told, not refused: many calls are refused now but not then (an unpause before
 * any pause, a setting another proposal makes valid first). The governor's own settings are not run: its
 * onlyGovernance accepts only a call a proposal's execution queued. Undefined where the call passes, or the node
 * gave no revert to read.
 */
async function revertsNow(ctx: TaskContext, contract: ContractName, calldata: string): Promise<string | undefined> {
  if (contract === "LatentGovernor") return undefined;
  const timelock = ctx.record.contracts.LatentTimelock.address;
  try {
    await ctx.hre.ethers.provider.call({ to: ctx.record.contracts[contract].address, from: timelock, data: calldata });
    return undefined;
  } catch (error) {
    return revertDecoder().decode(error, await ctx.nowIfAnswered())?.formatted;
  }
}

/** Proposes the one call `calldata` to `contract`; `change` says what it does, for the output. */
async function sendProposal(
  ctx: TaskContext,
  contract: ContractName,
  calldata: string,
  description: string,
  change: string,
  revertNow?: string,
): Promise<TaskResult<unknown>> {
  const targetAddress = ctx.record.contracts[contract].address;
  const gov = ctx.c.governor;
  const hints: RevertHints = {
    // Votes come from delegation only: an account holding LAT it never delegated has none, whatever its balance.
    GovernorInsufficientProposerVotes: async () => {
      const [balance, delegatee] = await Promise.all([ctx.c.token.balanceOf(ctx.address), ctx.c.token.delegates(ctx.address)]);
      const how = delegatee === ZeroAddress ? `its ${formatLat(balance)} has not been delegated: ${suggest(ctx, "gov delegate", { from: ctx.options.from })}, then propose` : `its LAT is delegated to ${delegatee}`;
      return `${ctx.address} has too few votes to propose (${how}; votes count from the second after delegating)`;
    },
  };
  const tx = await ctx.send("LatentGovernor.propose", () => gov.propose([targetAddress], [0n], [calldata], description), hints);
  const e = tx.events.find((x) => x.name === "ProposalCreated")?.args.toObject() as { proposalId: bigint; voteStart: bigint; voteEnd: bigint };
  const now = await ctx.now();
  return {
    data: {
      proposalId: e.proposalId,
      target: targetAddress,
      calldata,
      description,
      voteStart: Number(e.voteStart),
      voteEnd: Number(e.voteEnd),
      transaction: tx.hash,
      // null where the call passes now (or was not run: the governor's own settings).
      revertsNow: revertNow ?? null,
    },
    text: [
      `Proposal ${e.proposalId}`,
      `  ${change}`,
      ...(revertNow === undefined ? [] : [`  warning: executed now, this call would revert: ${revertNow}; the proposal fails at execution unless that changes by then`]),
      `  voting from ${formatTime(Number(e.voteStart) + 1, now)} until ${formatTime(Number(e.voteEnd), now)}`,
      `Vote with: ${suggest(ctx, `gov vote --id ${e.proposalId} --support for`, { from: ctx.options.from })}`,
    ],
  };
}

function show(parameter: string, value: bigint | string): string {
  return typeof value === "bigint" ? formatParameter(parameter, value) : value;
}

/**
 * A proposal's call as status prints it, in the units propose read it in: a recovery's token by name where it is LAT
 * and its amount in the token's units, a parameter in its unit. The raw arguments read as 10^decimals times too much.
 */
async function showCall(ctx: DeploymentContext, parsed: TransactionDescription): Promise<string> {
  if (parsed.name === RECOVER) {
    const [token, to, amount] = [parsed.args.getValue("erc20") as string, parsed.args.getValue("to") as string, parsed.args.getValue("amount") as bigint];
    const isLat = token.toLowerCase() === ctx.record.contracts.LatentToken.address.toLowerCase();
    const sent = amount === MaxUint256 ? "all (everything recoverable at execution)" : showTokens(await tokenUnits(ctx, token), amount);
    return `${RECOVER}(${isLat ? "LAT" : token}, ${to}, ${sent})`;
  }
  const parameter = parameterOf(parsed.fragment);
  return `${parsed.name}(${parsed.args.map((a: unknown) => (typeof a === "bigint" ? formatParameter(parameter, a) : String(a))).join(", ")})`;
}

interface Proposal {
  proposalId: bigint;
  proposer: string;
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
  descriptionHash: string;
}

/** How many proposals an unknown id's error lists, newest first. */
const LISTED_PROPOSALS = 5;

/**
 * For an unknown id's error: the proposals that were made (a proposal id is the long number `gov propose` printed,
 * not a count), so that a newcomer who tries `--id 1` learns which ids there are.
 */
function knownProposals(events: { args: { proposalId: bigint; description: string } }[]): string {
  if (events.length === 0) return "; no proposal has been made on it yet (gov propose makes one)";
  const newest = events.slice(-LISTED_PROPOSALS).reverse();
  const lines = newest.map((e) => {
    const firstLine = e.args.description.split("\n")[0] ?? "";
    const short = firstLine.length > 60 ? `${firstLine.slice(0, 59)}…` : firstLine;
    return `\n  ${e.args.proposalId}  ${JSON.stringify(short)}`;
  });
  const which = events.length > newest.length ? `the ${newest.length} newest of its ${events.length} proposals` : `its proposals`;
  return ` (a proposal id is the number gov propose printed); ${which}:${lines.join("")}`;
}

/** The proposal's actions and description, from its ProposalCreated event; checked against its id. */
async function findProposal(ctx: DeploymentContext, proposalId: bigint): Promise<Proposal> {
  const gov = ctx.c.governor;
  const head = await ctx.hre.ethers.provider.getBlockNumber();
  // Split where a node caps the blocks one eth_getLogs may span, as every log read of the tasks is.
  const { logs: events } = await queryLogRange("LatentGovernor's ProposalCreated", ctx.fromBlock("LatentGovernor"), head, (from, to) =>
    gov.queryFilter(gov.filters.ProposalCreated(), from, to),
  );
  const event = events.find((e) => e.args.proposalId === proposalId);
  if (event === undefined) throw new StateError(`no proposal ${proposalId} was made on governor ${await gov.getAddress()}${knownProposals(events)}`);
  const a = event.args;
  const p: Proposal = {
    proposalId,
    proposer: a.proposer,
    targets: [...a.targets],
    // By position: `values` is also Array.prototype.values, which a Result's named field cannot shadow.
    values: [...(a[3] as bigint[])],
    calldatas: [...a.calldatas],
    description: a.description,
    // queue and execute take the description's hash, not the text.
    descriptionHash: keccakUtf8(a.description),
  };
  const recomputed = await gov.hashProposal(p.targets, p.values, p.calldatas, p.descriptionHash);
  if (recomputed !== proposalId) throw new StateError(`proposal ${proposalId}: its ProposalCreated event hashes to ${recomputed}`);
  return p;
}

/**
 * The proposal's state, and the time, as of the block a transaction sent now would be in: the one its estimate was
 * refused in. On a devnet that mined nothing for a while the latest block is older, and its state (Pending, while
 * the refusal came from an Active proposal) would contradict the refusal it explains.
 */
async function stateAtNextBlock(ctx: DeploymentContext, proposalId: bigint): Promise<{ state: string; now: number }> {
  const gov = ctx.c.governor;
  const [state, now] = await Promise.all([gov.state(proposalId, { blockTag: "pending" }).catch(() => gov.state(proposalId)), ctx.nextBlockTime()]);
  return { state: PROPOSAL_STATES[Number(state)] ?? String(state), now };
}

/** Explains a refused state transition with the proposal's timeline. */
function stateHints(ctx: TaskContext, proposalId: bigint): RevertHints {
  const timeline = async () => {
    const gov = ctx.c.governor;
    const [{ state, now }, snapshot, deadline, eta] = await Promise.all([
      stateAtNextBlock(ctx, proposalId),
      gov.proposalSnapshot(proposalId),
      gov.proposalDeadline(proposalId),
      gov.proposalEta(proposalId),
    ]);
    const parts = [`the proposal is ${state}`];
    if (now <= Number(snapshot)) parts.push(`voting opens ${formatTime(Number(snapshot) + 1, now)}`);
    else if (now <= Number(deadline)) parts.push(`voting ends ${formatTime(Number(deadline), now)}`);
    if (eta > 0n) parts.push(`executable from ${formatTime(Number(eta), now)}`);
    return parts.join("; ");
  };
  return { GovernorUnexpectedProposalState: timeline, TimelockUnexpectedOperationState: timeline };
}

export interface IdArgs extends CommonArgs {
  id: string;
}

export interface VoteArgs extends IdArgs {
  support: string;
  reason?: string;
}

export async function vote(ctx: TaskContext, args: VoteArgs): Promise<TaskResult<unknown>> {
  const proposalId = parseBigId("--id", args.id);
  const support = parseChoice("--support", args.support, SUPPORT);
  const gov = ctx.c.governor;
  // No snapshot: no such proposal. Said as queue and execute say it, listing the ids made (a newcomer's --id 1), not
  // as the governor's GovernorNonexistentProposal, which names only the id.
  if ((await gov.proposalSnapshot(proposalId)) === 0n) await findProposal(ctx, proposalId);
  const state = await ctx.read("LatentGovernor.state", () => gov.state(proposalId));
  if (PROPOSAL_STATES[Number(state)] === "Active") {
    // A vote without weight is accepted and counts for nothing: refuse it, it is always a mistake.
    const weight = await gov.getVotes(ctx.address, await gov.proposalSnapshot(proposalId));
    if (weight === 0n) {
      throw new StateError(
        `${ctx.address} had no votes at the proposal's snapshot: LAT votes only once delegated (gov delegate), before a proposal is made`,
      );
    }
  }
  const hints = stateHints(ctx, proposalId);
  const tx =
    args.reason === undefined
      ? await ctx.send("LatentGovernor.castVote", () => gov.castVote(proposalId, support), hints)
      : await ctx.send("LatentGovernor.castVoteWithReason", () => gov.castVoteWithReason(proposalId, support, args.reason as string), hints);
  const weight = tx.events.find((e) => e.name === "VoteCast")?.args.getValue("weight") as bigint;
  const [[against, forVotes, abstain], deadline] = await Promise.all([gov.proposalVotes(proposalId), gov.proposalDeadline(proposalId)]);
  return {
    data: { proposalId, voter: ctx.address, support: Vote[support], weight, tallies: { for: forVotes, against, abstain }, transaction: tx.hash },
    text: [
      `Voted ${Vote[support]} on proposal ${proposalId} with ${formatLat(weight)} of votes`,
      `  tallies: for ${formatUnits(forVotes, 18)}, against ${formatUnits(against, 18)}, abstain ${formatUnits(abstain, 18)} LAT`,
      // Anyone queues a proposal that passed, once voting has ended.
      `  voting ends ${formatTime(Number(deadline), await ctx.now())}; if it passed, queue it after: ${suggest(ctx, `gov queue --id ${proposalId}`)}`,
    ],
  };
}

export async function queue(ctx: TaskContext, args: IdArgs): Promise<TaskResult<unknown>> {
  const proposalId = parseBigId("--id", args.id);
  const p = await findProposal(ctx, proposalId);
  const gov = ctx.c.governor;
  const tx = await ctx.send("LatentGovernor.queue", () => gov.queue(p.targets, p.values, p.calldatas, p.descriptionHash), stateHints(ctx, proposalId));
  const eta = Number(await gov.proposalEta(proposalId));
  return {
    data: { proposalId, eta, transaction: tx.hash },
    text: [`Proposal ${proposalId} queued in the timelock: executable from ${formatTime(eta, await ctx.now())} by anyone: ${suggest(ctx, `gov execute --id ${proposalId}`)}`],
  };
}

export async function execute(ctx: TaskContext, args: IdArgs): Promise<TaskResult<unknown>> {
  const proposalId = parseBigId("--id", args.id);
  const p = await findProposal(ctx, proposalId);
  const gov = ctx.c.governor;
  const tx = await ctx.send("LatentGovernor.execute", () => gov.execute(p.targets, p.values, p.calldatas, p.descriptionHash), stateHints(ctx, proposalId));
  const changes: string[] = [];
  for (const e of tx.events) {
    if (e.name !== "TokensRecovered") continue;
    const [token, to, amount] = [e.args.getValue("token") as string, e.args.getValue("to") as string, e.args.getValue("amount") as bigint];
    // In the token's units, as propose read them: the smallest unit alone reads as 10^decimals times too much.
    changes.push(`${e.contract} recovered ${showTokens(await tokenUnits(ctx, token), amount)} (token ${token}) to ${to}`);
  }
  changes.push(...tx.events.flatMap((e) => {
    if (e.name === "ParameterUpdated" || e.name === "AddressParameterUpdated") {
      const parameter = asciiName(e.args.getValue("parameter") as string);
      // In the parameter's unit, as propose showed it: a LAT amount in wei alone reads as 10^18 times too much.
      const value = e.args.getValue("value") as bigint | string;
      return [`${e.contract}.${parameter} = ${show(parameter, value)}`];
    }
    // The pause is no parameter: without these lines an executed unpause or renewPause printed nothing it did.
    if (e.name === "Unpaused") return [`${e.contract}: pause lifted`];
    if (e.name === "PauseRenewed") return [`${e.contract}: paused until ${isoTime(Number(e.args.getValue("pausedUntil") as bigint))}`];
    // The governor's and the timelock's own settings log OpenZeppelin's events, (old, new), not ParameterUpdated.
    const setting = SETTING_EVENTS[e.name];
    if (setting === undefined) return [];
    return [`${e.contract}.${setting.parameter} = ${formatParameter(setting.unit, e.args[1] as bigint)}`];
  }));
  return {
    data: { proposalId, changes, transaction: tx.hash },
    text: [`Proposal ${proposalId} executed`, ...changes.map((c) => `  ${c}`)],
  };
}

/**
 * Withdraws the signer's own proposal while it is Pending (OZ's Governor lets only its proposer, and only before voting
 * opens; after that only a vote defeats it). A refusal says which of the two it was, naming the proposer and when
 * voting opened.
 */
export async function cancel(ctx: TaskContext, args: IdArgs): Promise<TaskResult<unknown>> {
  const proposalId = parseBigId("--id", args.id);
  const p = await findProposal(ctx, proposalId);
  const gov = ctx.c.governor;
  const hints: RevertHints = {
    GovernorUnableToCancel: async () => {
      const [{ state: stateName, now }, snapshot] = await Promise.all([stateAtNextBlock(ctx, proposalId), gov.proposalSnapshot(proposalId)]);
      if (p.proposer.toLowerCase() !== ctx.address.toLowerCase()) return `only its proposer ${p.proposer} may cancel it, and only while it is Pending (it is ${stateName})`;
      if (stateName === "Active") return `a proposal is cancelled only while Pending: voting opened ${formatTime(Number(snapshot) + 1, now)}, so only votes against defeat it now`;
      return `a proposal is cancelled only while Pending; it is ${stateName}`;
    },
  };
  const tx = await ctx.send("LatentGovernor.cancel", () => gov.cancel(p.targets, p.values, p.calldatas, p.descriptionHash), hints);
  return {
    data: { proposalId, transaction: tx.hash },
    text: [`Proposal ${proposalId} cancelled: ${JSON.stringify(p.description.split("\n")[0] ?? "")} will not be voted on (the same proposal cannot be made again; change its description to propose it anew)`],
  };
}

/** The governor's and timelock's setting events, by name: the setting each logs, and the parameter whose unit it is in. */
const SETTING_EVENTS: Readonly<Record<string, { parameter: string; unit: string }>> = {
  VotingDelaySet: { parameter: "votingDelay", unit: "votingDelay" },
  VotingPeriodSet: { parameter: "votingPeriod", unit: "votingPeriod" },
  ProposalThresholdSet: { parameter: "proposalThreshold", unit: "proposalThreshold" },
  QuorumNumeratorUpdated: { parameter: "quorumNumerator", unit: "quorumNumerator" },
  MinDelayChange: { parameter: "minDelay", unit: "updateDelay" },
};

function asciiName(word: string): string {
  return Buffer.from(word.slice(2).replace(/(00)+$/, ""), "hex").toString("latin1");
}

export interface ProposalView {
  proposalId: bigint;
  state: string;
  proposer: string;
  description: string;
  actions: { target: string; contract: string | null; call: string; value: bigint }[];
  voteStart: number;
  voteEnd: number;
  tallies: { for: bigint; against: bigint; abstain: bigint };
  quorum: bigint | null;
  eta: number | null;
  next: { task: string; from?: number; until?: number; possibleNow: boolean }[];
  now: number;
}

export async function status(ctx: DeploymentContext, args: IdArgs): Promise<TaskResult<ProposalView>> {
  const proposalId = parseBigId("--id", args.id);
  const p = await findProposal(ctx, proposalId);
  const gov = ctx.c.governor;
  // As of the next block, where a vote, queue or execute sent now would land: a quiet devnet's latest block may be
  // from before voting opened or closed.
  const [{ state: stateName, now }, snapshot, deadline, [against, forVotes, abstain], eta] = await Promise.all([
    stateAtNextBlock(ctx, proposalId),
    gov.proposalSnapshot(proposalId),
    gov.proposalDeadline(proposalId),
    gov.proposalVotes(proposalId),
    gov.proposalEta(proposalId),
  ]);
  // The quorum is defined at the snapshot, which must be in the past to be read.
  const quorum = Number(snapshot) < Number(await gov.clock()) ? await gov.quorum(snapshot) : null;
  const byAddress = contractsByName(ctx.c);
  const calls = await Promise.all(
    p.targets.map(async (target, i) => {
      const contract = CONTRACT_NAMES.find((n) => ctx.record.contracts[n].address.toLowerCase() === target.toLowerCase()) ?? null;
      const data = p.calldatas[i] as string;
      const parsed = contract === null ? null : byAddress[contract].interface.parseTransaction({ data });
      // The data keeps the exact arguments; the text shows them in their units.
      const call = parsed === null ? data : `${parsed.name}(${parsed.args.map((a: unknown) => String(a)).join(", ")})`;
      const shown = parsed === null ? data : await showCall(ctx, parsed);
      return { action: { target, contract, call, value: p.values[i] as bigint }, shown };
    }),
  );
  const actions = calls.map((c) => c.action);
  const next: ProposalView["next"] = [];
  const voteFrom = Number(snapshot) + 1;
  if (stateName === "Pending" || stateName === "Active") next.push({ task: "gov vote", from: voteFrom, until: Number(deadline), possibleNow: stateName === "Active" });
  if (stateName === "Succeeded") next.push({ task: "gov queue", possibleNow: true });
  if (stateName === "Queued") next.push({ task: "gov execute", from: Number(eta), possibleNow: now >= Number(eta) });
  const view: ProposalView = {
    proposalId,
    state: stateName,
    proposer: p.proposer,
    description: p.description,
    actions,
    voteStart: Number(snapshot),
    voteEnd: Number(deadline),
    tallies: { for: forVotes, against, abstain },
    quorum,
    eta: eta === 0n ? null : Number(eta),
    next,
    now,
  };
  const text = [
    `Proposal ${proposalId}: ${stateName}`,
    ...table([
      ["description", p.description.split("\n")[0] ?? ""],
      ["proposer", p.proposer],
      ...calls.map(({ action: a, shown }, i): [string, string] => [`action ${i + 1}`, `${a.contract ?? a.target}.${shown}`]),
      ["voting", `from ${formatTime(voteFrom, now)} until ${formatTime(Number(deadline), now)}`],
      ["for", formatLat(forVotes)],
      ["against", formatLat(against)],
      ["abstain", formatLat(abstain)],
      ["quorum", quorum === null ? "set at the snapshot" : `${formatLat(quorum)} (for + abstain must reach it)`],
      ["eta", view.eta === null ? "not queued" : formatTime(view.eta, now)],
    ]),
  ];
  if (stateName === "Defeated" && quorum !== null) {
    // OZ's simple counting: it passes only with the quorum reached by for + abstain, and more for than against.
    const reasons = [];
    if (forVotes + abstain < quorum) reasons.push(`for + abstain ${formatLat(forVotes + abstain)} did not reach the quorum of ${formatLat(quorum)}`);
    if (forVotes <= against) reasons.push(`for ${formatLat(forVotes)} was not more than against ${formatLat(against)}`);
    text.push(`  defeated: ${reasons.join("; and ")}`);
  }
  for (const n of next) {
    const when = n.possibleNow ? "possible now" : `from ${isoTime(n.from ?? now)}`;
    // A vote needs its choice and a voter's account (status signs nothing, so it has none to name); the others anyone sends.
    const command =
      n.task === "gov vote"
        ? suggest(ctx, `gov vote --id ${proposalId} --support <${Object.keys(SUPPORT).join("|")}>`, { from: "<voter>" })
        : suggest(ctx, `${n.task} --id ${proposalId}`);
    text.push(`  next: ${n.task} (${when}): ${command}`);
  }
  return { data: view, text };
}

export interface DelegateArgs extends CommonArgs {
  to?: string;
}

export async function delegate(ctx: TaskContext, args: DelegateArgs): Promise<TaskResult<unknown>> {
  const to = args.to === undefined ? ctx.address : await ctx.account("--to", args.to);
  const whom = to === ctx.address ? "itself" : to;
  if ((await ctx.c.token.delegates(ctx.address)).toLowerCase() === to.toLowerCase()) {
    // Delegating again changes nothing: its votes already count, for proposals made since it first delegated.
    const [balance, votes] = await Promise.all([ctx.c.token.balanceOf(ctx.address), ctx.c.token.getVotes(to)]);
    return {
      data: { holder: ctx.address, delegate: to, balance, votesOfDelegate: votes, transaction: null },
      text: [
        `${ctx.address} already delegates its ${formatLat(balance)} of votes to ${whom}: nothing sent`,
        `  ${to} has ${formatLat(votes)} of votes`,
      ],
    };
  }
  const tx = await ctx.send("LatentToken.delegate", () => ctx.c.token.delegate(to));
  const [balance, votes] = await Promise.all([ctx.c.token.balanceOf(ctx.address), ctx.c.token.getVotes(to)]);
  return {
    data: { holder: ctx.address, delegate: to, balance, votesOfDelegate: votes, transaction: tx.hash },
    text: [
      `${ctx.address} delegates its ${formatLat(balance)} of votes to ${whom}`,
      `  ${to} now has ${formatLat(votes)} of votes (counted for proposals made from now on)`,
    ],
  };
}
