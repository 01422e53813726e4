// Fetches what the mappings need for a block range: eth_getLogs for the subgraph's addresses and event topics,
// then (batched) the blocks those logs are in, with their transactions, and the headers the reorg checks need.
// Every log's block hash is checked against the block fetched for its number, so data from two forks is never
// mixed in one range.
import { InconsistentChainDataError, RangeTooLargeError } from "../errors";
import type { RpcCall, RpcTransport } from "./rpc";
import {
  parseHeader,
  parseLog,
  parseTransactions,
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

function hex(n: number): string {
  return "0x" + n.toString(16);
}

export class ChainFetcher {
  constructor(
    private readonly rpc: RpcTransport,
    private readonly filter: LogFilter,
  ) {}

  async chainId(): Promise<string> {
    return BigInt(await this.rpc.request<string>("eth_chainId", [])).toString();
  }

  async headNumber(): Promise<number> {
    return Number(await this.rpc.request<string>("eth_blockNumber", []));
  }

  async header(number: number): Promise<BlockHeader | null> {
    const block = await this.rpc.request<RpcBlock | null>("eth_getBlockByNumber", [hex(number), false]);
    return block === null ? null : parseHeader(block);
  }

  async headers(numbers: readonly number[]): Promise<Map<number, BlockHeader | null>> {
    const out = new Map<number, BlockHeader | null>();
    for (let i = 0; i < numbers.length; i += BATCH) {
      const chunk = numbers.slice(i, i + BATCH);
      const blocks = await this.rpc.batch<RpcBlock | null>(
        chunk.map((n): RpcCall => ({ method: "eth_getBlockByNumber", params: [hex(n), false] })),
      );
      chunk.forEach((n, j) => out.set(n, blocks[j] === null ? null : parseHeader(blocks[j]!)));
    }
    return out;
  }

  async logs(from: number, to: number): Promise<LogData[]> {
    const filter: Record<string, unknown> = {
      fromBlock: hex(from),
      toBlock: hex(to),
      topics: [this.filter.topic0s.length === 1 ? this.filter.topic0s[0] : [...this.filter.topic0s]],
    };
    if (this.filter.addresses !== null) {
      filter.address = this.filter.addresses.length === 1 ? this.filter.addresses[0] : [...this.filter.addresses];
    }
    const raw = await this.rpc.request<RpcLog[]>("eth_getLogs", [filter]);
    const logs: LogData[] = [];
    for (const l of raw) {
      if (l.removed === true) throw new InconsistentChainDataError(`eth_getLogs returned a removed log in block ${Number(l.blockNumber)}`);
      logs.push(parseLog(l));
    }
    // Chain order: block, then log index (the log index is unique within a block and follows transaction order).
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    return logs;
  }

  /**
   * Logs, blocks and transactions of [from, to]. With `allHeaders` every header of the range is fetched (near
   * the head, where each block's parent hash is checked). Throws RangeTooLargeError when the node refuses the
   * range, InconsistentChainDataError when a reorg happened while fetching.
   */
  async fetchRange(from: number, to: number, allHeaders: boolean): Promise<FetchedRange> {
    if (to < from) throw new RangeTooLargeError(`empty range ${from}-${to}`, "eth_getLogs");
    const logs = this.filter.topic0s.length === 0 ? [] : await this.logs(from, to);
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
    for (let i = 0; i < calls.length; i += BATCH) {
      const chunk = calls.slice(i, i + BATCH);
      const results = await this.rpc.batch<RpcBlock | null>(
        chunk.map((c): RpcCall => ({ method: "eth_getBlockByNumber", params: [hex(c.number), c.full] })),
      );
      chunk.forEach((c, j) => {
        const raw = results[j];
        if (raw === null || raw === undefined) {
          throw new InconsistentChainDataError(`block ${c.number} disappeared while fetching ${from}-${to}`);
        }
        const header = parseHeader(raw);
        headers.set(c.number, header);
        if (c.full) {
          const blockLogs = byBlock.get(c.number)!;
          for (const log of blockLogs) {
            if (log.blockHash !== header.hash) {
              throw new InconsistentChainDataError(
                `log ${log.logIndex} of block ${c.number} has block hash ${log.blockHash} but the block is ${header.hash}`,
              );
            }
          }
          const transactions = parseTransactions(raw);
          for (const log of blockLogs) {
            if (!transactions.has(log.transactionHash)) {
              throw new InconsistentChainDataError(`transaction ${log.transactionHash} of a log is not in block ${c.number}`);
            }
          }
          blocks.push({ header, logs: blockLogs, transactions });
        }
      });
    }
    blocks.sort((a, b) => a.header.number - b.header.number);
    return { from, to, blocks, headers, logCount: logs.length };
  }
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

  refused(): void {
    this.size = Math.max(this.min, Math.floor(this.size / 2));
  }
}
