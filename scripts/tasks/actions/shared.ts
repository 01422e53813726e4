/**
 * Reads and steps that several areas share: the provider a command acts for, a stake breakdown, a job's terms as
 * emitted at creation, and paying LAT into a contract (approve when the allowance falls short, or an EIP-2612
 * permit).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ZeroAddress, getAddress, keccak256 } from "ethers";
import type { IJobEscrow } from "../../../typechain-types/contracts/jobs/JobEscrow";
import type { IProviderRegistry } from "../../../typechain-types/contracts/registry/ProviderRegistry";
import { JobStatus, signTokenPermit } from "../../scenario";
import type { DeploymentContext, RevertHints, TaskContext } from "../lib/context";
import { InputError, StateError } from "../lib/errors";
import { formatLat } from "../lib/format";
import { queryLogRange } from "../lib/logs";
import { parseBytes32, parseText } from "../lib/parse";

/** How long a permit signed by a task stays valid: long enough for the transaction that uses it to be mined. */
const PERMIT_VALIDITY = 3600;

/**
 * `--provider` if given (address or account index), else the signer itself; in a read-only task, the account it
 * would sign with, and with none (a network with no account), an error saying `field` is required.
 */
export async function providerArg(ctx: DeploymentContext, value: string | undefined, field = "--provider"): Promise<string> {
  return value === undefined ? ctx.defaultAccount(field) : ctx.account(field, value);
}

/**
 * The provider an operator-or-owner action is for: `--provider`, else the signer, which must then be registered
 * (an operator has no way to say whose machine it runs but `--provider`).
 */
export async function actingProvider(ctx: TaskContext, value: string | undefined): Promise<string> {
  const provider = value === undefined ? ctx.address : await ctx.account("--provider", value);
  if ((await ctx.c.registry.getProvider(provider)).registered) return provider;
  // Most often an operator's worker key with --provider left out or mistyped: the providers it operates are the answer.
  // A provider's own key with a wrong --provider is the other common slip: it needs no --provider at all.
  const [operated, signerListed] = await Promise.all([
    operatedBy(ctx, ctx.address),
    value === undefined ? false : ctx.c.registry.getProvider(ctx.address).then((p) => p.registered),
  ]);
  const head = value === undefined ? `not given, and the signer ${ctx.address} is not a registered provider` : `${provider} is not a registered provider`;
  let message: string;
  if (signerListed) {
    message =
      `${head}, and the signer ${ctx.address} is a provider itself: drop --provider to act for it` +
      (operated === undefined ? "" : `, or name a provider it operates (${operated.list}): give --provider ${operated.pick}`);
  } else if (operated !== undefined) {
    message = `${head}: the signer is the operator of ${operated.list}: give --provider ${operated.pick}`;
  } else if (value === undefined) {
    message =
      `${head}, nor the operator of one: sign as a provider, ${rerun(ctx, "<provider account>")}, ` +
      `or as a provider's operator naming it, ${rerun(ctx, "<operator account>", { provider: "<provider>" })}`;
  } else {
    message =
      `${head}, and the signer ${ctx.address} is neither a provider nor the operator of one: check --provider, and sign as that provider or its operator: ` +
      rerun(ctx, "<provider or operator account>", { provider: "<provider>" });
  }
  throw new InputError("--provider", message);
}

/** The pick of an account that operates several providers: which one is for the user to say. */
const ONE_OF_THEM = "<one of them>";

/** The providers an account operates, as a refusal of that account names them. */
export interface Operated {
  /** Their addresses, comma-separated. */
  list: string;
  /** The one a suggested command names: the only one, else "<one of them>". */
  pick: string;
}

/**
 * The registered providers `account` operates, undefined where none: an account that is not a provider is most often
 * an operator's worker key where its provider's was meant, and those providers are the answer.
 */
export async function operatedBy(ctx: DeploymentContext, account: string): Promise<Operated | undefined> {
  const providers = (await registeredProviders(ctx)).filter((p) => p.listing.operator === account).map((p) => p.address);
  if (providers.length === 0) return undefined;
  return { list: providers.join(", "), pick: providers.length === 1 ? providers[0]! : ONE_OF_THEM };
}

/**
 * The refusal of a command only a registered provider's own account runs (its stake, its listing, its slash reward
 * cap) when the signer is not one. An operator, whose key acts for its providers elsewhere, is told which providers
 * it operates (as actingProvider tells it), why this command is the provider's own (`rule`), and the command again
 * signed by the provider; any other account is told `otherwise`.
 */
export async function notAProvider(ctx: TaskContext, refusal: { rule: string; otherwise: string; state?: string }): Promise<StateError> {
  const head = `${ctx.address} is not a registered provider${refusal.state ?? ""}`;
  const operated = await operatedBy(ctx, ctx.address);
  if (operated === undefined) return new StateError(`${head}${refusal.otherwise}`);
  // One of several providers stays for the user to choose.
  const from = operated.pick === ONE_OF_THEM ? ONE_OF_THEM : await fromOption(ctx, operated.pick);
  return new StateError(`${head}: the signer is the operator of ${operated.list}: ${refusal.rule}: ${rerun(ctx, from)}`);
}

/**
 * For a revert that names the caller that may not act for a provider (the registry's ProviderRegistryUnauthorized,
 * the escrow's JobEscrowUnauthorized, the dispute manager's DisputeManagerUnauthorized): who may act for `provider`
 * instead, the provider and its operator, each with the command again signed by it. `provider` is read only for such
 * a revert.
 */
export function actingProviderHints(ctx: TaskContext, provider: string | (() => Promise<string>)): RevertHints {
  const hint = async () => {
    const address = typeof provider === "string" ? provider : await provider();
    const { registered, operator } = await ctx.c.registry.getProvider(address);
    if (!registered) return `${address} is not a registered provider`;
    if (operator === ZeroAddress) return `only the provider ${address} itself acts for it (it has no operator): ${rerun(ctx, await fromOption(ctx, address))}`;
    return (
      `only the provider ${address} or its operator ${operator} acts for it: ` +
      `as its operator, ${rerun(ctx, await fromOption(ctx, operator))}; as the provider, ${rerun(ctx, await fromOption(ctx, address))}`
    );
  };
  return { ProviderRegistryUnauthorized: hint, JobEscrowUnauthorized: hint, DisputeManagerUnauthorized: hint };
}

export interface StakeBreakdown {
  staked: bigint;
  locked: bigint;
  thawing: bigint;
  free: bigint;
  /** `minStakePerGpu * gpuCount` of the provider's listing (zero when it lists nothing). */
  required: bigint;
  minStakePerGpu: bigint;
  /** Whether `staked - thawing` covers `required`. */
  meetsMinimum: boolean;
}

export async function readStake(ctx: DeploymentContext, provider: string): Promise<StakeBreakdown> {
  const [[staked, locked, thawing], free, minStakePerGpu, record] = await Promise.all([
    ctx.c.staking.getStake(provider),
    ctx.c.staking.freeStake(provider),
    ctx.c.staking.minStakePerGpu(),
    ctx.c.registry.getProvider(provider),
  ]);
  const required = record.registered ? minStakePerGpu * record.gpuCount : 0n;
  return { staked, locked, thawing, free, required, minStakePerGpu, meetsMinimum: staked - thawing >= required };
}

export interface RegisteredProvider {
  address: string;
  listing: IProviderRegistry.ProviderStructOutput;
}

/**
 * Every provider registered now, with its listing: the accounts of the registry's ProviderRegistered logs (it keeps no
 * list), each read back from the registry, as its model or operator may have changed since, or it deregistered.
 */
export async function registeredProviders(ctx: DeploymentContext): Promise<RegisteredProvider[]> {
  const registry = ctx.c.registry;
  const head = await ctx.hre.ethers.provider.getBlockNumber();
  const { logs } = await queryLogRange("ProviderRegistry's ProviderRegistered", ctx.fromBlock("ProviderRegistry"), head, (from, to) =>
    registry.queryFilter(registry.filters.ProviderRegistered(), from, to),
  );
  const addresses = [...new Set(logs.map((log) => log.args.provider))];
  const listings = await Promise.all(addresses.map(async (address) => ({ address, listing: await registry.getProvider(address) })));
  return listings.filter((p) => p.listing.registered);
}

/**
 * For a revert that names only the job id, where the job does not exist or has no open dispute: the ids that exist,
 * or the job's status (a newcomer's `--job 1` on the seeded devnet, or an id from another deployment).
 */
export function jobIdHints(ctx: DeploymentContext, jobId: bigint): RevertHints {
  const last = async () => `the last job id is ${await ctx.c.jobEscrow.jobCount()}`;
  return {
    JobEscrowUnknownJob: async () => `no job has id ${jobId}: ${await last()}`,
    DisputeManagerNoOpenDispute: async () => {
      const status = Number((await ctx.c.jobEscrow.getJob(jobId)).status);
      if (status === JobStatus.None) return `no job has id ${jobId}: ${await last()}`;
      return `job ${jobId} is ${JobStatus[status]}: only a disputed job has an open dispute (job status --job ${jobId} shows its history)`;
    },
  };
}

/**
 * JobEscrowUnexpectedStatus names the job's status but not the one the call needs (`needs`, and what the task does to
 * such a job: `can be accepted`): both, and where to see what can happen to the job instead, which `job status` says.
 */
export function jobStatusHints(ctx: DeploymentContext, jobId: bigint, needs: JobStatus, done: string): RevertHints {
  return {
    JobEscrowUnexpectedStatus: async () => {
      const status = JobStatus[Number((await ctx.c.jobEscrow.getJob(jobId)).status)];
      return `only a job that is ${JobStatus[needs]} ${done}, and job ${jobId} is ${status}: ${suggest(ctx, `job status --job ${jobId}`)} shows what can happen to it next`;
    },
  };
}

/** The display name and metadata URI a provider last emitted (they live only in events). */
export async function listingStrings(
  ctx: DeploymentContext,
  provider: string,
): Promise<{ gpuModelName: string; metadataURI: string } | undefined> {
  const registry = ctx.c.registry;
  const from = ctx.fromBlock("ProviderRegistry");
  const to = await ctx.hre.ethers.provider.getBlockNumber();
  // Split where a node caps the blocks one eth_getLogs may span, as every log read of the tasks is.
  const [{ logs: registered }, { logs: updated }] = await Promise.all([
    queryLogRange(`ProviderRegistry's ProviderRegistered of ${provider}`, from, to, (a, b) =>
      registry.queryFilter(registry.filters.ProviderRegistered(provider), a, b),
    ),
    queryLogRange(`ProviderRegistry's ProviderUpdated of ${provider}`, from, to, (a, b) =>
      registry.queryFilter(registry.filters.ProviderUpdated(provider), a, b),
    ),
  ]);
  const latest = [...registered, ...updated].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index).at(-1);
  if (latest === undefined) return undefined;
  return { gpuModelName: latest.args.gpuModelName, metadataURI: latest.args.metadataURI };
}

export interface CreatedJob {
  jobId: bigint;
  client: string;
  terms: IJobEscrow.JobTermsStruct & {
    requirements: {
      gpuModel: string;
      region: string;
      minVramGiB: bigint;
      gpuCount: bigint;
      tier: bigint;
      minCompletedJobs: bigint;
      minSlashRewardBps: bigint;
    };
    maxPricePerGpuHour: bigint;
    maxDuration: bigint;
    acceptDeadline: bigint;
    targetProvider: string;
    specHash: string;
  };
  specURI: string;
  escrowed: bigint;
  blockNumber: number;
}

/** A job's terms, read back from its JobCreated event (the escrow stores only their hash). */
export async function createdJob(ctx: DeploymentContext, jobId: bigint): Promise<CreatedJob> {
  const escrow = ctx.c.jobEscrow;
  const head = await ctx.hre.ethers.provider.getBlockNumber();
  const {
    logs: [event],
  } = await queryLogRange(`JobEscrow's JobCreated of job ${jobId}`, ctx.fromBlock("JobEscrow"), head, (from, to) =>
    escrow.queryFilter(escrow.filters.JobCreated(jobId), from, to),
  );
  if (event === undefined) {
    throw new StateError(`job ${jobId} does not exist (the last job id is ${await escrow.jobCount()})`);
  }
  const t = event.args.terms;
  const r = t.requirements;
  return {
    jobId,
    client: event.args.client,
    terms: {
      requirements: {
        gpuModel: r.gpuModel,
        region: r.region,
        minVramGiB: r.minVramGiB,
        gpuCount: r.gpuCount,
        tier: r.tier,
        minCompletedJobs: r.minCompletedJobs,
        minSlashRewardBps: r.minSlashRewardBps,
      },
      maxPricePerGpuHour: t.maxPricePerGpuHour,
      maxDuration: t.maxDuration,
      acceptDeadline: t.acceptDeadline,
      targetProvider: t.targetProvider,
      specHash: t.specHash,
    },
    specURI: event.args.specURI,
    escrowed: event.args.escrowed,
    blockNumber: event.blockNumber,
  };
}

/** Fails before any transaction when the signer holds less LAT than `amount`. */
export async function requireBalance(ctx: TaskContext, amount: bigint, purpose: string, options: { suggestTransfer?: boolean } = {}): Promise<void> {
  const balance = await ctx.c.token.balanceOf(ctx.address);
  if (balance < amount) {
    const shortBy = `${ctx.address} holds ${formatLat(balance)}; ${purpose} needs ${formatLat(amount)}`;
    // A transfer short of LAT is the sender's to size down; topping the sender up from a third account is no answer.
    if (options.suggestTransfer === false) throw new StateError(shortBy);
    // A new account's first stake or job fails here: say where LAT comes from, not only that it is missing.
    const missing = formatLat(amount - balance).split(" ")[0] as string;
    throw new StateError(
      `${shortBy}. Send it the rest from an account that holds LAT: ` +
        suggest(ctx, `token transfer --to ${ctx.address} --amount ${missing}`, { from: "<holder>" }),
    );
  }
}

/** Approves `spender` for `amount` unless the allowance already covers it (saves a transaction on retries). */
export async function ensureAllowance(ctx: TaskContext, spender: string, amount: bigint): Promise<void> {
  const allowance = await ctx.c.token.allowance(ctx.address, spender);
  if (allowance >= amount) return;
  await ctx.send("LatentToken.approve", () => ctx.c.token.approve(spender, amount));
}

export interface PermitSignature {
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

/** An EIP-2612 permit from the signer for `spender`, valid for an hour of chain time. */
export async function signPermit(ctx: TaskContext, spender: string, amount: bigint): Promise<PermitSignature> {
  const deadline = BigInt((await ctx.now()) + PERMIT_VALIDITY);
  const sig = await signTokenPermit(ctx.c.token, ctx.record.chainId, ctx.signer, spender, amount, deadline);
  return { deadline, ...sig };
}

/** A document referenced on-chain by URI and hash: from a file (hash computed, `data:` URI by default) or given. */
export interface Document {
  uri: string;
  hash: string;
}

/**
 * Resolves `--<name>-file`, `--<name>-uri`, `--<name>-hash`: a file alone becomes a base64 `data:` URI (what the
 * worker reads on a devnet) with its keccak256; a file with a URI hashes the file published at that URI; a URI
 * needs its hash.
 */
export function resolveDocument(
  name: string,
  options: { file?: string; uri?: string; hash?: string },
  maxUriBytes: number,
): Document {
  const fileOpt = `--${name}-file`;
  const uriOpt = `--${name}-uri`;
  const hashOpt = `--${name}-hash`;
  if (options.file !== undefined && options.hash !== undefined) {
    throw new InputError(`${fileOpt} / ${hashOpt}`, "give only one: the hash of a file is computed from it");
  }
  if (options.file !== undefined) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(options.file);
    } catch (error) {
      throw new InputError(fileOpt, `cannot read ${options.file}: ${(error as Error).message}`);
    }
    if (bytes.length === 0) throw new InputError(fileOpt, `${options.file} is empty`);
    const hash = keccak256(bytes);
    if (options.uri !== undefined) return { uri: parseText(uriOpt, options.uri, maxUriBytes), hash };
    const mediaType = path.extname(options.file).toLowerCase() === ".json" ? "application/json" : "application/octet-stream";
    // Sent as JSON, a truncated or mistyped file would be posted and paid for, and refused by every reader
    // (a worker cannot parse the spec, so the escrow waits out its acceptance deadline).
    if (mediaType === "application/json") {
      try {
        JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch (error) {
        throw new InputError(fileOpt, `${options.file} is not valid JSON (${(error as Error).message}), which a .json file is sent as: fix it, or give the file another extension to send its bytes as they are`);
      }
    }
    const uri = `data:${mediaType};base64,${bytes.toString("base64")}`;
    if (Buffer.byteLength(uri) > maxUriBytes) {
      throw new InputError(
        fileOpt,
        `${options.file} makes a data: URI of ${Buffer.byteLength(uri)} bytes, over the contracts' ${maxUriBytes}: ` +
          `publish the file and pass ${uriOpt} with ${fileOpt} (or ${hashOpt})`,
      );
    }
    return { uri, hash };
  }
  if (options.uri === undefined) throw new InputError(`${fileOpt} / ${uriOpt}`, "give a file, or a URI and its hash");
  if (options.hash === undefined) throw new InputError(hashOpt, `required with ${uriOpt} unless ${fileOpt} is given`);
  return { uri: parseText(uriOpt, options.uri, maxUriBytes), hash: parseBytes32(hashOpt, options.hash) };
}

/** Where the `localhost` network points without LOCAL_RPC_URL (hardhat.config.ts). */
const DEFAULT_LOCAL_RPC_URL = "http://127.0.0.1:8545";

/**
 * The command line suggested for a next step, with this run's --network and record, and `from` (the account that
 * signs it, as --from takes it, or a placeholder) last: every suggestion ends with its common options in one order,
 * that of npm start's printed prefix (`--network … --deployment … --from <#>`). On `localhost` at another URL (npm
 * start --chain-port) it starts with the LOCAL_RPC_URL that reached the node: without it the command would go to the
 * default port.
 */
export function suggest(ctx: DeploymentContext, command: string, options: { from?: string } = {}): string {
  const config = ctx.hre.network.config as { url?: string };
  const url = ctx.networkName === "localhost" ? config.url : undefined;
  const parts = url !== undefined && url !== DEFAULT_LOCAL_RPC_URL ? [`LOCAL_RPC_URL=${url}`] : [];
  parts.push("npx hardhat", command, `--network ${ctx.networkName}`);
  if (ctx.options.deployment !== undefined) parts.push(`--deployment ${ctx.options.deployment}`);
  // Found through LATENT_DEPLOYMENTS_DIR, perhaps given for this one command: named, the record does not depend on it.
  else if (process.env.LATENT_DEPLOYMENTS_DIR) parts.push(`--deployment ${ctx.deploymentFile}`);
  if (options.from !== undefined) parts.push(`--from ${options.from}`);
  return parts.join(" ");
}

/** The common options, which suggest writes itself. */
const COMMON_OPTIONS = new Set(["deployment", "from", "json"]);

/**
 * This run's command again, signed `--from from`: the task and the options the user gave, in the task's order, then
 * --json if given, as `suggest` writes it. `replace` puts a placeholder for an option whose value is the mistake (or
 * that is missing). A task body run without its task (runReadTask called by a script) has no command to repeat.
 */
export function rerun(ctx: DeploymentContext, from: string, replace: Readonly<Record<string, string>> = {}): string {
  if (ctx.command === undefined) return `sign with --from ${from}`;
  const given = new Map<string, unknown>(Object.entries(ctx.options));
  const words = [ctx.command.scope, ctx.command.name].filter((w): w is string => w !== undefined);
  for (const param of Object.values(ctx.command.paramDefinitions)) {
    if (COMMON_OPTIONS.has(param.name)) continue;
    const option = `--${param.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const placeholder = replace[param.name];
    const value = given.get(param.name);
    if (placeholder !== undefined) words.push(option, placeholder);
    else if (param.isFlag) {
      if (value === true) words.push(option);
    } else if (value !== undefined && value !== param.defaultValue) words.push(option, shellWord(String(value)));
  }
  if (ctx.options.json) words.push("--json");
  return suggest(ctx, words.join(" "), { from });
}

/** `text` as one shell word: as it is where no shell would change it, else in single quotes. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * What --from takes to sign as `address` in a suggested command: its index among the node's accounts, else the
 * address itself, which signs where it is LATENT_PRIVATE_KEY's, or once that holds its key (the --from refusal of an
 * address the node lacks says so).
 */
export async function fromOption(ctx: DeploymentContext, address: string): Promise<string> {
  const wanted = getAddress(address);
  const index = (await ctx.hre.ethers.getSigners()).findIndex((a) => getAddress(a.address) === wanted);
  return index >= 0 ? String(index) : wanted;
}

export interface ThawRequestView {
  index: bigint;
  amount: bigint;
  maturesAt: number;
  matured: boolean;
}

/** The provider's pending thaw requests, oldest first: at most Staking's 8, one call each. */
export async function thawRequests(ctx: DeploymentContext, provider: string): Promise<ThawRequestView[]> {
  const [[first, next], now] = await Promise.all([ctx.c.staking.thawRequestRange(provider), ctx.now()]);
  const out: ThawRequestView[] = [];
  for (let i = first; i < next; i++) {
    const r = await ctx.c.staking.getThawRequest(provider, i);
    out.push({ index: i, amount: r.amount, maturesAt: Number(r.maturesAt), matured: Number(r.maturesAt) <= now });
  }
  return out;
}
