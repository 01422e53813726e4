// Fetches what the mappings need for a block range: eth_getLogs for the subgraph's addresses and event topics,
// then (batched) the blocks those logs are in, with their transactions, and the headers the reorg checks need.
// Every log's block hash is checked against the block fetched for its number, so data from two forks is never
// mixed in one range. Near the head, a block for which eth_getLogs returned nothing but whose log bloom may hold
// the subgraph's events is asked again by hash: a load-balanced endpoint may answer eth_getLogs from a backend that
// does not have the newest blocks yet, and those would otherwise be indexed as blocks without events. Below the
// reorg window only a range's last block is fetched without logs, and checked the same way. An answer of exactly as
// many logs as nodes cap theirs at is taken for one that may have been cut short, and the range is asked again smaller.
import { getBytes, keccak256 } from "ethers";
import {
  InconsistentChainDataError,
  RangeTooLargeError,
  RateLimitedError,
  RpcAbortedError,
  RpcConnectionError,
  RpcUnavailableError,
  MalformedAnswerError,
  TruncatedLogsError,
} from "../errors";
import type { RequestOptions, RpcCall, RpcTransport } from "./rpc";
import {
  parseHeader,
  parseLog,
  parseTransactions,
  quantityBig,
  quantityNumber,
  quoteValue,
  type BlockHeader,
  type FetchedBlock,
  type FetchedRange,
  type LogData,
  type RpcBlock,
  type RpcLog,
} from "./types";

export interface LogFilter {
  /** Lower-case addresses; null matches every contract. */
  readonly addresses: readonly string[] | null;
  readonly topic0s: readonly string[];
}

const BATCH = 100;

/**
 * Log counts at which nodes and proxies cap an eth_getLogs answer. Most refuse a query past the cap (Infura's, Alchemy's
 * and QuickNode's 10,000 results, which RANGE_TOO_LARGE knows), but some have answered with the first logs up to it and
 * no error (aurora-relayer at 10,000, before it errored; Nethermind once capped at 1,000): the later blocks' logs would
 * be lost without a sign, as the range-end bloom check sees only the last block. Matching one by chance costs one
 * halving of the range, no request on any other answer.
 */
export const LOG_COUNT_CAPS: ReadonlySet<number> = new Set([1_000, 5_000, 10_000, 20_000]);

function hex(n: number): string {
  return "0x" + n.toString(16);
}

/** The three bits an address or topic sets in a log bloom (yellow paper M3:2048), as (byte index, mask) pairs. */
function bloomBits(value: string): number[] {
  const h = getBytes(keccak256(value));
  const bits: number[] = [];
  for (let i = 0; i < 6; i += 2) {
    const bit = ((h[i]! << 8) | h[i + 1]!) & 2047;
    bits.push(255 - (bit >> 3), 1 << (bit & 7));
  }
  return bits;
}

/** A log bloom as a node writes it: 0x and 256 bytes in hex. */
const LOGS_BLOOM = /^0x[0-9a-f]{512}$/i;

/** `bloom` (LOGS_BLOOM) read only at the bytes `values`' bits are in: a filter's few values need a few of its 256. */
function anyInBloom(bloom: string, values: readonly number[][]): boolean {
  const byte = (index: number): number => parseInt(bloom.slice(2 + 2 * index, 4 + 2 * index), 16);
  for (const bits of values) {
    if ((byte(bits[0]!) & bits[1]!) !== 0 && (byte(bits[2]!) & bits[3]!) !== 0 && (byte(bits[4]!) & bits[5]!) !== 0) return true;
  }
  return false;
}

export class ChainFetcher {
  /** Bloom bits of the filter's addresses (null: any address) and event topics. */
  private readonly addressBits: number[][] | null;
  private readonly topicBits: number[][];

  constructor(
    private readonly rpc: RpcTransport,
    private readonly filter: LogFilter,
  ) {
    this.addressBits = filter.addresses === null ? null : filter.addresses.map(bloomBits);
    this.topicBits = filter.topic0s.map(bloomBits);
  }

  /** Whether a block's log bloom may hold a log the filter matches (true when the node gave no usable bloom). */
  private mayHaveLogs(logsBloom: string | undefined): boolean {
    if (this.topicBits.length === 0) return false;
    if (logsBloom === undefined || !LOGS_BLOOM.test(logsBloom)) return true;
    return anyInBloom(logsBloom, this.topicBits) && (this.addressBits === null || anyInBloom(logsBloom, this.addressBits));
  }

  private filterParams(): Record<string, unknown> {
    const filter: Record<string, unknown> = {
      topics: [this.filter.topic0s.length === 1 ? this.filter.topic0s[0] : [...this.filter.topic0s]],
    };
    if (this.filter.addresses !== null) {
      filter.address = this.filter.addresses.length === 1 ? this.filter.addresses[0] : [...this.filter.addresses];
    }
    return filter;
  }

  async chainId(): Promise<string> {
    return quantityBig(await this.rpc.request<unknown>("eth_chainId", []), "eth_chainId", "the result", "").toString();
  }

  async headNumber(): Promise<number> {
    return quantityNumber(await this.rpc.request<unknown>("eth_blockNumber", []), "eth_blockNumber", "the result", "");
  }

  async header(number: number): Promise<BlockHeader | null> {
    const block = await this.rpc.request<RpcBlock | null>("eth_getBlockByNumber", [hex(number), false]);
    return block === null ? null : parseHeader(block, "eth_getBlockByNumber", hex(number));
  }

  async headers(numbers: readonly number[]): Promise<Map<number, BlockHeader | null>> {
    const out = new Map<number, BlockHeader | null>();
    for (let i = 0; i < numbers.length; i += BATCH) {
      const chunk = numbers.slice(i, i + BATCH);
      const blocks = await this.rpc.batch<RpcBlock | null>(
        chunk.map((n): RpcCall => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })),
      );
      chunk.forEach((n, j) => out.set(n, blocks[j] === null ? null : parseHeader(blocks[j]!, "eth_getBlockByNumber", hex(n))));
    }
    return out;
  }

  /** With `canShrink`, an answer of LOG_COUNT_CAPS logs over several blocks is a TruncatedLogsError. */
  async logs(from: number, to: number, canShrink = false, options: RequestOptions = {}): Promise<LogData[]> {
    const raw = await this.rpc.request<RpcLog[]>("eth_getLogs", [{ fromBlock: hex(from), toBlock: hex(to), ...this.filterParams() }], options);
    if (!Array.isArray(raw)) throw new MalformedAnswerError("eth_getLogs", `the result for blocks ${from}-${to}`, "", "an array of logs", quoteValue(raw));
    if (canShrink && to > from && LOG_COUNT_CAPS.has(raw.length)) {
      throw new TruncatedLogsError(
        `eth_getLogs for blocks ${from}-${to} returned exactly ${raw.length} logs, a count nodes cap their answers at: ` +
          "the later blocks' logs may have been cut off, asking for a smaller range",
        raw.length,
      );
    }
    return parseLogs(raw);
  }

  /**
   * The filter's logs of each of `blocks`, asked by block hash (EIP-234). A node that does not have one of them
   * (a lagging backend: "unknown block") makes it an InconsistentChainDataError, so that the range is fetched again.
   */
  private async logsByHash(blocks: readonly BlockHeader[], options: RequestOptions): Promise<LogData[][]> {
    const out: LogData[][] = [];
    for (let i = 0; i < blocks.length; i += BATCH) {
      const chunk = blocks.slice(i, i + BATCH);
      let results: RpcLog[][];
      try {
        results = await this.rpc.batch<RpcLog[]>(
          chunk.map((h): RpcCall => ({ method: "eth_getLogs", params: [{ blockHash: h.hash, ...this.filterParams() }] })),
          options,
        );
      } catch (error) {
        // A rate limit is no sign of a lagging backend: fetching again at once would only be refused again. Nor is a
        // request the indexer's stop gave up, nor one that got no answer the transport's resends could not get (a
        // connection lost, a 502/503/504): taken for a lagging backend, the range was fetched again 20 times, each
        // with the transport's resends, and the pass failed with a message that blamed a lagging backend.
        if (error instanceof RateLimitedError || error instanceof RpcAbortedError || error instanceof RpcConnectionError || error instanceof RpcUnavailableError) {
          throw error;
        }
        // A timeout (or a node that finds too many logs): a smaller range asks for fewer blocks by hash at once, down
        // to the single block, whose failure then names it (each of the 20 fetches of the same range waited the
        // whole timeout before).
        if (error instanceof RangeTooLargeError) {
          throw new RangeTooLargeError(
            `eth_getLogs by hash for block ${chunk[0]!.number} (${chunk[0]!.hash})${chunk.length > 1 ? ` and ${chunk.length - 1} more` : ""} failed: ${error.message}`,
            error.method,
            error.code,
            { cause: error },
          );
        }
        throw new InconsistentChainDataError(
          `eth_getLogs by hash for block ${chunk[0]!.number} (${chunk[0]!.hash}) failed, the range's answer may come from a node ` +
            `behind it: ${(error as Error).message}`,
          { cause: error },
        );
      }
      results.forEach((raw, j) => {
        if (!Array.isArray(raw)) {
          throw new MalformedAnswerError("eth_getLogs", `the result for block ${chunk[j]!.number} (${chunk[j]!.hash})`, "", "an array of logs", quoteValue(raw));
        }
        out.push(parseLogs(raw));
      });
    }
    return out;
  }

  /**
   * Logs, blocks and transactions of [from, to]. With `allHeaders` every header of the range is fetched (near
   * the head, where each block's parent hash is checked). Throws RangeTooLargeError when the node refuses the
   * range, or, when it `canShrink` (the caller would ask for a smaller one), answers with a count of logs it may have
   * been cut at (TruncatedLogsError); InconsistentChainDataError when a reorg happened while fetching or the node's
   * answers disagree. Every request carries `options.signal`: aborted, the fetch ends with RpcAbortedError (a range
   * its caller no longer wants).
   */
  async fetchRange(from: number, to: number, allHeaders: boolean, canShrink = true, options: RequestOptions = {}): Promise<FetchedRange> {
    if (to < from) throw new RangeTooLargeError(`empty range ${from}-${to}`, "eth_getLogs");
    const logs = this.filter.topic0s.length === 0 ? [] : await this.logs(from, to, canShrink, options);
    const byBlock = new Map<number, LogData[]>();
    for (const log of logs) {
      let list = byBlock.get(log.blockNumber);
      if (list === undefined) {
        list = [];
        byBlock.set(log.blockNumber, list);
      }
      list.push(log);
    }
    const calls: Array<{ number: number; full: boolean }> = [];
    for (const number of byBlock.keys()) calls.push({ number, full: true });
    if (allHeaders) {
      for (let n = from; n <= to; n++) if (!byBlock.has(n)) calls.push({ number: n, full: false });
    } else if (!byBlock.has(to)) {
      calls.push({ number: to, full: false });
    }
    const headers = new Map<number, BlockHeader>();
    const blocks: FetchedBlock[] = [];
    // Blocks without logs in the range's answer whose bloom says they may have some: near the head any of them, below
    // it the range's last block, the one a backend behind the node that answers headers misses first.
    const suspects: BlockHeader[] = [];
    for (let i = 0; i < calls.length; i += BATCH) {
      const chunk = calls.slice(i, i + BATCH);
      const results = await this.rpc.batch<RpcBlock | null>(
        chunk.map((c): RpcCall => ({ method: "eth_getBlockByNumber", params: [hex(c.number), c.full] })),
        options,
      );
      chunk.forEach((c, j) => {
        const raw = results[j];
        if (raw === null || raw === undefined) {
          throw new InconsistentChainDataError(`block ${c.number} disappeared while fetching ${from}-${to}`);
        }
        const header = parseHeader(raw, "eth_getBlockByNumber", hex(c.number));
        headers.set(c.number, header);
        if (c.full) blocks.push(fullBlock(raw, header, byBlock.get(c.number)!, "eth_getBlockByNumber", hex(c.number)));
        else if (this.mayHaveLogs(raw.logsBloom)) suspects.push(header);
      });
    }
    let logCount = logs.length;
    if (suspects.length > 0) {
      const found = await this.logsByHash(suspects, options);
      const missed = suspects.filter((_, i) => found[i]!.length > 0);
      if (!allHeaders && missed.length > 0) {
        // The blocks before it are not fetched: the backend that skipped this one's logs may have skipped theirs too.
        throw new InconsistentChainDataError(
          `eth_getLogs for blocks ${from}-${to} returned no log of block ${to}, which has ${found[0]!.length} asked by its hash ` +
            `(${missed[0]!.hash}): the range's answer may come from a node behind it`,
        );
      }
      for (let i = 0; i < missed.length; i += BATCH) {
        const chunk = missed.slice(i, i + BATCH);
        const results = await this.rpc.batch<RpcBlock | null>(
          chunk.map((h): RpcCall => ({ method: "eth_getBlockByHash", params: [h.hash, true] })),
          options,
        );
        chunk.forEach((h, j) => {
          const raw = results[j];
          if (raw === null || raw === undefined) {
            throw new InconsistentChainDataError(`block ${h.number} (${h.hash}) disappeared while fetching ${from}-${to}`);
          }
          const blockLogs = found[suspects.indexOf(h)]!;
          logCount += blockLogs.length;
          const header = parseHeader(raw, "eth_getBlockByHash", h.hash);
          headers.set(h.number, header);
          blocks.push(fullBlock(raw, header, blockLogs, "eth_getBlockByHash", h.hash));
        });
      }
    }
    blocks.sort((a, b) => a.header.number - b.header.number);
    return { from, to, blocks, headers, logCount };
  }
}

function parseLogs(raw: readonly RpcLog[]): LogData[] {
  const logs: LogData[] = [];
  for (let i = 0; i < raw.length; i++) {
    const log = parseLog(raw[i]!, i);
    if (raw[i]!.removed === true) throw new InconsistentChainDataError(`eth_getLogs returned a removed log in block ${log.blockNumber}`);
    logs.push(log);
  }
  // Chain order: block, then log index (the log index is unique within a block and follows transaction order).
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  // A log sent twice (a node that merges its backends' answers) would run its handlers twice: graph-node keeps one of
  // identical triggers. Two different logs at one position of one block cannot both be the chain's.
  let kept = 0;
  for (let i = 0; i < logs.length; i++) {
    const log = logs[i]!;
    const previous = kept > 0 ? logs[kept - 1]! : null;
    if (previous !== null && previous.logIndex === log.logIndex && previous.blockHash === log.blockHash) {
      if (!sameLog(previous, log)) {
        throw new InconsistentChainDataError(`eth_getLogs returned two different logs with index ${log.logIndex} in block ${log.blockNumber}`);
      }
      continue;
    }
    logs[kept++] = log;
  }
  logs.length = kept;
  return logs;
}

function sameLog(a: LogData, b: LogData): boolean {
  return (
    a.address === b.address &&
    (a.data === b.data || a.data.toLowerCase() === b.data.toLowerCase()) &&
    a.transactionHash === b.transactionHash &&
    a.topics.length === b.topics.length &&
    a.topics.every((topic, i) => topic === b.topics[i])
  );
}

/** A block with its logs, checked to be the block the logs come from and to hold their transactions. */
function fullBlock(raw: RpcBlock, header: BlockHeader, blockLogs: LogData[], method: string, asked: string): FetchedBlock {
  for (const log of blockLogs) {
    if (log.blockHash !== header.hash) {
      throw new InconsistentChainDataError(
        `log ${log.logIndex} of block ${header.number} has block hash ${log.blockHash} but the block is ${header.hash}`,
      );
    }
  }
  const transactions = parseTransactions(raw, method, asked);
  for (const log of blockLogs) {
    if (!transactions.has(log.transactionHash)) {
      throw new InconsistentChainDataError(`transaction ${log.transactionHash} of a log is not in block ${header.number}`);
    }
  }
  return { header, logs: blockLogs, transactions };
}

/**
 * Adaptive eth_getLogs range: grows after fast, small answers and shrinks when the node refuses a range or a
 * range returns very many logs (which also bounds memory per range).
 */
export class RangeSizer {
  private size: number;

  constructor(
    readonly min = 1,
    private readonly max = 10_000,
    initial = 1_000,
    private readonly targetLogs = 5_000,
  ) {
    this.size = Math.max(min, Math.min(max, initial));
  }

  get current(): number {
    return this.size;
  }

  succeeded(logCount: number): void {
    if (logCount > this.targetLogs * 2) this.size = Math.max(this.min, Math.floor(this.size / 2));
    else if (logCount < this.targetLogs) this.size = Math.min(this.max, this.size * 2);
  }

  /**
   * The node refused a range of `asked` blocks. Halved from what was asked, which a range cut short (at the target
   * or at the final boundary) makes smaller than the size: halving the size would ask for the same blocks again.
   */
  refused(asked: number): void {
    this.size = Math.max(this.min, Math.floor(Math.min(this.size, asked) / 2));
  }
}
