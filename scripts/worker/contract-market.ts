// The JobMarket over the contracts: reads through the IJobEscrow and IProviderRegistry bindings, writes signed by
// the operator key through one transaction queue (tx-sender.ts). Each write resolves once its transaction is
// mined and succeeded.
//
// Errors, as the daemon expects them (market.ts):
// - a revert, in gas estimation or mined, becomes MarketRejectedError naming the custom error, decoded with the
//   ABIs of every contract the call may pass through (acceptJob reserves GPUs in the registry and locks
//   collateral in Staking, whose errors then surface); JobEscrowChallengeWindowOpen becomes
//   ChallengeWindowOpenError;
// - a nonce conflict (the node saw a transaction of ours we did not count) is NonceConflictError, transient: the
//   queue has read the nonce again, so the next try goes through; one refused as an underpriced replacement collided
//   with a transaction of ours the node's pending count left out, which is replaced (as cancelLeftoverTransactions
//   does) before the queue's next write is built;
// - a receipt that does not come within receiptTimeoutMs is ReceiptTimeoutError, transient;
//
// A transaction not mined within replaceAfterMs (a fee below what blocks now take) is sent again with the same nonce
// and the same call, its fees raised by 12.5% (nodes refuse a replacement under +10%; Hardhat too) or to what the node
// now suggests if that is more, and again after each further replaceAfterMs, never above maxFeePerGas. Whichever of
// them is mined is the write's receipt.
// - everything else (network errors, timeouts, 5xx from the node) is thrown as it is, for retry.ts to classify.
//
// Transactions of the operator key the node holds unmined when the worker starts (its `pending` nonce above its
// `latest`: left by an earlier run, at a fee blocks no longer take) would hold up every write of this one, each queued
// behind them until its receipt timeout, for as long as they are not mined: cancelLeftoverTransactions replaces each
// with a 0-value transfer to the key itself at the same nonce, paying what the node suggests, raised by 12.5% at each
// refusal as underpriced (its fees are unknown), never above maxFeePerGas.

import {
  ContractTransactionReceipt,
  ContractTransactionResponse,
  FeeData,
  JsonRpcProvider,
  LogDescription,
  Wallet,
  isError,
  keccak256,
  type JsonFragment,
} from "ethers";
import type { IJobEscrow, IProviderRegistry, IStaking } from "../../typechain-types";
import { IERC20Errors__factory } from "../../typechain-types/factories/@openzeppelin/contracts/interfaces/draft-IERC6093.sol/IERC20Errors__factory";
import { IJobEscrow__factory } from "../../typechain-types/factories/contracts/interfaces/IJobEscrow__factory";
import { IProviderRegistry__factory } from "../../typechain-types/factories/contracts/interfaces/IProviderRegistry__factory";
import { IStaking__factory } from "../../typechain-types/factories/contracts/interfaces/IStaking__factory";
import { JobEscrow__factory } from "../../typechain-types/factories/contracts/jobs/JobEscrow__factory";
import { RevertDecoder } from "../tasks/lib/revert";
import type { ContractAddresses } from "./contracts";
import { hashJobTerms } from "./gateway-jobs";
import { GPU_MODEL_ID_BYTES, REGION_ID_BYTES, TierCode, decodeShortId } from "./ids";
import {
  AcceptReceipt,
  CandidateJob,
  ChallengeWindowOpenError,
  CollateralQuote,
  JobMarket,
  JobReplacedError,
  JobState,
  JobStatus,
  MarketRejectedError,
  ProviderRecord,
  SubmitReceipt,
  storesJob,
} from "./market";
import { silentLogger, type Logger } from "./logger";
import { briefError, nodeMessage, sleep } from "./retry";
import { TransactionSender, type TxOverrides } from "./tx-sender";

export interface ContractMarketOptions {
  rpc: JsonRpcProvider;
  /** The operator key; connected to `rpc` here. */
  operator: Wallet;
  /** The provider (owner) the operator works for. */
  provider: string;
  contracts: ContractAddresses;
  /** How long to wait for a receipt before reporting a (transient) timeout. Default 180 s. */
  receiptTimeoutMs?: number;
  /** Replace a transaction not mined this long after it (or its last replacement) was sent; 0: never. Default 60 s. */
  replaceAfterMs?: number;
  /** The most a replacement pays per gas (maxFeePerGas, or gasPrice before EIP-1559), wei. Default 500 gwei. */
  maxFeePerGas?: bigint;
  /** How often receipts are looked for. Default 1 s. */
  receiptPollMs?: number;
  logger?: Logger;
}

type TxBuilder = (overrides: TxOverrides) => Promise<ContractTransactionResponse>;

/**
 * The node refused a transaction's nonce: another transaction of the operator key got there first (e.g. a Hardhat task
 * run with the same key). Retrying fixes it: the queue reads the nonce from the node again for the next try.
 */
export class NonceConflictError extends Error {
  readonly transient = true;

  constructor(
    readonly nonce: number | undefined,
    cause: unknown,
  ) {
    // Not the cause's message: ethers' carries the whole signed transaction and the node's answer.
    const at = nonce === undefined ? "a nonce" : `nonce ${nonce}`;
    const why = isNonceTooHigh(cause)
      ? "is above the node's count of the key's transactions (the chain restarted, or the node dropped some?)"
      : "was taken by another transaction of the same key (another process signing with it?)";
    super(`nonce conflict: ${at} of the operator key ${why}; the next try reads the nonce again (${briefError(cause)})`, { cause });
    this.name = "NonceConflictError";
  }
}

/** A broadcast transaction was not mined within the receipt timeout (it may still be). Retrying is worth it. */
export class ReceiptTimeoutError extends Error {
  readonly transient = true;

  constructor(
    readonly transactionHash: string,
    readonly timeoutMs: number,
    cause: unknown,
  ) {
    super(`no receipt for transaction ${transactionHash} within ${timeoutMs} ms`, { cause });
    this.name = "ReceiptTimeoutError";
  }
}

/** `setOnline` reverted (e.g. the operator key is not the provider's operator). */
export class OnlineStatusRejectedError extends Error {
  readonly transient = false;

  constructor(
    readonly online: boolean,
    readonly errorName: string,
    detail: string,
  ) {
    super(`setOnline(${online}) reverted with ${errorName}: ${detail}`);
    this.name = "OnlineStatusRejectedError";
  }
}

/** What the registry says about the provider and this operator key. */
export interface OperatorStatus {
  registered: boolean;
  online: boolean;
  /** registry.isAuthorized(provider, operator): the key may act for the provider. */
  authorized: boolean;
}

function abiOf(contract: string, abi: readonly unknown[]): { contract: string; abi: readonly JsonFragment[] } {
  return { contract, abi: abi as readonly JsonFragment[] };
}

// Errors of every contract a worker's call can reach: the escrow, the registry (reserve/release, setOnline),
// staking (collateral) and the token (transfers on settlement).
const DECODER = new RevertDecoder([
  abiOf("JobEscrow", IJobEscrow__factory.abi),
  abiOf("ProviderRegistry", IProviderRegistry__factory.abi),
  abiOf("Staking", IStaking__factory.abi),
  abiOf("LatentToken", IERC20Errors__factory.abi),
]);

/** The custom error in a revert, or undefined when `error` is not a revert. */
function decodeRevert(error: unknown): { name: string; args: Record<string, string>; formatted: string } | undefined {
  if (!isError(error, "CALL_EXCEPTION")) return undefined;
  const decoded = DECODER.decode(error);
  if (decoded !== undefined) return decoded;
  // Mined and reverted: the receipt carries no revert data.
  const detail = error.receipt ? `transaction ${error.receipt.hash} reverted` : error.shortMessage;
  return { name: "UnknownRevert", args: {}, formatted: detail };
}

// +12.5%, rounded up: nodes (geth, Hardhat) refuse a replacement that raises either fee by less than 10%.
function bump(fee: bigint): bigint {
  return fee + (fee + 7n) / 8n;
}

/**
 * Fees for a replacement of `previous`: each raised by 12.5%, or to the node's current suggestion if higher, within
 * `cap`; undefined when the cap leaves less than the raise nodes require.
 */
export function replacementFees(previous: {
  maxFeePerGas: bigint | null;
  maxPriorityFeePerGas: bigint | null;
  gasPrice: bigint | null;
}, suggested: FeeData, cap: bigint): Omit<TxOverrides, "nonce"> | undefined {
  const max = (a: bigint, b: bigint | null): bigint => (b !== null && b > a ? b : a);
  if (previous.maxFeePerGas !== null && previous.maxPriorityFeePerGas !== null) {
    const minFee = bump(previous.maxFeePerGas);
    const minTip = bump(previous.maxPriorityFeePerGas);
    const maxFeePerGas = max(minFee, suggested.maxFeePerGas) > cap ? cap : max(minFee, suggested.maxFeePerGas);
    const tip = max(minTip, suggested.maxPriorityFeePerGas);
    const maxPriorityFeePerGas = tip > maxFeePerGas ? maxFeePerGas : tip;
    if (maxFeePerGas < minFee || maxPriorityFeePerGas < minTip) return undefined;
    return { maxFeePerGas, maxPriorityFeePerGas };
  }
  if (previous.gasPrice === null) return undefined;
  const minPrice = bump(previous.gasPrice);
  const gasPrice = max(minPrice, suggested.gasPrice) > cap ? cap : max(minPrice, suggested.gasPrice);
  return gasPrice < minPrice ? undefined : { gasPrice };
}

// Too high: the node lost transactions the queue counted (a devnet restarted beneath the worker, a pool dropping them);
// Hardhat refuses it while automining, and ethers leaves it uncoalesced. The queue reads the nonce again.
function isNonceTooHigh(error: unknown): boolean {
  return isError(error, "UNKNOWN_ERROR") && /nonce too high/i.test(nodeMessage(error) ?? "");
}

function isNonceConflict(error: unknown): boolean {
  return isNonceTooHigh(error) || isError(error, "NONCE_EXPIRED") || isError(error, "REPLACEMENT_UNDERPRICED");
}

// Blocks per log query: 10,000 is what common node providers take for a filtered query.
const LOG_SPAN_BLOCKS = 10_000;

export class ContractMarket implements JobMarket {
  readonly escrow: IJobEscrow;
  readonly registry: IProviderRegistry;
  private readonly rpc: JsonRpcProvider;
  private readonly provider: string;
  private readonly sender: TransactionSender;
  private readonly signer: Wallet;
  /** How long a write waits for its receipt (public so that the documented 180 s default can be checked). */
  readonly receiptTimeoutMs: number;
  readonly replaceAfterMs: number;
  readonly maxFeePerGas: bigint;
  private readonly receiptPollMs: number;
  private readonly logger: Logger;
  /** Challenge windows by EconomicParams version: a version never changes once written. */
  private readonly challengeWindows = new Map<bigint, bigint>();
  /** The Staking contract the escrow locks collateral in (an immutable of the escrow), read once. */
  private staking: Promise<IStaking> | undefined;

  constructor(options: ContractMarketOptions) {
    this.rpc = options.rpc;
    this.provider = options.provider;
    const signer = options.operator.connect(options.rpc);
    this.signer = signer;
    this.escrow = IJobEscrow__factory.connect(options.contracts.jobEscrow, signer);
    this.registry = IProviderRegistry__factory.connect(options.contracts.providerRegistry, signer);
    this.sender = new TransactionSender(options.rpc, signer.address);
    this.receiptTimeoutMs = options.receiptTimeoutMs ?? 180_000;
    this.replaceAfterMs = options.replaceAfterMs ?? 60_000;
    this.maxFeePerGas = options.maxFeePerGas ?? 500_000_000_000n;
    this.receiptPollMs = options.receiptPollMs ?? 1000;
    this.logger = options.logger ?? silentLogger;
  }

  async getProvider(): Promise<ProviderRecord> {
    const staking = await this.stakingContract();
    const [record, active, stats, maxSlashRewardBps] = await Promise.all([
      this.registry.getProvider(this.provider),
      this.registry.isActive(this.provider),
      this.escrow.providerStats(this.provider),
      staking.maxSlashRewardBps(this.provider),
    ]);
    return {
      registered: record.registered,
      active,
      gpuModel: decodeShortId(record.gpuModel, GPU_MODEL_ID_BYTES) ?? "",
      region: decodeShortId(record.region, REGION_ID_BYTES) ?? "",
      vramGiB: Number(record.vramGiB),
      gpuCount: Number(record.gpuCount),
      gpusInUse: Number(record.gpusInUse),
      operator: record.operator,
      tier: Number(record.tier) as TierCode,
      pricePerGpuHour: record.pricePerGpuHour,
      completedJobs: Number(stats.completed),
      maxSlashRewardBps: Number(maxSlashRewardBps),
      online: record.online,
      stake: record.registered && record.online && !active ? await this.stakeAgainstMinimum(staking, record.gpuCount) : undefined,
    };
  }

  private async stakeAgainstMinimum(staking: IStaking, gpuCount: bigint): Promise<{ held: bigint; required: bigint }> {
    const [stake, perGpu] = await Promise.all([staking.getStake(this.provider), staking.minStakePerGpu()]);
    // Staking.hasMinimumStake's terms: what is thawing no longer counts.
    return { held: stake.staked - stake.thawing, required: perGpu * gpuCount };
  }

  async operatorStatus(operator: string): Promise<OperatorStatus> {
    const [record, authorized] = await Promise.all([
      this.registry.getProvider(this.provider),
      this.registry.isAuthorized(this.provider, operator),
    ]);
    return { registered: record.registered, online: record.online, authorized };
  }

  async getJobState(jobId: bigint): Promise<JobState> {
    const job = await this.escrow.getJob(jobId);
    const status = Number(job.status) as JobStatus;
    const state: JobState = { status, provider: job.provider, client: job.client, termsHash: job.termsHash };
    if (status === JobStatus.Accepted) state.resultDeadline = job.deadline;
    if (status === JobStatus.Submitted || status === JobStatus.Disputed) {
      state.submittedAt = job.submittedAt;
      state.challengeDeadline = job.submittedAt + (await this.challengeWindow(job.paramsId));
    }
    return state;
  }

  /**
   * The result hash of `jobId`'s one ResultSubmitted event. Searched back from the latest block in spans nodes serve
   * (many refuse a log query over more blocks), stopping at the span that begins before `submittedAt` (the caller's
   * state read has it, so the job is not read again): a job just submitted is found in the first.
   */
  async landedResultHash(jobId: bigint, submittedAt: bigint): Promise<string> {
    const filter = this.escrow.filters.ResultSubmitted(jobId);
    let to = await this.rpc.getBlockNumber();
    for (;;) {
      const from = Math.max(0, to - LOG_SPAN_BLOCKS + 1);
      const events = await this.escrow.queryFilter(filter, from, to);
      const last = events.at(-1);
      if (last !== undefined) return last.args.resultHash;
      const start = from === 0 ? undefined : await this.rpc.getBlock(from);
      if (start === undefined || start === null || BigInt(start.timestamp) < submittedAt) {
        throw new Error(`job ${jobId} is submitted (at ${submittedAt}) but the node returns no ResultSubmitted event for it, searched back to block ${from}`);
      }
      to = from - 1;
    }
  }

  async collateral(jobId: bigint): Promise<CollateralQuote> {
    const staking = await this.stakingContract();
    const [job, paramsId, stake] = await Promise.all([
      this.escrow.getJob(jobId),
      this.escrow.currentParamsId(),
      staking.getStake(this.provider),
    ]);
    const { collateralRatioBps } = await this.escrow.getParams(paramsId);
    // LatentMath.bpsUp, as acceptJob computes it: rounded up.
    const collateral = (job.escrowed * collateralRatioBps + 9_999n) / 10_000n;
    return { collateral, freeStake: stake.staked - stake.locked - stake.thawing, lockedStake: stake.locked };
  }

  async chainTime(): Promise<bigint> {
    const block = await this.rpc.getBlock("latest");
    if (block === null) throw new Error("the node has no latest block");
    return BigInt(block.timestamp);
  }

  async accept(job: CandidateJob): Promise<AcceptReceipt> {
    const receipt = await this.write("accept", job.jobId, (overrides) =>
      this.escrow.acceptJob(job.jobId, this.provider, job.terms, overrides),
    );
    const event = this.escrowEvent(receipt, "JobAccepted", job.jobId);
    return { resultDeadline: event.args.resultDeadline as bigint, transactionHash: receipt.hash };
  }

  async submit(job: CandidateJob, resultURI: string, resultHash: string): Promise<SubmitReceipt> {
    const { jobId } = job;
    const termsHash = hashJobTerms(job.terms);
    const receipt = await this.write("submit", jobId, async (overrides) => {
      await this.requireStored("submit", job, termsHash);
      return this.escrow.submitResult(jobId, resultURI, resultHash, overrides);
    });
    const event = this.escrowEvent(receipt, "ResultSubmitted", jobId);
    return {
      challengeDeadline: event.args.challengeDeadline as bigint,
      cost: event.args.cost as bigint,
      transactionHash: receipt.hash,
    };
  }

  async settle(job: CandidateJob): Promise<void> {
    const termsHash = hashJobTerms(job.terms);
    await this.write("settle", job.jobId, async (overrides) => {
      await this.requireStored("settle", job, termsHash);
      return this.escrow.settle(job.jobId, overrides);
    });
  }

  async decline(job: CandidateJob): Promise<void> {
    const termsHash = hashJobTerms(job.terms);
    await this.write("decline", job.jobId, async (overrides) => {
      await this.requireStored("decline", job, termsHash);
      return this.escrow.declineJob(job.jobId, overrides);
    });
  }

  async abandon(job: CandidateJob): Promise<void> {
    const termsHash = hashJobTerms(job.terms);
    await this.write("abandon", job.jobId, async (overrides) => {
      await this.requireStored("abandon", job, termsHash);
      return this.escrow.abandonJob(job.jobId, overrides);
    });
  }

  /**
   * Throws JobReplacedError unless the chain stores `job` under its id (its client and terms hash). Called as each try
   * and each replacement is built: declineJob, abandonJob, submitResult and settle take the id alone, and a chain restarted
   * meanwhile may store another job under it.
   */
  private async requireStored(operation: JobReplacedError["operation"], job: CandidateJob, termsHash: string): Promise<void> {
    const stored = await this.escrow.getJob(job.jobId);
    if (!storesJob(stored, job, termsHash)) {
      throw new JobReplacedError(operation, job.jobId);
    }
  }

  /** `setOnline(provider, online)` by the operator; resolves with the receipt once mined. */
  async setOnline(online: boolean): Promise<ContractTransactionReceipt> {
    try {
      return await this.sendAndMine((overrides) => this.registry.setOnline(this.provider, online, overrides));
    } catch (error) {
      const revert = decodeRevert(error);
      if (revert !== undefined) throw new OnlineStatusRejectedError(online, revert.name, revert.formatted);
      throw error;
    }
  }

  /**
   * Replaces every transaction of the operator key that the node holds unmined with a 0-value transfer to the key
   * itself, so that none of them can be mined any more and the next write is not queued behind them. Resolves with
   * the nonces replaced; one that could not be (the fee cap reached) is logged and left.
   */
  cancelLeftoverTransactions(): Promise<number[]> {
    return this.sender.exclusive(async () => {
      const address = this.signer.address;
      const [latest, pending] = await Promise.all([
        this.rpc.getTransactionCount(address, "latest"),
        this.rpc.getTransactionCount(address, "pending"),
      ]);
      if (pending <= latest) return [];
      const nonces = Array.from({ length: pending - latest }, (_, index) => latest + index);
      this.logger.warn("the node holds transactions of the operator key unmined; replacing them with 0-value transfers to itself", {
        address,
        nonces,
      });
      const replaced: number[] = [];
      for (const nonce of nonces) if (await this.cancelAt(nonce)) replaced.push(nonce);
      return replaced;
    });
  }

  /** True once a cancelling transfer with `nonce` is in the node's pool (or its nonce is mined already). */
  private async cancelAt(nonce: number): Promise<boolean> {
    const suggested = await this.rpc.getFeeData();
    const eip1559 = suggested.maxFeePerGas !== null && suggested.maxPriorityFeePerGas !== null;
    const cap = (fee: bigint): bigint => (fee > this.maxFeePerGas ? this.maxFeePerGas : fee);
    let fees: Omit<TxOverrides, "nonce"> | undefined = eip1559
      ? { maxFeePerGas: cap(suggested.maxFeePerGas!), maxPriorityFeePerGas: cap(suggested.maxPriorityFeePerGas!) }
      : { gasPrice: cap(suggested.gasPrice ?? 0n) };
    while (fees !== undefined) {
      try {
        const request = await this.signer.populateTransaction({ to: this.signer.address, value: 0n, nonce, ...fees });
        const signed = await this.signer.signTransaction(request);
        // The very transfer a run before this one sent (a worker restarted in a loop, the fees unchanged): nodes refuse
        // it again as known, in words of their own.
        if ((await this.rpc.getTransaction(keccak256(signed))) !== null) return true;
        const sent = await this.rpc.broadcastTransaction(signed);
        this.logger.warn("replaced an unmined transaction of the operator key", { nonce, replacement: sent.hash, fees });
        return true;
      } catch (error) {
        if (isError(error, "NONCE_EXPIRED")) return true;
        if (!isError(error, "REPLACEMENT_UNDERPRICED")) throw error;
        const previous = { maxFeePerGas: fees.maxFeePerGas ?? null, maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? null, gasPrice: fees.gasPrice ?? null };
        fees = replacementFees(previous, new FeeData(), this.maxFeePerGas);
      }
    }
    this.logger.warn("cannot replace an unmined transaction of the operator key within chain.maxFeePerGas; leaving it", {
      nonce,
      maxFeePerGas: this.maxFeePerGas,
    });
    return false;
  }

  private async write(
    operation: MarketRejectedError["operation"],
    jobId: bigint,
    build: TxBuilder,
  ): Promise<ContractTransactionReceipt> {
    try {
      return await this.sendAndMine(build);
    } catch (error) {
      const revert = decodeRevert(error);
      if (revert === undefined) throw error;
      if (revert.name === "JobEscrowChallengeWindowOpen" && revert.args.challengeDeadline !== undefined) {
        throw new ChallengeWindowOpenError(jobId, BigInt(revert.args.challengeDeadline));
      }
      throw new MarketRejectedError(operation, jobId, revert.name, revert.formatted);
    }
  }

  private async sendTx(build: TxBuilder): Promise<ContractTransactionResponse> {
    let nonce: number | undefined;
    try {
      return await this.sender.send(async (overrides) => {
        nonce = overrides.nonce;
        try {
          return await build(overrides);
        } catch (error) {
          // Replaced in this write's turn: a write queued behind it would read the same nonce and collide as well.
          if (isError(error, "REPLACEMENT_UNDERPRICED")) await this.replaceHidden(overrides.nonce);
          throw error;
        }
      });
    } catch (error) {
      if (isNonceConflict(error)) throw new NonceConflictError(nonce, error);
      throw error;
    }
  }

  /**
   * The node holds a transaction of ours at `nonce` that its `pending` count leaves out (Hardhat's does, for one whose
   * fee the next block will not take): every try would collide with it. Replaced, the retry goes after it.
   */
  private async replaceHidden(nonce: number): Promise<void> {
    this.logger.warn("the node holds an unmined transaction of the operator key at the nonce of a write; replacing it", { nonce });
    await this.cancelAt(nonce).catch((cancelError: unknown) =>
      this.logger.warn("could not replace the unmined transaction", { nonce, error: cancelError }),
    );
  }

  /** Sends, then waits for the transaction or one of its replacements to be mined. */
  private async sendAndMine(build: TxBuilder): Promise<ContractTransactionReceipt> {
    const first = await this.sendTx(build);
    const sent = [first];
    const deadline = Date.now() + this.receiptTimeoutMs;
    let replaceAt = this.replaceAfterMs > 0 ? Date.now() + this.replaceAfterMs : Infinity;
    for (;;) {
      for (const response of sent) {
        // A failed look is not a failed transaction: it is broadcast, so keep looking until the deadline.
        const mined = await this.rpc.getTransactionReceipt(response.hash).catch(() => null);
        if (mined === null) continue;
        // Mined: wait() now answers at once, throwing CALL_EXCEPTION for a revert.
        const receipt = await response.wait(1, this.receiptTimeoutMs);
        if (receipt === null) throw new Error(`transaction ${response.hash} has no receipt`);
        return receipt;
      }
      const now = Date.now();
      const latest = sent[sent.length - 1]!;
      if (now >= deadline) {
        // Had the node dropped it, the counter would stay past its nonce: read it again before the next one.
        this.sender.resync();
        throw new ReceiptTimeoutError(latest.hash, this.receiptTimeoutMs, undefined);
      }
      if (now >= replaceAt) {
        const replacement = await this.replace(latest, build);
        if (replacement !== undefined) sent.push(replacement);
        replaceAt = Date.now() + this.replaceAfterMs;
      }
      await sleep(Math.max(1, Math.min(this.receiptPollMs, deadline - now, replaceAt - now)));
    }
  }

  /** The same call with the same nonce and higher fees; undefined when none can be sent now. */
  private async replace(
    previous: ContractTransactionResponse,
    build: TxBuilder,
  ): Promise<ContractTransactionResponse | undefined> {
    const fields = { hash: previous.hash, nonce: previous.nonce, waitedMs: this.replaceAfterMs };
    let fees: Omit<TxOverrides, "nonce"> | undefined;
    try {
      fees = replacementFees(previous, await this.rpc.getFeeData(), this.maxFeePerGas);
    } catch (error) {
      this.logger.warn("cannot read fees to replace an unmined transaction; waiting", { ...fields, error });
      return undefined;
    }
    if (fees === undefined) {
      this.logger.warn("transaction not mined, and a replacement would pay more than chain.maxFeePerGas; waiting", {
        ...fields,
        maxFeePerGas: this.maxFeePerGas,
      });
      return undefined;
    }
    try {
      const replacement = await build({ nonce: previous.nonce, ...fees });
      this.logger.warn("transaction not mined in time; replaced it with higher fees", {
        ...fields,
        replacement: replacement.hash,
        previousFees: {
          maxFeePerGas: previous.maxFeePerGas,
          maxPriorityFeePerGas: previous.maxPriorityFeePerGas,
          gasPrice: previous.gasPrice,
        },
        fees,
      });
      return replacement;
    } catch (error) {
      // The chain restarted: what was sent is gone with it, and the call would now apply to another job.
      if (error instanceof JobReplacedError) throw error;
      // Mined meanwhile (nonce too low, or the call now reverts in estimation): the next look finds its receipt.
      this.logger.info("could not replace an unmined transaction; waiting for it", { ...fields, error });
      return undefined;
    }
  }

  private escrowEvent(receipt: ContractTransactionReceipt, name: string, jobId: bigint): LogDescription {
    const escrowAddress = this.escrow.target.toString().toLowerCase();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== escrowAddress) continue;
      const parsed = this.escrow.interface.parseLog(log);
      if (parsed?.name === name && parsed.args.jobId === jobId) return parsed;
    }
    throw new Error(`transaction ${receipt.hash} succeeded without a ${name} event for job ${jobId}`);
  }

  private stakingContract(): Promise<IStaking> {
    if (this.staking === undefined) {
      // IJobEscrow does not declare the getter; the implementation's ABI has it.
      const staking = JobEscrow__factory.connect(this.escrow.target.toString(), this.rpc)
        .staking()
        .then((address) => IStaking__factory.connect(address, this.rpc));
      this.staking = staking;
      // A failed read (an outage) is not remembered: the next call reads again.
      staking.catch(() => {
        if (this.staking === staking) this.staking = undefined;
      });
    }
    return this.staking;
  }

  private async challengeWindow(paramsId: bigint): Promise<bigint> {
    let window = this.challengeWindows.get(paramsId);
    if (window === undefined) {
      window = (await this.escrow.getParams(paramsId)).challengeWindow;
      this.challengeWindows.set(paramsId, window);
    }
    return window;
  }
}
