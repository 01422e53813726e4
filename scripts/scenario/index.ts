/**
 * The scenario driver: composable steps that exercise the whole protocol on any Hardhat network (the in-process
 * one or a `hardhat node` over JSON-RPC), and `runFullScenario`, which emits every event of every contract.
 *
 * Everything takes a `Scenario` (a deployment, the actors' signers and an RPC provider that understands Hardhat's
 * `evm_*` methods, used to move time). Over JSON-RPC, give the signers an ethers JsonRpcProvider created with
 * `{ cacheTimeout: -1 }`: its default 250 ms cache answers a repeated view call with the state before the last
 * transaction. Steps wait for each receipt and throw on failure; they return ids and
 * amounts read from the receipts' events. The bulk helpers (`bulkRegisterProviders`, `bulkCreateJobs`) sign
 * locally and mine many transactions per block, for benchmarks and seeding.
 *
 *   const s = await deployScenario(await ethers.getSigners());
 *   const summary = await runFullScenario(s);
 */
import {
  MaxUint256,
  Wallet,
  ZeroAddress,
  ZeroHash,
  getBigInt,
  id as keccakUtf8,
  keccak256,
  parseEther,
  toBeHex,
  toUtf8Bytes,
} from "ethers";
import type { ContractTransactionReceipt, ContractTransactionResponse, Provider, Signer, TypedDataDomain } from "ethers";
import { deployLatent, DEVNET_GOVERNANCE } from "../deploy";
import type { DeployOptions, LatentContracts, LatentDeployment } from "../deploy";
import type { IJobEscrow } from "../../typechain-types/contracts/jobs/JobEscrow";
import { StrayToken__factory } from "../../typechain-types/factories/contracts/mocks/StrayToken__factory";
import { GPU_MODELS, Tier, gpuModelId, listing, regionId, toSpec } from "./catalog";
import type { GpuModel, ProviderListing } from "./catalog";

export * from "./catalog";
export * from "./events";

/** IJobEscrow.JobStatus */
export enum JobStatus {
  None,
  Open,
  Accepted,
  Submitted,
  Disputed,
  Completed,
  Cancelled,
  Expired,
  Declined,
  TimedOut,
  Refunded,
}

/** IJobEscrow.SettlementReason */
export enum SettlementReason {
  Approved,
  ChallengeWindowPassed,
  DisputeRejected,
  DisputeDraw,
}

/** IDisputeManager.Ruling */
export enum Ruling {
  None,
  Upheld,
  Rejected,
  Draw,
  Expired,
}

/** IGovernor vote types (GovernorCountingSimple). */
export enum Vote {
  Against,
  For,
  Abstain,
}

/** A provider that understands Hardhat's JSON-RPC extensions (`evm_increaseTime`, `evm_mine`, ...). */
export interface RpcProvider extends Provider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export interface ScenarioActors {
  deployer: Signer;
  guardian: Signer;
  arbitrator: Signer;
  /** Holds a large LAT allocation, votes (self-delegated) and proposes. */
  funder: Signer;
  /** voters[0] self-delegates; voters[1] delegates to voters[0]. */
  voters: Signer[];
  providers: Signer[];
  operators: Signer[];
  clients: Signer[];
}

export interface Scenario {
  deployment: LatentDeployment;
  /** The contracts, connected to the deployer (use `.connect(signer)` to act as someone else). */
  c: LatentContracts;
  actors: ScenarioActors;
  rpc: RpcProvider;
}

/** Signers needed by `assignActors`. Hardhat's default network and `hardhat node` both have 20. */
export const SCENARIO_SIGNERS = 20;

/**
 * Roles by index: 0 deployer, 1 guardian, 2 arbitrator, 3 funder, 4-5 voters, 6-11 providers, 12-14 operators,
 * 15-19 clients.
 */
export function assignActors(signers: readonly Signer[]): ScenarioActors {
  if (signers.length < SCENARIO_SIGNERS) throw new Error(`the scenario needs ${SCENARIO_SIGNERS} signers, got ${signers.length}`);
  const at = (i: number) => signers[i] as Signer;
  return {
    deployer: at(0),
    guardian: at(1),
    arbitrator: at(2),
    funder: at(3),
    voters: [at(4), at(5)],
    providers: signers.slice(6, 12),
    operators: signers.slice(12, 15),
    clients: signers.slice(15, 20),
  };
}

/** LAT allocated at deployment by `deployScenario`: the funder alone can pass proposals (quorum 4%). */
export const SCENARIO_ALLOCATIONS = {
  funder: parseEther("150000000"),
  voter0: parseEther("20000000"),
  voter1: parseEther("5000000"),
};

/**
 * Deploys a fresh set for a scenario: allocations to the funder and voters, the guardian and arbitrator from the
 * actors, devnet governance timings and a one-hour thawing period; `overrides` win.
 */
export async function deployScenario(signers: readonly Signer[], overrides: Partial<DeployOptions> = {}): Promise<Scenario> {
  const actors = assignActors(signers);
  const deployment = await deployLatent({
    deployer: actors.deployer,
    guardian: await actors.guardian.getAddress(),
    arbitrator: await actors.arbitrator.getAddress(),
    allocations: [
      { to: await actors.funder.getAddress(), amount: SCENARIO_ALLOCATIONS.funder },
      { to: await actors.voters[0]!.getAddress(), amount: SCENARIO_ALLOCATIONS.voter0 },
      { to: await actors.voters[1]!.getAddress(), amount: SCENARIO_ALLOCATIONS.voter1 },
    ],
    governance: DEVNET_GOVERNANCE,
    params: { thawingPeriod: 3600 },
    ...overrides,
  });
  return attachScenario(deployment, signers);
}

/** A Scenario over an existing deployment (e.g. one `npm start` made), with the same actor roles. */
export function attachScenario(deployment: LatentDeployment, signers: readonly Signer[]): Scenario {
  const actors = assignActors(signers);
  const provider = actors.deployer.provider;
  if (provider === null) throw new Error("signers must be connected to a provider");
  return { deployment, c: deployment.contracts, actors, rpc: provider as RpcProvider };
}

// ------------------------------------------------------------------------------------------------ chain helpers

/** Waits for a transaction and throws if it reverted. */
export async function mined(pending: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const tx = await pending;
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
  return receipt;
}

/**
 * The latest block's timestamp, read with a raw request: an ethers JsonRpcProvider answers repeated identical
 * requests from a 250 ms cache (`cacheTimeout`), which would miss a block mined by a time jump just before.
 */
export async function latestTimestamp(s: Scenario): Promise<number> {
  const block = (await s.rpc.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string } | null;
  if (block === null) throw new Error("no latest block");
  return Number(block.timestamp);
}

/**
 * The time the next block would get: the pending block's timestamp where the node has one (Hardhat's follows its
 * clock), never before the latest block's. Deadlines counted from the latest block alone fell behind the clock when
 * no block had been mined for longer than their window (a loaded CI run: a 120 s window, the next block 129 s on).
 */
export async function nextBlockTimestamp(s: Scenario): Promise<number> {
  const latest = await latestTimestamp(s);
  const pending = (await s.rpc.send("eth_getBlockByNumber", ["pending", false]).catch(() => null)) as { timestamp?: string } | null;
  return pending?.timestamp === undefined ? latest : Math.max(latest, Number(pending.timestamp));
}

/** The latest block number, read with a raw request (see latestTimestamp). */
export async function latestBlockNumber(s: Scenario): Promise<number> {
  return Number((await s.rpc.send("eth_blockNumber", [])) as string);
}

/** Moves the chain's clock forward by `seconds` and mines a block. */
export async function advanceTime(s: Scenario, seconds: number): Promise<void> {
  await s.rpc.send("evm_increaseTime", [toBeHex(seconds)]);
  await s.rpc.send("evm_mine", []);
}

/** Mines a block at exactly `timestamp` (which must be in the future). */
export async function advanceTo(s: Scenario, timestamp: number): Promise<void> {
  await s.rpc.send("evm_setNextBlockTimestamp", [toBeHex(timestamp)]);
  await s.rpc.send("evm_mine", []);
}

async function addressOf(x: Signer | string): Promise<string> {
  return typeof x === "string" ? x : x.getAddress();
}

// -------------------------------------------------------------------------------------------------- token, votes

/** Sends `amount` LAT from the funder to each recipient. */
export async function fund(s: Scenario, recipients: readonly (Signer | string)[], amount: bigint): Promise<void> {
  const token = s.c.token.connect(s.actors.funder);
  for (const r of recipients) await mined(token.transfer(await addressOf(r), amount));
}

/** Delegates `holder`'s votes to `to` (default: itself). */
export async function delegate(s: Scenario, holder: Signer, to?: Signer | string): Promise<void> {
  await mined(s.c.token.connect(holder).delegate(await addressOf(to ?? holder)));
}

/** An EIP-2612 permit signature from `owner` for `spender`. */
export async function signPermit(
  s: Scenario,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<{ v: number; r: string; s: string }> {
  return signTokenPermit(s.c.token, s.deployment.record.chainId, owner, spender, value, deadline);
}

/** `signPermit` for a token outside a Scenario (the Hardhat tasks sign with the token of a deployment record). */
export async function signTokenPermit(
  token: LatentContracts["token"],
  chainId: number,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<{ v: number; r: string; s: string }> {
  const ownerAddress = await owner.getAddress();
  const domain: TypedDataDomain = {
    name: await token.name(),
    version: "1",
    chainId,
    verifyingContract: await token.getAddress(),
  };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const message = { owner: ownerAddress, spender, value, nonce: await token.nonces(ownerAddress), deadline };
  const signature = await owner.signTypedData(domain, types, message);
  const r = signature.slice(0, 66);
  const sPart = `0x${signature.slice(66, 130)}`;
  const v = parseInt(signature.slice(130, 132), 16);
  return { v, r, s: sPart };
}

// ------------------------------------------------------------------------------------------------------ providers

export interface ProviderSetup {
  listing: ProviderListing;
  /** LAT to stake; default 5,000. */
  stake?: bigint;
  operator?: Signer;
  /** Go online after registering (default true), by the operator when there is one. */
  online?: boolean;
  /** Stake with a permit instead of approve + stake. */
  usePermit?: boolean;
}

export interface ProviderHandle {
  signer: Signer;
  address: string;
  operator?: Signer;
  listing: ProviderListing;
}

export const DEFAULT_PROVIDER_STAKE = parseEther("5000");

/** LAT that the full scenario's client sends to the DisputeManager by mistake, and that LIP-1 recovers. */
export const STRAY_LAT = parseEther("25");
/**
 * Tokens of another ERC20 (the test-only StrayToken) that the full scenario's client sends to the JobEscrow, and its
 * provider to Staking, by mistake; LIP-1 recovers both (neither contract can recover LAT, all of theirs is owed).
 */
export const STRAY_OTHER = { jobEscrow: parseEther("40"), staking: parseEther("15") } as const;

/** Stakes `amount` from `signer` (approve + stake, or stakeWithPermit). */
export async function stake(s: Scenario, signer: Signer, amount: bigint, usePermit = false): Promise<void> {
  const staking = s.c.staking.connect(signer);
  if (usePermit) {
    const deadline = BigInt((await latestTimestamp(s)) + 3600);
    const sig = await signPermit(s, signer, await staking.getAddress(), amount, deadline);
    await mined(staking.stakeWithPermit(amount, deadline, sig.v, sig.r, sig.s));
  } else {
    await mined(s.c.token.connect(signer).approve(await staking.getAddress(), amount));
    await mined(staking.stake(amount));
  }
}

/** Registers `signer` with `setup.listing`, stakes, and goes online. */
export async function registerProvider(s: Scenario, signer: Signer, setup: ProviderSetup): Promise<ProviderHandle> {
  const address = await signer.getAddress();
  const operatorAddress = setup.operator ? await setup.operator.getAddress() : ZeroAddress;
  await mined(
    s.c.registry
      .connect(signer)
      .register(toSpec(setup.listing), setup.listing.gpuModel.name, setup.listing.metadataURI, operatorAddress),
  );
  await stake(s, signer, setup.stake ?? DEFAULT_PROVIDER_STAKE, setup.usePermit ?? false);
  if (setup.online ?? true) await mined(s.c.registry.connect(setup.operator ?? signer).setOnline(address, true));
  return { signer, address, operator: setup.operator, listing: setup.listing };
}

/** Registers several providers in turn. */
export async function registerProviders(
  s: Scenario,
  entries: readonly { signer: Signer; setup: ProviderSetup }[],
): Promise<ProviderHandle[]> {
  const out: ProviderHandle[] = [];
  for (const e of entries) out.push(await registerProvider(s, e.signer, e.setup));
  return out;
}

/** Starts thawing `amount`; returns the request index. */
export async function thaw(s: Scenario, signer: Signer, amount: bigint): Promise<bigint> {
  const receipt = await mined(s.c.staking.connect(signer).thaw(amount));
  return eventArg(s.c.staking.interface, receipt, "ThawRequested", "requestIndex");
}

/** Advances past the thawing period of `signer`'s pending requests and withdraws them; returns the amount. */
export async function withdraw(s: Scenario, signer: Signer, maxRequests = 8): Promise<bigint> {
  const address = await signer.getAddress();
  const [first, next] = await s.c.staking.thawRequestRange(address);
  if (next > first) {
    const last = await s.c.staking.getThawRequest(address, next - 1n);
    const now = await latestTimestamp(s);
    if (Number(last.maturesAt) > now) await advanceTo(s, Number(last.maturesAt));
  }
  const receipt = await mined(s.c.staking.connect(signer).withdraw(maxRequests));
  return eventArg(s.c.staking.interface, receipt, "Withdrawn", "amount");
}

// ----------------------------------------------------------------------------------------------------------- jobs

export interface JobOptions {
  /** GPU model id string (e.g. "h100-sxm-80gb"), or undefined for any. */
  gpuModel?: string;
  /** Region code, or undefined for any. */
  region?: string;
  minVramGiB?: number;
  gpuCount?: number;
  tier?: Tier;
  minCompletedJobs?: number;
  /** Least slash reward cap (Staking.maxSlashRewardBps) the accepting provider must have; default 0 (any). */
  minSlashRewardBps?: number;
  /** Default: 3 LAT per GPU-hour. */
  maxPricePerGpuHour?: bigint;
  /** Seconds; default one hour. */
  maxDuration?: number;
  /** Seconds from now until the acceptance deadline; default one hour. */
  acceptWindow?: number;
  targetProvider?: string;
  specURI?: string;
  /** Pay with createJobWithPermit instead of approve + createJob. */
  usePermit?: boolean;
}

export interface JobHandle {
  jobId: bigint;
  client: Signer;
  /** Exactly as emitted in JobCreated; acceptJob needs them back. */
  terms: IJobEscrow.JobTermsStruct;
  specURI: string;
  escrowed: bigint;
}

/** What a job's terms default to where its options are silent. */
interface TermsDefaults {
  specURI: string;
  maxPricePerGpuHour: bigint;
  acceptWindow: number;
}

const DEMO_TERMS: TermsDefaults = { specURI: "ipfs://bafy-latent-demo/llama-finetune.json", maxPricePerGpuHour: parseEther("3"), acceptWindow: 3600 };

/** JobTerms from options, with the acceptance deadline `acceptWindow` seconds after `now`. */
function termsAt(now: number, o: JobOptions, defaults: TermsDefaults): IJobEscrow.JobTermsStruct {
  const specURI = o.specURI ?? defaults.specURI;
  return {
    requirements: {
      gpuModel: o.gpuModel === undefined ? ZeroHash : gpuModelId(o.gpuModel),
      region: o.region === undefined ? "0x" + "00".repeat(16) : regionId(o.region),
      minVramGiB: o.minVramGiB ?? 0,
      gpuCount: o.gpuCount ?? 1,
      tier: o.tier ?? Tier.Any,
      minCompletedJobs: o.minCompletedJobs ?? 0,
      minSlashRewardBps: o.minSlashRewardBps ?? 0,
    },
    maxPricePerGpuHour: o.maxPricePerGpuHour ?? defaults.maxPricePerGpuHour,
    maxDuration: o.maxDuration ?? 3600,
    acceptDeadline: now + (o.acceptWindow ?? defaults.acceptWindow),
    targetProvider: o.targetProvider ?? ZeroAddress,
    specHash: keccakUtf8(specURI),
  };
}

/** JobTerms from options, with the acceptance deadline relative to the next block's time. */
export async function makeTerms(s: Scenario, o: JobOptions = {}): Promise<IJobEscrow.JobTermsStruct> {
  return termsAt(await nextBlockTimestamp(s), o, DEMO_TERMS);
}

/** Posts a job from `client`, paying its maximum cost into escrow. */
export async function createJob(s: Scenario, client: Signer, o: JobOptions = {}): Promise<JobHandle> {
  const terms = await makeTerms(s, o);
  const specURI = o.specURI ?? DEMO_TERMS.specURI;
  const escrow = s.c.jobEscrow.connect(client);
  const escrowed = await escrow.computeCost(
    terms.maxPricePerGpuHour,
    terms.requirements.gpuCount,
    terms.maxDuration,
  );
  let receipt: ContractTransactionReceipt;
  if (o.usePermit) {
    const deadline = BigInt((await latestTimestamp(s)) + 3600);
    const sig = await signPermit(s, client, await escrow.getAddress(), escrowed, deadline);
    receipt = await mined(escrow.createJobWithPermit(terms, specURI, deadline, sig.v, sig.r, sig.s));
  } else {
    await mined(s.c.token.connect(client).approve(await escrow.getAddress(), escrowed));
    receipt = await mined(escrow.createJob(terms, specURI));
  }
  const jobId = eventArg(s.c.jobEscrow.interface, receipt, "JobCreated", "jobId");
  return { jobId, client, terms, specURI, escrowed };
}

function actorFor(provider: ProviderHandle, by: "owner" | "operator"): Signer {
  if (by === "operator") {
    if (provider.operator === undefined) throw new Error(`provider ${provider.address} has no operator`);
    return provider.operator;
  }
  return provider.signer;
}

/** Accepts `job` for `provider`, by the provider itself or its operator. */
export async function acceptJob(
  s: Scenario,
  job: JobHandle,
  provider: ProviderHandle,
  by: "owner" | "operator" = "owner",
): Promise<ContractTransactionReceipt> {
  return mined(s.c.jobEscrow.connect(actorFor(provider, by)).acceptJob(job.jobId, provider.address, job.terms));
}

export interface SubmitOptions {
  by?: "owner" | "operator";
  /** Seconds to let pass before submitting. */
  after?: number;
  resultURI?: string;
  resultHash?: string;
}

/** Submits a result for `job`, optionally after letting `after` seconds of compute pass. */
export async function submitResult(
  s: Scenario,
  job: JobHandle,
  provider: ProviderHandle,
  o: SubmitOptions = {},
): Promise<ContractTransactionReceipt> {
  if (o.after !== undefined && o.after > 0) await advanceTime(s, o.after);
  const resultURI = o.resultURI ?? `ipfs://bafy-latent-results/job-${job.jobId}.tar`;
  return mined(
    s.c.jobEscrow
      .connect(actorFor(provider, o.by ?? "owner"))
      .submitResult(job.jobId, resultURI, o.resultHash ?? keccakUtf8(resultURI)),
  );
}

export async function approveResult(s: Scenario, job: JobHandle): Promise<ContractTransactionReceipt> {
  return mined(s.c.jobEscrow.connect(job.client).approveResult(job.jobId));
}

async function challengeDeadline(s: Scenario, jobId: bigint): Promise<number> {
  const job = await s.c.jobEscrow.getJob(jobId);
  const params = await s.c.jobEscrow.getParams(job.paramsId);
  return Number(job.submittedAt) + Number(params.challengeWindow);
}

/** Lets the challenge window pass, then settles (by `by`, default the funder: anyone may). */
export async function settleAfterWindow(s: Scenario, job: JobHandle, by?: Signer): Promise<ContractTransactionReceipt> {
  const deadline = await challengeDeadline(s, job.jobId);
  if ((await latestTimestamp(s)) <= deadline) await advanceTo(s, deadline + 1);
  return mined(s.c.jobEscrow.connect(by ?? s.actors.funder).settle(job.jobId));
}

export async function cancelJob(s: Scenario, job: JobHandle): Promise<ContractTransactionReceipt> {
  return mined(s.c.jobEscrow.connect(job.client).cancelJob(job.jobId));
}

/** Lets the acceptance deadline pass, then expires the job (anyone may). */
export async function expireJob(s: Scenario, job: JobHandle, by?: Signer): Promise<ContractTransactionReceipt> {
  const deadline = Number(job.terms.acceptDeadline);
  if ((await latestTimestamp(s)) <= deadline) await advanceTo(s, deadline + 1);
  return mined(s.c.jobEscrow.connect(by ?? job.client).expireJob(job.jobId));
}

export async function declineJob(
  s: Scenario,
  job: JobHandle,
  provider: ProviderHandle,
  by: "owner" | "operator" = "owner",
): Promise<ContractTransactionReceipt> {
  return mined(s.c.jobEscrow.connect(actorFor(provider, by)).declineJob(job.jobId));
}

/** Lets the result deadline pass, then claims the timeout (anyone may; default the client). */
export async function claimTimeout(s: Scenario, job: JobHandle, by?: Signer): Promise<ContractTransactionReceipt> {
  const deadline = Number((await s.c.jobEscrow.getJob(job.jobId)).deadline);
  if ((await latestTimestamp(s)) <= deadline) await advanceTo(s, deadline + 1);
  return mined(s.c.jobEscrow.connect(by ?? job.client).claimTimeout(job.jobId));
}

/** The provider (or its operator) gives an accepted job back before its result deadline: settled as a timeout. */
export async function abandonJob(
  s: Scenario,
  job: JobHandle,
  provider: ProviderHandle,
  by: "owner" | "operator" = "owner",
): Promise<ContractTransactionReceipt> {
  return mined(s.c.jobEscrow.connect(actorFor(provider, by)).abandonJob(job.jobId));
}

// ------------------------------------------------------------------------------------------------------- disputes

/** The client disputes `job`'s result, approving (or permitting) the job's dispute deposit. */
export async function openDispute(
  s: Scenario,
  job: JobHandle,
  o: { evidenceURI?: string; usePermit?: boolean } = {},
): Promise<ContractTransactionReceipt> {
  const dm = s.c.disputeManager.connect(job.client);
  const paramsId = (await s.c.jobEscrow.getJob(job.jobId)).paramsId;
  const deposit = (await s.c.jobEscrow.getParams(paramsId)).disputeDeposit;
  const evidenceURI = o.evidenceURI ?? `ipfs://bafy-latent-evidence/client-${job.jobId}.json`;
  if (o.usePermit) {
    const deadline = BigInt((await latestTimestamp(s)) + 3600);
    const sig = await signPermit(s, job.client, await dm.getAddress(), deposit, deadline);
    return mined(dm.openDisputeWithPermit(job.jobId, evidenceURI, deadline, sig.v, sig.r, sig.s));
  }
  await mined(s.c.token.connect(job.client).approve(await dm.getAddress(), deposit));
  return mined(dm.openDispute(job.jobId, evidenceURI));
}

export async function answerDispute(
  s: Scenario,
  job: JobHandle,
  provider: ProviderHandle,
  by: "owner" | "operator" = "owner",
): Promise<ContractTransactionReceipt> {
  return mined(
    s.c.disputeManager
      .connect(actorFor(provider, by))
      .answerDispute(job.jobId, `ipfs://bafy-latent-evidence/provider-${job.jobId}.json`),
  );
}

/** The arbitrator rules; for Upheld, `slashAmount` defaults to the most the job's parameters allow. */
export async function rule(
  s: Scenario,
  job: JobHandle,
  ruling: Ruling.Upheld | Ruling.Rejected | Ruling.Draw,
  slashAmount?: bigint,
): Promise<ContractTransactionReceipt> {
  let amount = slashAmount ?? 0n;
  if (ruling === Ruling.Upheld && slashAmount === undefined) {
    const j = await s.c.jobEscrow.getJob(job.jobId);
    const params = await s.c.jobEscrow.getParams(j.paramsId);
    const [, collateral] = await s.c.staking.jobCollateral(job.jobId);
    amount = (collateral * params.maxSlashingCutBps) / 10_000n;
  }
  return mined(s.c.disputeManager.connect(s.actors.arbitrator).rule(job.jobId, ruling, amount));
}

/** Lets the ruling period pass, then closes the dispute as a draw (anyone may). */
export async function closeExpiredDispute(s: Scenario, job: JobHandle, by?: Signer): Promise<ContractTransactionReceipt> {
  const deadline = Number((await s.c.disputeManager.getDispute(job.jobId)).ruleDeadline);
  if ((await latestTimestamp(s)) <= deadline) await advanceTo(s, deadline + 1);
  return mined(s.c.disputeManager.connect(by ?? s.actors.funder).closeExpired(job.jobId));
}

// ----------------------------------------------------------------------------------------------- pause, governance

/** The guardian pauses new registrations, stake, job creation and acceptance. */
export async function guardianPause(s: Scenario): Promise<ContractTransactionReceipt> {
  return mined(s.c.pauseGuardian.connect(s.actors.guardian).pause());
}

export interface ProposalAction {
  target: string;
  data: string;
  value?: bigint;
}

export interface ProposalHandle {
  proposalId: bigint;
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
  descriptionHash: string;
  /** The TimelockController operation id the proposal is queued under. */
  timelockOperationId: string;
}

/** Describes a proposal without sending anything (ids included), so another proposal can refer to it. */
export async function describeProposal(
  s: Scenario,
  actions: readonly ProposalAction[],
  description: string,
): Promise<ProposalHandle> {
  const targets = actions.map((a) => a.target);
  const values = actions.map((a) => a.value ?? 0n);
  const calldatas = actions.map((a) => a.data);
  const descriptionHash = keccak256(toUtf8Bytes(description));
  const proposalId = await s.c.governor.hashProposal(targets, values, calldatas, descriptionHash);
  // GovernorTimelockControl salts the timelock operation with the governor's address xor the description hash.
  const governor = getBigInt(await s.c.governor.getAddress());
  const salt = toBeHex((governor << 96n) ^ getBigInt(descriptionHash), 32);
  const timelockOperationId = await s.c.timelock.hashOperationBatch(targets, values, calldatas, ZeroHash, salt);
  return { proposalId, targets, values, calldatas, description, descriptionHash, timelockOperationId };
}

export async function propose(
  s: Scenario,
  actions: readonly ProposalAction[],
  description: string,
  proposer: Signer = s.actors.funder,
): Promise<ProposalHandle> {
  const p = await describeProposal(s, actions, description);
  await mined(s.c.governor.connect(proposer).propose(p.targets, p.values, p.calldatas, description));
  return p;
}

/** Advances to the first second at which the proposal can be voted on. */
export async function advanceToVoting(s: Scenario, p: ProposalHandle): Promise<void> {
  const snapshot = Number(await s.c.governor.proposalSnapshot(p.proposalId));
  if ((await latestTimestamp(s)) <= snapshot) await advanceTo(s, snapshot + 1);
}

/** Advances past the voting deadline. */
export async function advancePastVoting(s: Scenario, p: ProposalHandle): Promise<void> {
  const deadline = Number(await s.c.governor.proposalDeadline(p.proposalId));
  if ((await latestTimestamp(s)) <= deadline) await advanceTo(s, deadline + 1);
}

export async function queueProposal(s: Scenario, p: ProposalHandle): Promise<void> {
  await mined(s.c.governor.connect(s.actors.funder).queue(p.targets, p.values, p.calldatas, p.descriptionHash));
}

/** Advances to the proposal's timelock eta and executes it. */
export async function executeProposal(s: Scenario, p: ProposalHandle): Promise<ContractTransactionReceipt> {
  const eta = Number(await s.c.governor.proposalEta(p.proposalId));
  if ((await latestTimestamp(s)) < eta) await advanceTo(s, eta);
  return mined(s.c.governor.connect(s.actors.funder).execute(p.targets, p.values, p.calldatas, p.descriptionHash));
}

/** The whole lifecycle: propose, vote For with the funder, queue, wait for the timelock, execute. */
export async function passProposal(
  s: Scenario,
  actions: readonly ProposalAction[],
  description: string,
): Promise<ProposalHandle> {
  const p = await propose(s, actions, description);
  await advanceToVoting(s, p);
  await mined(s.c.governor.connect(s.actors.funder).castVote(p.proposalId, Vote.For));
  await advancePastVoting(s, p);
  await queueProposal(s, p);
  await executeProposal(s, p);
  return p;
}

/** Governance lifts the guardian's pause early (a whole proposal lifecycle). */
export async function unpauseByGovernance(s: Scenario): Promise<ProposalHandle> {
  return passProposal(
    s,
    [{ target: await s.c.pauseGuardian.getAddress(), data: s.c.pauseGuardian.interface.encodeFunctionData("unpause") }],
    `Lift the guardian's pause (${await latestTimestamp(s)})`,
  );
}

// --------------------------------------------------------------------------------------------------- full scenario

export interface ScenarioSummary {
  /** First and last block of the scenario (the deployment's blocks come before `fromBlock`). */
  fromBlock: number;
  toBlock: number;
  accounts: {
    deployer: string;
    guardian: string;
    arbitrator: string;
    funder: string;
    voters: string[];
    providers: string[];
    operators: string[];
    clients: string[];
  };
  providers: {
    address: string;
    operator: string;
    gpuModel: string;
    region: string;
    gpuCount: number;
    tier: Tier;
    registered: boolean;
  }[];
  /** Job ids by what happened to them. The last three are left live: open, running and submitted. */
  jobs: {
    approved: bigint;
    settledAfterWindow: bigint;
    gracePeriodSubmission: bigint;
    cancelled: bigint;
    expired: bigint;
    declined: bigint;
    timedOut: bigint;
    /** Given back by its provider's operator before its result deadline (TimedOut, with JobAbandoned). */
    abandoned: bigint;
    disputeUpheld: bigint;
    disputeRejected: bigint;
    disputeDraw: bigint;
    disputeExpired: bigint;
    open: bigint;
    running: bigint;
    submitted: bigint;
  };
  proposals: {
    /** Executed: changes parameters, renews then lifts the guardian's pause. */
    parameterChange: bigint;
    /** Queued, then vetoed on the timelock by `veto`. */
    vetoed: bigint;
    /** Executed: cancels `vetoed`'s timelock operation through Governor.relay. */
    veto: bigint;
    /** Cancelled by its proposer while pending. */
    cancelled: bigint;
  };
}

function model(id: string): GpuModel {
  const m = GPU_MODELS.find((g) => g.id === id);
  if (m === undefined) throw new Error(`unknown GPU model ${id}`);
  return m;
}

function fixedListing(modelId: string, region: string, gpuCount: number, i: number): ProviderListing {
  const m = model(modelId);
  return { gpuModel: m, region, gpuCount, pricePerGpuHour: m.pricePerGpuHour, metadataURI: `https://gpu-${i}.latent.example/worker.json` };
}

/**
 * Runs every kind of action once or more, so that every event of every contract is emitted (see
 * EVENTS_NEVER_EMITTED for the few that Latent never emits). Needs a fresh `deployScenario` (it registers the
 * provider actors); leaves one open, one running and one submitted job behind for a devnet to show.
 */
export async function runFullScenario(s: Scenario): Promise<ScenarioSummary> {
  const { c, actors } = s;
  const [v0, v1] = actors.voters as [Signer, Signer];
  const clients = actors.clients as [Signer, Signer, Signer, Signer, Signer];
  const ops = actors.operators as [Signer, Signer, Signer];
  const ps = actors.providers as [Signer, Signer, Signer, Signer, Signer, Signer];
  const fromBlock = (await latestBlockNumber(s)) + 1;

  // Votes: the funder and voter 0 vote with their own balance, voter 1 lends its votes to voter 0.
  await delegate(s, actors.funder);
  await delegate(s, v0);
  await delegate(s, v1, v0);
  await fund(s, ps, parseEther("20000"));
  await fund(s, clients, parseEther("20000"));

  // Six machines, from a consumer RTX 3090 to an 8x H100 rack.
  const [h100, rtx4090, a100, l40s, rtx3090, mi300x] = await registerProviders(s, [
    { signer: ps[0], setup: { listing: fixedListing("h100-sxm-80gb", "eu-west", 8, 0), operator: ops[0] } },
    { signer: ps[1], setup: { listing: fixedListing("rtx-4090-24gb", "us-east", 2, 1), operator: ops[1] } },
    { signer: ps[2], setup: { listing: fixedListing("a100-sxm-80gb", "us-west", 8, 2) } },
    { signer: ps[3], setup: { listing: fixedListing("l40s-48gb", "eu-central", 4, 3), operator: ops[2] } },
    { signer: ps[4], setup: { listing: fixedListing("rtx-3090-24gb", "ap-southeast", 1, 4), stake: parseEther("1000") } },
    { signer: ps[5], setup: { listing: fixedListing("mi300x-192gb", "us-east", 8, 5), usePermit: true } },
  ]) as [ProviderHandle, ProviderHandle, ProviderHandle, ProviderHandle, ProviderHandle, ProviderHandle];

  // Listing changes: a bigger rig, a price cut, a new worker key.
  const bigger = fixedListing("rtx-4090-24gb", "us-east", 4, 1);
  await mined(c.registry.connect(rtx4090.signer).update(toSpec(bigger), bigger.gpuModel.name, bigger.metadataURI));
  rtx4090.listing = bigger;
  const cheaper = (a100.listing.pricePerGpuHour * 9n) / 10n;
  await mined(c.registry.connect(a100.signer).setPrice(cheaper));
  a100.listing = { ...a100.listing, pricePerGpuHour: cheaper };
  await mined(c.registry.connect(l40s.signer).setOperator(await ops[1].getAddress()));
  l40s.operator = ops[1];
  // The H100's owner, whose operator key is out, caps the client's share of its slashes below disputeRewardBps, so
  // the upheld dispute below pays the client a quarter of the slash rather than half.
  await mined(c.staking.connect(h100.signer).setMaxSlashRewardBps(2_500));

  // Happy path: an open H100 job accepted by the operator, submitted early (metered), approved by the client.
  const approved = await createJob(s, clients[0], { gpuModel: "h100-sxm-80gb", gpuCount: 8, tier: Tier.Enterprise });
  await acceptJob(s, approved, h100, "operator");
  await submitResult(s, approved, h100, { by: "operator", after: 1200 });
  await approveResult(s, approved);

  // Settled by anyone once the challenge window passes; paid with a permit.
  const settled = await createJob(s, clients[1], { region: "us-west", minVramGiB: 80, gpuCount: 4, usePermit: true });
  await acceptJob(s, settled, a100);
  await submitResult(s, settled, a100, { after: 3600 });
  await settleAfterWindow(s, settled);

  // A result submitted in the grace period after maxDuration: billed for maxDuration only.
  const grace = await createJob(s, clients[2], { gpuModel: "l40s-48gb", gpuCount: 2, maxDuration: 1800 });
  await acceptJob(s, grace, l40s, "operator");
  await submitResult(s, grace, l40s, { by: "operator", after: 1800 + 60 });
  await settleAfterWindow(s, grace);

  // Cancelled before acceptance; expired unaccepted.
  const cancelled = await createJob(s, clients[1], { tier: Tier.Consumer });
  await cancelJob(s, cancelled);
  const expired = await createJob(s, clients[2], { gpuModel: "h200-sxm-141gb", acceptWindow: 600 });
  await expireJob(s, expired);

  // Directed jobs: one declined by the worker, one accepted by its target and then timed out.
  const declined = await createJob(s, clients[3], { targetProvider: rtx4090.address });
  await declineJob(s, declined, rtx4090, "operator");
  const timedOut = await createJob(s, clients[3], { targetProvider: rtx4090.address, gpuCount: 2, maxPricePerGpuHour: parseEther("0.5") });
  await acceptJob(s, timedOut, rtx4090);
  await claimTimeout(s, timedOut);

  // Disputes: upheld (answered by the operator first), rejected, drawn, and left to expire.
  // Its client requires the cap the H100 set above, no less: the H100 meets it exactly.
  const upheld = await createJob(s, clients[0], { gpuModel: "h100-sxm-80gb", gpuCount: 4, minSlashRewardBps: 2_500 });
  await acceptJob(s, upheld, h100);
  await submitResult(s, upheld, h100, { after: 600 });
  await openDispute(s, upheld);
  await answerDispute(s, upheld, h100, "operator");
  await rule(s, upheld, Ruling.Upheld);

  const rejected = await createJob(s, clients[1], { minVramGiB: 80, region: "us-west" });
  await acceptJob(s, rejected, a100);
  await submitResult(s, rejected, a100, { after: 900 });
  await openDispute(s, rejected, { usePermit: true });
  await answerDispute(s, rejected, a100);
  await rule(s, rejected, Ruling.Rejected);

  const draw = await createJob(s, clients[4], { gpuModel: "mi300x-192gb", gpuCount: 8 });
  await acceptJob(s, draw, mi300x);
  await submitResult(s, draw, mi300x, { after: 2400 });
  await openDispute(s, draw);
  await rule(s, draw, Ruling.Draw);

  const disputeExpired = await createJob(s, clients[4], { tier: Tier.Enterprise, minCompletedJobs: 1 });
  await acceptJob(s, disputeExpired, mi300x);
  await submitResult(s, disputeExpired, mi300x, { after: 300 });
  await openDispute(s, disputeExpired);
  await closeExpiredDispute(s, disputeExpired);

  // The RTX 3090 owner leaves: thaw everything, withdraw after the thawing period, deregister.
  await mined(c.registry.connect(rtx3090.signer).setOnline(rtx3090.address, false));
  const [staked3090] = await c.staking.getStake(rtx3090.address);
  await thaw(s, rtx3090.signer, staked3090);
  await withdraw(s, rtx3090.signer);
  await mined(c.registry.connect(rtx3090.signer).deregister());

  // The guardian pauses; governance renews the pause and lifts it early, and changes parameters.
  await guardianPause(s);
  const g = s.deployment.config.governance;
  const now = await latestTimestamp(s);
  // Far enough ahead to be in the future when the proposal executes, and within the 14-day bound then.
  const renewTo = now + g.votingDelay + g.votingPeriod + g.timelockDelay + 86_400;
  const escrowAddress = await c.jobEscrow.getAddress();
  const disputeManagerAddress = await c.disputeManager.getAddress();
  // A client sends LAT to the DisputeManager with a plain transfer (below, once LIP-1 is queued); LIP-1 sends it back.
  // It asks for all that is recoverable (the LAT above the deposits held) as it stands at execution, so the
  // proposal need not know the amount when it is written.
  const strayFrom = clients[4];
  // Another ERC20 reaches the JobEscrow and Staking the same way; LIP-1 returns all of it, read at execution, too.
  const strayToken = await new StrayToken__factory(actors.deployer).deploy(await strayFrom.getAddress(), parseEther("1000"));
  await strayToken.waitForDeployment();
  const strayTokenAddress = await strayToken.getAddress();
  const stakingStrayFrom = ps[2];
  await mined(strayToken.connect(strayFrom).transfer(await stakingStrayFrom.getAddress(), STRAY_OTHER.staking));
  const parameterChange = await describeProposal(
    s,
    [
      { target: escrowAddress, data: c.jobEscrow.interface.encodeFunctionData("setProtocolFeeBps", [300]) },
      { target: await c.registry.getAddress(), data: c.registry.interface.encodeFunctionData("setMaxGpusPerProvider", [128]) },
      { target: await c.staking.getAddress(), data: c.staking.interface.encodeFunctionData("setThawingPeriod", [2 * 3600]) },
      {
        target: await c.disputeManager.getAddress(),
        data: c.disputeManager.interface.encodeFunctionData("setArbitrator", [await actors.arbitrator.getAddress()]),
      },
      { target: await c.pauseGuardian.getAddress(), data: c.pauseGuardian.interface.encodeFunctionData("renewPause", [renewTo]) },
      { target: await c.pauseGuardian.getAddress(), data: c.pauseGuardian.interface.encodeFunctionData("unpause") },
      {
        target: disputeManagerAddress,
        data: c.disputeManager.interface.encodeFunctionData("recoverTokens", [await c.token.getAddress(), await strayFrom.getAddress(), MaxUint256]),
      },
      {
        target: escrowAddress,
        data: c.jobEscrow.interface.encodeFunctionData("recoverTokens", [strayTokenAddress, await strayFrom.getAddress(), MaxUint256]),
      },
      {
        target: await c.staking.getAddress(),
        data: c.staking.interface.encodeFunctionData("recoverTokens", [strayTokenAddress, await stakingStrayFrom.getAddress(), MaxUint256]),
      },
    ],
    "LIP-1: protocol fee 3%, up to 128 GPUs per machine, 2-hour thawing; end the guardian's pause; return the LAT sent to the DisputeManager and the STRAY sent to the JobEscrow and Staking by mistake",
  );
  const vetoed = await describeProposal(
    s,
    [{ target: escrowAddress, data: c.jobEscrow.interface.encodeFunctionData("setDisputeDeposit", [parseEther("1000000")]) }],
    "LIP-2: raise the dispute deposit to 1,000,000 LAT",
  );
  const timelockAddress = await c.timelock.getAddress();
  const veto = await describeProposal(
    s,
    [
      {
        target: await c.governor.getAddress(),
        data: c.governor.interface.encodeFunctionData("relay", [
          timelockAddress,
          0n,
          c.timelock.interface.encodeFunctionData("cancel", [vetoed.timelockOperationId]),
        ]),
      },
    ],
    "LIP-3: veto LIP-2 in the timelock",
  );
  for (const p of [parameterChange, vetoed, veto]) {
    await mined(c.governor.connect(actors.funder).propose(p.targets, p.values, p.calldatas, p.description));
  }
  // A proposal withdrawn by its proposer before voting starts.
  const cancelled4 = await propose(s, [{ target: escrowAddress, data: c.jobEscrow.interface.encodeFunctionData("setGrace", [3600]) }], "LIP-4: one-hour grace (withdrawn)");
  await mined(c.governor.connect(actors.funder).cancel(cancelled4.targets, cancelled4.values, cancelled4.calldatas, cancelled4.descriptionHash));

  await advanceToVoting(s, veto);
  for (const p of [parameterChange, vetoed, veto]) await mined(c.governor.connect(actors.funder).castVote(p.proposalId, Vote.For));
  await mined(c.governor.connect(v0).castVoteWithReasonAndParams(parameterChange.proposalId, Vote.For, "cheaper disputes later", "0x01"));
  await mined(c.governor.connect(v0).castVoteWithReason(vetoed.proposalId, Vote.Against, "prices clients out of disputes"));
  await advancePastVoting(s, veto);
  for (const p of [parameterChange, vetoed, veto]) await queueProposal(s, p);
  await mined(c.token.connect(strayFrom).transfer(disputeManagerAddress, STRAY_LAT));
  await mined(strayToken.connect(strayFrom).transfer(escrowAddress, STRAY_OTHER.jobEscrow));
  await mined(strayToken.connect(stakingStrayFrom).transfer(await c.staking.getAddress(), STRAY_OTHER.staking));
  await executeProposal(s, veto);
  await executeProposal(s, parameterChange);

  // A provider that cannot run a job it accepted gives it back at once, through its operator, rather than let it time
  // out: the same settlement, sooner.
  const abandoned = await createJob(s, clients[1], { gpuModel: "l40s-48gb", gpuCount: 1 });
  await acceptJob(s, abandoned, l40s, "operator");
  await abandonJob(s, abandoned, l40s, "operator");

  // Live state for a devnet: one open job, one running job, one submitted result in its challenge window.
  const open = await createJob(s, clients[0], { gpuModel: "h200-sxm-141gb", gpuCount: 8, maxPricePerGpuHour: parseEther("4"), acceptWindow: 86_400 });
  const running = await createJob(s, clients[2], { gpuModel: "h100-sxm-80gb", gpuCount: 8, maxDuration: 6 * 3600 });
  await acceptJob(s, running, h100, "operator");
  const submitted = await createJob(s, clients[3], { tier: Tier.Consumer, gpuCount: 2, maxPricePerGpuHour: parseEther("0.5") });
  await acceptJob(s, submitted, rtx4090, "operator");
  await submitResult(s, submitted, rtx4090, { by: "operator", after: 120 });

  const handles = [h100, rtx4090, a100, l40s, rtx3090, mi300x];
  const providerSummaries = [];
  for (const h of handles) {
    const record = await c.registry.getProvider(h.address);
    providerSummaries.push({
      address: h.address,
      operator: record.operator,
      gpuModel: h.listing.gpuModel.id,
      region: h.listing.region,
      gpuCount: h.listing.gpuCount,
      tier: h.listing.gpuModel.tier,
      registered: record.registered,
    });
  }
  const addresses = async (list: readonly Signer[]) => Promise.all(list.map((x) => x.getAddress()));
  return {
    fromBlock,
    toBlock: await latestBlockNumber(s),
    accounts: {
      deployer: await actors.deployer.getAddress(),
      guardian: await actors.guardian.getAddress(),
      arbitrator: await actors.arbitrator.getAddress(),
      funder: await actors.funder.getAddress(),
      voters: await addresses(actors.voters),
      providers: await addresses(actors.providers),
      operators: await addresses(actors.operators),
      clients: await addresses(actors.clients),
    },
    providers: providerSummaries,
    jobs: {
      approved: approved.jobId,
      settledAfterWindow: settled.jobId,
      gracePeriodSubmission: grace.jobId,
      cancelled: cancelled.jobId,
      expired: expired.jobId,
      declined: declined.jobId,
      timedOut: timedOut.jobId,
      abandoned: abandoned.jobId,
      disputeUpheld: upheld.jobId,
      disputeRejected: rejected.jobId,
      disputeDraw: draw.jobId,
      disputeExpired: disputeExpired.jobId,
      open: open.jobId,
      running: running.jobId,
      submitted: submitted.jobId,
    },
    proposals: {
      parameterChange: parameterChange.proposalId,
      vetoed: vetoed.proposalId,
      veto: veto.proposalId,
      cancelled: cancelled4.proposalId,
    },
  };
}

// ------------------------------------------------------------------------------------------------------ bulk load

export interface BulkOptions {
  /** Transactions per mined block (default 200). */
  batchSize?: number;
}

export interface BulkProvidersOptions extends BulkOptions {
  count: number;
  /** Seeds the providers' private keys: the same seed gives the same accounts (default "latent-bulk"). */
  seed?: string;
  /** LAT each provider stakes (default: twice the minimum for its GPUs, plus 1,000 LAT for collateral). */
  stake?: (listing: ProviderListing, minStakePerGpu: bigint) => bigint;
  /** LAT each provider keeps unstaked (default 100). */
  spare?: bigint;
  /** Listing i (default: the catalog's deterministic mix, `listing(offset + i)`). */
  listingFor?: (i: number) => ProviderListing;
  /** Index of the first listing, so several bulk calls give distinct listings (default 0). */
  offset?: number;
  online?: boolean;
}

export interface BulkProvidersResult {
  wallets: Wallet[];
  listings: ProviderListing[];
  fromBlock: number;
  toBlock: number;
}

export interface BulkJobsOptions extends BulkOptions {
  count: number;
  seed?: string;
  /** Options of job i (default: an open job for 1 GPU of any model). */
  jobFor?: (i: number) => JobOptions;
  /** If given, job i is accepted by provider `i % wallets.length` (whose listing must meet the job's terms). */
  acceptWith?: BulkProvidersResult;
  /** With `acceptWith`: the accepting provider then submits a result (a GPU is reserved until then). */
  submit?: boolean;
  /** With `submit`: the client then approves the result, which settles the job. */
  approve?: boolean;
}

export interface BulkJobsResult {
  client: Wallet;
  jobs: { jobId: bigint; terms: IJobEscrow.JobTermsStruct }[];
  fromBlock: number;
  toBlock: number;
}

const BULK_ETH = parseEther("1000");
const BULK_FEE = { maxFeePerGas: 1_000_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };

interface RawTx {
  from: Wallet;
  to: string;
  data: string;
  gasLimit: bigint;
}

/**
 * Signs `txs` locally with explicit nonces and mines them `batchSize` per block with automine off, restoring
 * the automine setting afterwards. Transactions of one sender keep their order.
 */
async function sendBulk(s: Scenario, txs: readonly RawTx[], batchSize: number): Promise<void> {
  const chainId = s.deployment.record.chainId;
  const nonces = new Map<string, number>();
  const automine = (await s.rpc.send("hardhat_getAutomine", [])) as boolean;
  await s.rpc.send("evm_setAutomine", [false]);
  try {
    for (let start = 0; start < txs.length; start += batchSize) {
      const batch = txs.slice(start, start + batchSize);
      const hashes: string[] = [];
      for (const tx of batch) {
        const from = tx.from.address;
        let nonce = nonces.get(from);
        // "latest", not "pending": Hardhat executes the whole mempool to answer "pending" (tens of ms a call), and
        // the mempool holds only this batch, whose nonces are tracked here.
        if (nonce === undefined) nonce = await s.rpc.getTransactionCount(from, "latest");
        nonces.set(from, nonce + 1);
        const raw = await tx.from.signTransaction({
          type: 2,
          chainId,
          nonce,
          to: tx.to,
          data: tx.data,
          gasLimit: tx.gasLimit,
          ...BULK_FEE,
        });
        hashes.push((await s.rpc.send("eth_sendRawTransaction", [raw])) as string);
      }
      await s.rpc.send("evm_mine", []);
      for (const hash of hashes) {
        const receipt = await s.rpc.getTransactionReceipt(hash);
        if (receipt === null || receipt.status !== 1) throw new Error(`bulk transaction ${hash} failed or was not mined`);
      }
    }
  } finally {
    await s.rpc.send("evm_setAutomine", [automine]);
  }
}

/** A local wallet holding ETH (via hardhat_setBalance) and `lat` LAT from the funder. */
async function bulkWallet(s: Scenario, seed: string, lat: bigint): Promise<Wallet> {
  const wallet = new Wallet(keccak256(toUtf8Bytes(seed)), s.rpc);
  await s.rpc.send("hardhat_setBalance", [wallet.address, toBeHex(BULK_ETH)]);
  if (lat > 0n) await mined(s.c.token.connect(s.actors.funder).transfer(wallet.address, lat));
  return wallet;
}

/**
 * Registers, stakes and (by default) brings online `count` providers quickly: keys derived from `seed`, ETH via
 * hardhat_setBalance, LAT from the funder through one distributor wallet, stake by permit, all signed locally and
 * mined many per block. For benchmarks and devnet seeding (Hardhat networks only).
 */
export async function bulkRegisterProviders(s: Scenario, o: BulkProvidersOptions): Promise<BulkProvidersResult> {
  const seed = o.seed ?? "latent-bulk";
  const batchSize = o.batchSize ?? 200;
  const offset = o.offset ?? 0;
  const minStakePerGpu = await s.c.staking.minStakePerGpu();
  const spare = o.spare ?? parseEther("100");
  const listings = Array.from({ length: o.count }, (_, i) => (o.listingFor ?? listing)(offset + i));
  const stakes = listings.map((l) =>
    o.stake ? o.stake(l, minStakePerGpu) : 2n * minStakePerGpu * BigInt(l.gpuCount) + parseEther("1000"),
  );
  const total = stakes.reduce((a, b) => a + b, 0n) + spare * BigInt(o.count);
  const fromBlock = (await latestBlockNumber(s)) + 1;
  const distributor = await bulkWallet(s, `${seed}:distributor`, total);
  const wallets: Wallet[] = [];
  for (let i = 0; i < o.count; i++) {
    const w = new Wallet(keccak256(toUtf8Bytes(`${seed}:provider:${i}`)), s.rpc);
    await s.rpc.send("hardhat_setBalance", [w.address, toBeHex(BULK_ETH)]);
    wallets.push(w);
  }
  const token = s.c.token.interface;
  const tokenAddress = await s.c.token.getAddress();
  await sendBulk(
    s,
    wallets.map((w, i) => ({
      from: distributor,
      to: tokenAddress,
      data: token.encodeFunctionData("transfer", [w.address, (stakes[i] as bigint) + spare]),
      gasLimit: 100_000n,
    })),
    batchSize,
  );

  const registry = s.c.registry.interface;
  const registryAddress = await s.c.registry.getAddress();
  const staking = s.c.staking.interface;
  const stakingAddress = await s.c.staking.getAddress();
  const deadline = BigInt((await latestTimestamp(s)) + 86_400);
  const domain: TypedDataDomain = { name: "Latent", version: "1", chainId: s.deployment.record.chainId, verifyingContract: tokenAddress };
  const permitTypes = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const txs: RawTx[] = [];
  for (const [i, w] of wallets.entries()) {
    const l = listings[i] as ProviderListing;
    const amount = stakes[i] as bigint;
    txs.push({
      from: w,
      to: registryAddress,
      data: registry.encodeFunctionData("register", [toSpec(l), l.gpuModel.name, l.metadataURI, ZeroAddress]),
      gasLimit: 400_000n,
    });
    // Fresh wallets: their permit nonce is 0.
    const sig = await w.signTypedData(domain, permitTypes, { owner: w.address, spender: stakingAddress, value: amount, nonce: 0n, deadline });
    const v = parseInt(sig.slice(130, 132), 16);
    txs.push({
      from: w,
      to: stakingAddress,
      data: staking.encodeFunctionData("stakeWithPermit", [amount, deadline, v, sig.slice(0, 66), `0x${sig.slice(66, 130)}`]),
      gasLimit: 250_000n,
    });
    if (o.online ?? true) {
      txs.push({ from: w, to: registryAddress, data: registry.encodeFunctionData("setOnline", [w.address, true]), gasLimit: 100_000n });
    }
  }
  await sendBulk(s, txs, batchSize);
  return { wallets, listings, fromBlock, toBlock: await latestBlockNumber(s) };
}

/**
 * Creates `count` jobs from one seeded client wallet (and, with `acceptWith`, has bulk providers accept them, then
 * optionally submit and approve), mined many per block. Hardhat networks only.
 */
export async function bulkCreateJobs(s: Scenario, o: BulkJobsOptions): Promise<BulkJobsResult> {
  const seed = o.seed ?? "latent-bulk";
  const batchSize = o.batchSize ?? 200;
  const escrowAddress = await s.c.jobEscrow.getAddress();
  const now = await latestTimestamp(s);
  const jobs: { terms: IJobEscrow.JobTermsStruct; specURI: string; escrowed: bigint }[] = [];
  for (let i = 0; i < o.count; i++) {
    const jo = o.jobFor ? o.jobFor(i) : {};
    const specURI = jo.specURI ?? `ipfs://bafy-latent-bulk/job-${i}.json`;
    const terms = termsAt(now, jo, { specURI, maxPricePerGpuHour: parseEther("4"), acceptWindow: 7 * 86_400 });
    const escrowed = (getBigInt(terms.maxPricePerGpuHour) * getBigInt(terms.requirements.gpuCount) * getBigInt(terms.maxDuration)) / 3600n;
    jobs.push({ terms, specURI, escrowed });
  }
  const total = jobs.reduce((a, j) => a + j.escrowed, 0n);
  const fromBlock = (await latestBlockNumber(s)) + 1;
  const client = await bulkWallet(s, `${seed}:client`, total);
  await mined(s.c.token.connect(client).approve(escrowAddress, total));
  const firstId = (await s.c.jobEscrow.jobCount()) + 1n;
  const escrow = s.c.jobEscrow.interface;
  await sendBulk(
    s,
    jobs.map((j) => ({
      from: client,
      to: escrowAddress,
      data: escrow.encodeFunctionData("createJob", [j.terms, j.specURI]),
      gasLimit: 400_000n,
    })),
    batchSize,
  );
  const result = jobs.map((j, i) => ({ jobId: firstId + BigInt(i), terms: j.terms }));
  if (o.acceptWith !== undefined) {
    const providers = o.acceptWith.wallets;
    await sendBulk(
      s,
      result.map((j, i) => {
        const w = providers[i % providers.length] as Wallet;
        return { from: w, to: escrowAddress, data: escrow.encodeFunctionData("acceptJob", [j.jobId, w.address, j.terms]), gasLimit: 400_000n };
      }),
      batchSize,
    );
    if (o.submit === true) {
      await sendBulk(
        s,
        result.map((j, i) => {
          const uri = `ipfs://bafy-latent-bulk/result-${j.jobId}.tar`;
          const data = escrow.encodeFunctionData("submitResult", [j.jobId, uri, keccakUtf8(uri)]);
          return { from: providers[i % providers.length] as Wallet, to: escrowAddress, data, gasLimit: 300_000n };
        }),
        batchSize,
      );
      if (o.approve === true) {
        await sendBulk(
          s,
          result.map((j) => ({ from: client, to: escrowAddress, data: escrow.encodeFunctionData("approveResult", [j.jobId]), gasLimit: 300_000n })),
          batchSize,
        );
      }
    }
  }
  return { client, jobs: result, fromBlock, toBlock: await latestBlockNumber(s) };
}

// ------------------------------------------------------------------------------------------------------- internals

function eventArg(
  iface: { parseLog(log: { topics: string[]; data: string }): { name: string; args: { getValue(name: string): unknown } } | null },
  receipt: ContractTransactionReceipt,
  event: string,
  arg: string,
): bigint {
  for (const log of receipt.logs) {
    let parsed;
    try {
      parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
    } catch {
      continue;
    }
    if (parsed !== null && parsed.name === event) return parsed.args.getValue(arg) as bigint;
  }
  throw new Error(`no ${event} event in ${receipt.hash}`);
}
