// Chain data as the indexer uses it: what an `ethereum.Event` carries (block header, transaction, log), parsed
// once from JSON-RPC quantities into numbers and bigints.
import { MalformedAnswerError } from "../errors";
import { redactUrlsIn } from "../redact";

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

// A node's answer is checked as it is parsed, so that a malformed one fails as a MalformedAnswerError naming the field,
// not as V8's TypeError or BigInt SyntaxError (which quote the value whole), nor as a NaN block number or log index
// written to the database. These run for every log and block of a catch-up: a typeof and a length before one compiled
// regex, and the message (the subject's words, the quoted value) built only on failure.
const HEX = /^0x[0-9a-fA-F]*$/;
const QUANTITY = /^0x[0-9a-fA-F]+$/;
/** How much of a bad value a message quotes. */
const QUOTED_CHARS = 40;

/** Names what a field belongs to (`block 0x1f4`, `log 3`); called only when the message is written. */
type Subject = string | (() => string);

/**
 * `value`, from a node, as an error message may quote it: JSON, cut to QUOTED_CHARS, every URL in it cut (a node or a
 * proxy may have put one there, with its key); `missing` for a field left out.
 */
export function quoteValue(value: unknown): string {
  if (value === undefined) return "missing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value;
  }
  // Redacted before it is cut, so that no part of a key survives in a URL cut short; bounded first, so that an answer
  // of megabytes is not scanned whole.
  const redacted = redactUrlsIn(text.slice(0, 4 * QUOTED_CHARS));
  return redacted.length > QUOTED_CHARS || text.length > 4 * QUOTED_CHARS
    ? `${redacted.slice(0, QUOTED_CHARS)}… (${text.length} characters)`
    : redacted;
}

function malformed(method: string, subject: Subject, field: string, expected: string, value: unknown): MalformedAnswerError {
  return new MalformedAnswerError(method, typeof subject === "string" ? subject : subject(), field, expected, quoteValue(value));
}

/** A quantity that a Number holds exactly: a block number, a timestamp, an index. */
export function quantityNumber(value: unknown, method: string, subject: Subject, field: string): number {
  if (typeof value === "string" && QUANTITY.test(value)) {
    const n = Number(value);
    if (n <= Number.MAX_SAFE_INTEGER) return n;
    throw malformed(method, subject, field, "a hex quantity of at most 2^53 - 1", value);
  }
  throw malformed(method, subject, field, "a hex quantity", value);
}

/** A quantity of any size (gas, value, a chain id). */
export function quantityBig(value: unknown, method: string, subject: Subject, field: string): bigint {
  if (typeof value === "string" && QUANTITY.test(value)) return BigInt(value);
  throw malformed(method, subject, field, "a hex quantity", value);
}

/** 0x and `bytes` bytes in hex, lower-cased. */
function fixedHex(value: unknown, bytes: number, method: string, subject: Subject, field: string): string {
  if (typeof value === "string" && value.length === 2 + 2 * bytes && HEX.test(value)) return value.toLowerCase();
  throw malformed(method, subject, field, bytes === 32 ? "a 32-byte hash" : `a ${bytes}-byte address`, value);
}

/** 0x and whole bytes in hex, as the node wrote it. */
function data(value: unknown, method: string, subject: Subject, field: string): string {
  if (typeof value === "string" && (value.length & 1) === 0 && HEX.test(value)) return value;
  throw malformed(method, subject, field, "hex data of whole bytes", value);
}

/** Absent (null or left out) is zero. */
function big(q: unknown, method: string, subject: Subject, field: string): bigint {
  return q === undefined || q === null ? 0n : quantityBig(q, method, subject, field);
}

/** Some nodes send null, others leave the field out, for what a block does not have. */
function optionalBig(q: unknown, method: string, subject: Subject, field: string): bigint | null {
  return q === undefined || q === null ? null : quantityBig(q, method, subject, field);
}

/** A field a node may leave out, with the value it then has. */
function hashOr(value: unknown, fallback: string, bytes: number, method: string, subject: Subject, field: string): string {
  return value === undefined || value === null ? fallback : fixedHex(value, bytes, method, subject, field);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** How a block is named in a message: as it was asked for, else by its number where that reads. */
function blockSubject(b: RpcBlock, asked: string | undefined): () => string {
  return () => {
    if (asked !== undefined) return `block ${asked}`;
    const number: unknown = isObject(b) ? b.number : undefined;
    return typeof number === "string" && number.length <= 18 && QUANTITY.test(number) ? `block ${number}` : "a block";
  };
}

/**
 * A block's header. `method` and `asked` (the number or hash the block was asked for) name it in a
 * MalformedAnswerError, which any field that is not what JSON-RPC promises gives.
 */
export function parseHeader(b: RpcBlock, method = "eth_getBlockByNumber", asked?: string): BlockHeader {
  const at = blockSubject(b, asked);
  if (!isObject(b)) throw malformed(method, at, "", "a block object", b);
  return {
    number: quantityNumber(b.number, method, at, ".number"),
    hash: fixedHex(b.hash, 32, method, at, ".hash"),
    parentHash: fixedHex(b.parentHash, 32, method, at, ".parentHash"),
    timestamp: quantityNumber(b.timestamp, method, at, ".timestamp"),
    unclesHash: hashOr(b.sha3Uncles, ZERO_HASH, 32, method, at, ".sha3Uncles"),
    author: hashOr(b.miner, ZERO_ADDRESS, 20, method, at, ".miner"),
    stateRoot: hashOr(b.stateRoot, ZERO_HASH, 32, method, at, ".stateRoot"),
    transactionsRoot: hashOr(b.transactionsRoot, ZERO_HASH, 32, method, at, ".transactionsRoot"),
    receiptsRoot: hashOr(b.receiptsRoot, ZERO_HASH, 32, method, at, ".receiptsRoot"),
    gasUsed: big(b.gasUsed, method, at, ".gasUsed"),
    gasLimit: big(b.gasLimit, method, at, ".gasLimit"),
    difficulty: big(b.difficulty, method, at, ".difficulty"),
    totalDifficulty: big(b.totalDifficulty, method, at, ".totalDifficulty"),
    size: optionalBig(b.size, method, at, ".size"),
    baseFeePerGas: optionalBig(b.baseFeePerGas, method, at, ".baseFeePerGas"),
  };
}

/** The full transactions of a block asked with them (hashes alone are skipped); malformed: MalformedAnswerError. */
export function parseTransactions(b: RpcBlock, method = "eth_getBlockByNumber", asked?: string): Map<string, TransactionData> {
  const out = new Map<string, TransactionData>();
  const block = blockSubject(b, asked);
  const list: unknown = b.transactions ?? [];
  if (!Array.isArray(list)) throw malformed(method, block, ".transactions", "an array of transactions", list);
  for (let i = 0; i < list.length; i++) {
    const t: unknown = list[i];
    if (typeof t === "string") continue;
    const at = (): string => `${block()} transaction ${i}`;
    if (!isObject(t)) throw malformed(method, at, "", "a transaction object or hash", t);
    const hash = fixedHex(t.hash, 32, method, at, ".hash");
    out.set(hash, {
      hash,
      index: quantityNumber(t.transactionIndex, method, at, ".transactionIndex"),
      from: fixedHex(t.from, 20, method, at, ".from"),
      to: t.to === null || t.to === undefined ? null : fixedHex(t.to, 20, method, at, ".to"),
      value: big(t.value, method, at, ".value"),
      gasLimit: big(t.gas, method, at, ".gas"),
      gasPrice: big(t.gasPrice ?? t.maxFeePerGas, method, at, t.gasPrice === undefined || t.gasPrice === null ? ".maxFeePerGas" : ".gasPrice"),
      input: data(t.input, method, at, ".input"),
      nonce: big(t.nonce, method, at, ".nonce"),
    });
  }
  return out;
}

/** The most topics a log has (LOG4). */
const MAX_TOPICS = 4;

/**
 * One log of an eth_getLogs answer, `position` its place in the answer (what names it in a MalformedAnswerError, as
 * its own logIndex may be what is malformed).
 */
export function parseLog(l: RpcLog, position = 0, method = "eth_getLogs"): LogData {
  const at = (): string => `log ${position}`;
  if (!isObject(l)) throw malformed(method, at, "", "a log object", l);
  const raw: unknown = l.topics;
  if (!Array.isArray(raw) || raw.length > MAX_TOPICS) throw malformed(method, at, ".topics", `an array of at most ${MAX_TOPICS} 32-byte hashes`, raw);
  const topics: string[] = [];
  for (let i = 0; i < raw.length; i++) topics.push(fixedHex(raw[i], 32, method, at, `.topics[${i}]`));
  return {
    address: fixedHex(l.address, 20, method, at, ".address"),
    topics,
    data: data(l.data, method, at, ".data"),
    blockNumber: quantityNumber(l.blockNumber, method, at, ".blockNumber"),
    blockHash: fixedHex(l.blockHash, 32, method, at, ".blockHash"),
    transactionHash: fixedHex(l.transactionHash, 32, method, at, ".transactionHash"),
    transactionIndex: quantityNumber(l.transactionIndex, method, at, ".transactionIndex"),
    logIndex: quantityNumber(l.logIndex, method, at, ".logIndex"),
  };
}

export type { RpcBlock };
