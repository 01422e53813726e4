// Live reads of one provider or one job from the contracts, through their TypeChain bindings. Every read is pinned
// to a block number and cached for that block, so the fields of one answer agree with each other and a burst of
// requests for the same provider costs one round of calls per block. Lists never come here.
import * as http from "node:http";
import * as https from "node:https";
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { ChainError, ChainReadAbortedError } from "../errors";
import type { Logger } from "../logger";
import { RequestDeadline } from "../request-deadline";
import { unlessAborted } from "../../../subgraph/indexer/abortable";
import { redactUrl, urlRedactor, type Redactor } from "../../../subgraph/indexer/redact";
import { IJobEscrow__factory } from "../../../typechain-types/factories/contracts/interfaces/IJobEscrow__factory";
import { IProviderRegistry__factory } from "../../../typechain-types/factories/contracts/interfaces/IProviderRegistry__factory";
import { IStaking__factory } from "../../../typechain-types/factories/contracts/interfaces/IStaking__factory";
import type { IJobEscrow, IProviderRegistry, IStaking } from "../../../typechain-types";

/** Addresses of the contracts the gateway reads live. */
export interface ChainContracts {
  ProviderRegistry: string;
  Staking: string;
  JobEscrow: string;
}

export interface ChainReaderOptions {
  rpcUrl: string;
  /**
   * The chain id (every caller has it from the deployment record). Required: without it ethers detects the network,
   * and retries that forever against a dead RPC instead of failing the read.
   */
  chainId: number;
  contracts: ChainContracts;
  logger: Logger;
  /** How long a head block number is reused before asking again (default 500 ms). */
  headMaxAgeMs?: number;
  /** Per-call timeout (default 5 s). */
  timeoutMs?: number;
}

/** What the head watcher asks the chain of an indexed block its source cannot say enough of. */
export interface ChainBlockHeader {
  /** Lowercase. */
  parentHash: string;
  /** Unix seconds. */
  timestamp: number;
}

/** IJobEscrow.JobStatus by its numeric value (0 is None: no such job). */
export const CHAIN_JOB_STATUS = [
  null,
  "OPEN",
  "ACCEPTED",
  "SUBMITTED",
  "DISPUTED",
  "COMPLETED",
  "CANCELLED",
  "EXPIRED",
  "DECLINED",
  "TIMED_OUT",
  "REFUNDED",
] as const;
export type ChainJobStatus = Exclude<(typeof CHAIN_JOB_STATUS)[number], null>;

const UNFINISHED: ReadonlySet<ChainJobStatus> = new Set(["OPEN", "ACCEPTED", "SUBMITTED", "DISPUTED"]);

export interface ProviderLiveRead {
  blockNumber: number;
  registered: boolean;
  online: boolean;
  active: boolean;
  gpuCount: number;
  gpusFree: number;
  pricePerGpuHour: bigint;
  staked: bigint;
  locked: bigint;
  thawing: bigint;
  freeStake: bigint;
  jobsCompleted: number;
}

export interface JobLiveRead {
  blockNumber: number;
  status: ChainJobStatus;
  escrowBalance: bigint;
  collateralLocked: bigint;
  deadline: number;
  /** Lowercase address, or null for the zero address. */
  provider: string | null;
}

const ZERO = "0x0000000000000000000000000000000000000000";

const BLOCK_HASH = /^0x[0-9a-fA-F]{64}$/;

/** What went wrong in an RPC call: the node's own message where it answered with a JSON-RPC error. */
function failure(error: unknown): string {
  const rpcError = typeof error === "object" && error !== null && "error" in error ? error.error : undefined;
  const rpcMessage = typeof rpcError === "object" && rpcError !== null && "message" in rpcError ? rpcError.message : undefined;
  if (typeof rpcMessage === "string") return `the node answered: ${rpcMessage}`;
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}

export class ChainReader {
  private readonly rpc: JsonRpcProvider;
  /**
   * The RPC's connections, ours alone so that close() can end them: ethers ends a request's socket only at its own
   * 5-minute timeout (its cancel hands http.request an `abort` option, which Node does not know).
   */
  private readonly agent: http.Agent;
  /** Aborted by close(): calls in flight then end at once instead of at their timeout. */
  private readonly closing = new AbortController();
  private readonly registry: IProviderRegistry;
  private readonly staking: IStaking;
  private readonly escrow: IJobEscrow;
  private head: { number: number; at: number } | null = null;
  private headInFlight: Promise<number> | null = null;
  /** Reads of the current block only; older blocks' entries are dropped when the block advances. */
  private cacheBlock = -1;
  private cache = new Map<string, Promise<unknown>>();
  private readonly headMaxAgeMs: number;
  private readonly timeoutMs: number;
  // ethers writes the request's URL, which may hold the provider's API key, into every HTTP error (info.requestUrl).
  private readonly redact: Redactor;

  constructor(private readonly options: ChainReaderOptions) {
    // Checked at run time too: a JavaScript caller (or a cast) could still leave it out.
    const { chainId } = options as { chainId?: unknown };
    if (typeof chainId !== "number" || !Number.isSafeInteger(chainId) || chainId < 1) {
      throw new ChainError(`the chain reader for ${redactUrl(options.rpcUrl)} needs the chain id (a positive integer), got ${String(chainId)}`);
    }
    this.redact = urlRedactor([{ url: options.rpcUrl }]);
    const network = Network.from(chainId);
    const connection = new FetchRequest(options.rpcUrl);
    // keepAlive as Node's global agent, which ethers uses by default.
    this.agent = connection.url.toLowerCase().startsWith("https:") ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    connection.getUrlFunc = FetchRequest.createGetUrlFunc({ agent: this.agent });
    this.rpc = new JsonRpcProvider(connection, network, { staticNetwork: network, batchStallTime: 2 });
    this.registry = IProviderRegistry__factory.connect(options.contracts.ProviderRegistry, this.rpc);
    this.staking = IStaking__factory.connect(options.contracts.Staking, this.rpc);
    this.escrow = IJobEscrow__factory.connect(options.contracts.JobEscrow, this.rpc);
    this.headMaxAgeMs = options.headMaxAgeMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** The chain's latest block number (reused for headMaxAgeMs; concurrent callers share one request). */
  async blockNumber(): Promise<number> {
    if (this.head !== null && Date.now() - this.head.at < this.headMaxAgeMs) return this.head.number;
    if (this.headInFlight !== null) return this.headInFlight;
    const pending = this.call("eth_blockNumber", () => this.rpc.getBlockNumber())
      .then((number) => {
        this.head = { number, at: Date.now() };
        return number;
      })
      .finally(() => {
        this.headInFlight = null;
      });
    this.headInFlight = pending;
    return pending;
  }

  async provider(address: string): Promise<ProviderLiveRead> {
    const blockTag = await this.blockNumber();
    return this.cached(`provider:${address}`, blockTag, async () => {
      const overrides = { blockTag };
      const [record, active, stake, freeStake, stats] = await Promise.all([
        this.call("ProviderRegistry.getProvider", () => this.registry.getProvider(address, overrides)),
        this.call("ProviderRegistry.isActive", () => this.registry.isActive(address, overrides)),
        this.call("Staking.getStake", () => this.staking.getStake(address, overrides)),
        this.call("Staking.freeStake", () => this.staking.freeStake(address, overrides)),
        this.call("JobEscrow.providerStats", () => this.escrow.providerStats(address, overrides)),
      ]);
      return {
        blockNumber: blockTag,
        registered: record.registered,
        online: record.online,
        active,
        gpuCount: Number(record.gpuCount),
        gpusFree: Number(record.gpuCount - record.gpusInUse),
        pricePerGpuHour: record.pricePerGpuHour,
        staked: stake.staked,
        locked: stake.locked,
        thawing: stake.thawing,
        freeStake,
        jobsCompleted: Number(stats.completed),
      };
    });
  }

  /** A job's on-chain state, or null when the chain has no such job. */
  async job(jobId: bigint): Promise<JobLiveRead | null> {
    const blockTag = await this.blockNumber();
    return this.cached(`job:${jobId}`, blockTag, async () => {
      const overrides = { blockTag };
      const [job, collateral] = await Promise.all([
        this.call("JobEscrow.getJob", () => this.escrow.getJob(jobId, overrides)),
        this.call("Staking.jobCollateral", () => this.staking.jobCollateral(jobId, overrides)),
      ]);
      const status = CHAIN_JOB_STATUS[Number(job.status)] ?? null;
      if (status === null) return null;
      return {
        blockNumber: blockTag,
        status,
        escrowBalance: UNFINISHED.has(status) ? job.escrowed : 0n,
        collateralLocked: collateral.amount,
        deadline: Number(job.deadline),
        provider: job.provider.toLowerCase() === ZERO ? null : job.provider.toLowerCase(),
      };
    });
  }

  /**
   * The parent hash and time of the block with this hash, or null when the chain does not know the block (a fork it
   * left). `signal` gives the read up (ChainReadAbortedError).
   */
  async blockHeader(blockHash: string, signal?: AbortSignal): Promise<ChainBlockHeader | null> {
    // eth_getBlockByHash itself, not ethers' getBlock: that reads anything but a 32-byte hash as a block number
    // ("0x02" gave block 2's parent), where the node refuses it.
    const block = await this.call("eth_getBlockByHash", () => this.rpc.send("eth_getBlockByHash", [blockHash, false]) as Promise<unknown>, signal);
    if (block === null) return null;
    const fields = typeof block === "object" ? (block as { parentHash?: unknown; timestamp?: unknown }) : {};
    const { parentHash, timestamp } = fields;
    if (typeof parentHash !== "string" || !BLOCK_HASH.test(parentHash)) {
      throw new ChainError(`eth_getBlockByHash answered for ${blockHash} without a parent hash`);
    }
    // A JSON-RPC quantity (hex, no leading zeros), within what a number holds exactly.
    if (typeof timestamp !== "string" || !/^0x(?:0|[1-9a-f][0-9a-f]{0,12})$/i.test(timestamp)) {
      throw new ChainError(`eth_getBlockByHash answered for ${blockHash} without a block time`);
    }
    return { parentHash: parentHash.toLowerCase(), timestamp: Number(BigInt(timestamp)) };
  }

  /** The hash (lowercase) of the chain's block `number`, or null where the chain has no such block yet. */
  async blockHashAt(number: number, signal?: AbortSignal): Promise<string | null> {
    const tag = `0x${number.toString(16)}`;
    const block = await this.call("eth_getBlockByNumber", () => this.rpc.send("eth_getBlockByNumber", [tag, false]) as Promise<unknown>, signal);
    if (block === null) return null;
    const hash = typeof block === "object" ? (block as { hash?: unknown }).hash : undefined;
    if (typeof hash !== "string" || !BLOCK_HASH.test(hash)) throw new ChainError(`eth_getBlockByNumber answered for block ${number} without a block hash`);
    return hash.toLowerCase();
  }

  /** Ends the calls in flight (ChainReadAbortedError) and their connections. */
  async close(): Promise<void> {
    this.closing.abort();
    this.rpc.destroy();
    this.agent.destroy();
  }

  private cached<T>(key: string, block: number, read: () => Promise<T>): Promise<T> {
    if (block !== this.cacheBlock) {
      // Reads are pinned to their block, so a newer block simply starts a fresh cache.
      if (block < this.cacheBlock) return read();
      this.cacheBlock = block;
      this.cache = new Map();
    }
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit as Promise<T>;
    const pending = read();
    this.cache.set(key, pending);
    pending.catch(() => {
      if (this.cache.get(key) === pending) this.cache.delete(key);
    });
    return pending;
  }

  private async call<T>(what: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const deadline = new RequestDeadline(this.timeoutMs, [this.closing.signal, signal]);
    try {
      return await unlessAborted(run(), deadline.signal, () =>
        deadline.timedOut ? new ChainError(`${what}: no answer from the RPC within ${this.timeoutMs} ms`) : new ChainReadAbortedError(what),
      );
    } catch (error) {
      if (error instanceof ChainError) throw error;
      const reason = this.redact(failure(error));
      // The reason, not the error: its message, its info and its cause each repeat the URL.
      this.options.logger.warn("chain read failed", { call: what, error: reason });
      throw new ChainError(`${what} failed (${reason})`, { cause: error });
    } finally {
      deadline.dispose();
    }
  }
}
