// Chain data as the indexer uses it: what an `ethereum.Event` carries (block header, transaction, log), parsed
// once from JSON-RPC quantities into numbers and bigints.

export interface BlockHeader {
  readonly number: number;
  readonly hash: string;
  readonly parentHash: string;
  /** Seconds since the epoch. */
  readonly timestamp: number;
  readonly unclesHash: string;
  readonly author: string;
  readonly stateRoot: string;
  readonly transactionsRoot: string;
  readonly receiptsRoot: string;
  readonly gasUsed: bigint;
  readonly gasLimit: bigint;
  readonly difficulty: bigint;
  readonly totalDifficulty: bigint;
  readonly size: bigint | null;
  readonly baseFeePerGas: bigint | null;
}

export interface TransactionData {
  readonly hash: string;
  readonly index: number;
  readonly from: string;
  readonly to: string | null;
  readonly value: bigint;
  readonly gasLimit: bigint;
  readonly gasPrice: bigint;
  readonly input: string;
  readonly nonce: bigint;
}

export interface LogData {
  /** Lower-case. */
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly transactionHash: string;
  readonly transactionIndex: number;
  readonly logIndex: number;
}

/** A block that has logs for the subgraph, with the transactions those logs came from. */
export interface FetchedBlock {
  readonly header: BlockHeader;
  readonly logs: readonly LogData[];
  readonly transactions: ReadonlyMap<string, TransactionData>;
}

export interface FetchedRange {
  readonly from: number;
  readonly to: number;
  /** Blocks with logs, ascending. */
  readonly blocks: readonly FetchedBlock[];
  /** Every header fetched: the blocks with logs, the range end, and all blocks when near the head. */
  readonly headers: ReadonlyMap<number, BlockHeader>;
  readonly logCount: number;
}

interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  sha3Uncles?: string;
  miner?: string;
  stateRoot?: string;
  transactionsRoot?: string;
  receiptsRoot?: string;
  gasUsed?: string;
  gasLimit?: string;
  difficulty?: string;
  totalDifficulty?: string;
  size?: string;
  baseFeePerGas?: string;
  /** 256 bytes, hex: the block's log bloom filter (addresses and topics of all its logs). */
  logsBloom?: string;
  transactions?: Array<RpcTransaction | string>;
}

export interface RpcTransaction {
  hash: string;
  transactionIndex: string;
  from: string;
  to: string | null;
  value: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  input: string;
  nonce: string;
}

export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed?: boolean;
}

export const ZERO_HASH = "0x" + "00".repeat(32);
const ZERO_ADDRESS = "0x" + "00".repeat(20);

function big(q: string | null | undefined): bigint {
  return q === undefined || q === null ? 0n : BigInt(q);
}

/** Some nodes send null, others leave the field out, for what a block does not have. */
function optionalBig(q: string | null | undefined): bigint | null {
  return q === undefined || q === null ? null : BigInt(q);
}

export function parseHeader(b: RpcBlock): BlockHeader {
  return {
    number: Number(b.number),
    hash: b.hash.toLowerCase(),
    parentHash: b.parentHash.toLowerCase(),
    timestamp: Number(b.timestamp),
    unclesHash: (b.sha3Uncles ?? ZERO_HASH).toLowerCase(),
    author: (b.miner ?? ZERO_ADDRESS).toLowerCase(),
    stateRoot: (b.stateRoot ?? ZERO_HASH).toLowerCase(),
    transactionsRoot: (b.transactionsRoot ?? ZERO_HASH).toLowerCase(),
    receiptsRoot: (b.receiptsRoot ?? ZERO_HASH).toLowerCase(),
    gasUsed: big(b.gasUsed),
    gasLimit: big(b.gasLimit),
    difficulty: big(b.difficulty),
    totalDifficulty: big(b.totalDifficulty),
    size: optionalBig(b.size),
    baseFeePerGas: optionalBig(b.baseFeePerGas),
  };
}

export function parseTransactions(b: RpcBlock): Map<string, TransactionData> {
  const out = new Map<string, TransactionData>();
  for (const t of b.transactions ?? []) {
    if (typeof t === "string") continue;
    const hash = t.hash.toLowerCase();
    out.set(hash, {
      hash,
      index: Number(t.transactionIndex),
      from: t.from.toLowerCase(),
      to: t.to === null || t.to === undefined ? null : t.to.toLowerCase(),
      value: big(t.value),
      gasLimit: big(t.gas),
      gasPrice: big(t.gasPrice ?? t.maxFeePerGas),
      input: t.input,
      nonce: big(t.nonce),
    });
  }
  return out;
}

export function parseLog(l: RpcLog): LogData {
  return {
    address: l.address.toLowerCase(),
    topics: l.topics.map((t) => t.toLowerCase()),
    data: l.data,
    blockNumber: Number(l.blockNumber),
    blockHash: l.blockHash.toLowerCase(),
    transactionHash: l.transactionHash.toLowerCase(),
    transactionIndex: Number(l.transactionIndex),
    logIndex: Number(l.logIndex),
  };
}

export type { RpcBlock };
