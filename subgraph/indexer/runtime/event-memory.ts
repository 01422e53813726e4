// The `ethereum.Event` a handler receives, laid out in one allocation (see object-layout.ts): with its block,
// transaction and parameters it is some 75 objects, which one `__new` each made the most expensive part of a trigger
// after the store calls.
//
// graph-ts (chain/ethereum.ts): Event { address, logIndex, transactionLogIndex, logType, block, transaction,
// parameters, receipt }, Block (15 fields; size and baseFeePerGas nullable), Transaction (9 fields; `to` nullable),
// EventParam { name, value }, Value { kind: i32, data: u64 }.
import type { AbiValue } from "../chain/abi-decoder";
import { AbiKind, wordToSignedLE } from "../chain/abi-decoder";
import type { BlockHeader, LogData, TransactionData } from "../chain/types";
import type { EventHandlerSpec } from "../manifest";
import { bigIntToSignedLE, rpcHexToBytes } from "../values/bytes";
import { TypeId } from "./asc-heap";
import { arrayObjectSize, blockSize, bytesObjectSize, type ObjectLayout } from "./object-layout";

// The byte forms of a block's and a transaction's fields are the same for every event they carry: computed once
// (per header/transaction object) and only copied into each event's memory.
const blockFields = new WeakMap<BlockHeader, ReadonlyArray<Uint8Array | null>>();
const transactionFields = new WeakMap<TransactionData, ReadonlyArray<Uint8Array | null>>();

function blockBytes(b: BlockHeader): ReadonlyArray<Uint8Array | null> {
  let fields = blockFields.get(b);
  if (fields === undefined) {
    fields = [
      rpcHexToBytes(b.hash),
      rpcHexToBytes(b.parentHash),
      rpcHexToBytes(b.unclesHash),
      rpcHexToBytes(b.author),
      rpcHexToBytes(b.stateRoot),
      rpcHexToBytes(b.transactionsRoot),
      rpcHexToBytes(b.receiptsRoot),
      bigIntToSignedLE(BigInt(b.number)),
      bigIntToSignedLE(b.gasUsed),
      bigIntToSignedLE(b.gasLimit),
      bigIntToSignedLE(BigInt(b.timestamp)),
      bigIntToSignedLE(b.difficulty),
      bigIntToSignedLE(b.totalDifficulty),
      b.size === null ? null : bigIntToSignedLE(b.size),
      b.baseFeePerGas === null ? null : bigIntToSignedLE(b.baseFeePerGas),
    ];
    blockFields.set(b, fields);
  }
  return fields;
}

function transactionBytes(t: TransactionData): ReadonlyArray<Uint8Array | null> {
  let fields = transactionFields.get(t);
  if (fields === undefined) {
    fields = [
      rpcHexToBytes(t.hash),
      bigIntToSignedLE(BigInt(t.index)),
      rpcHexToBytes(t.from),
      t.to === null ? null : rpcHexToBytes(t.to),
      bigIntToSignedLE(t.value),
      bigIntToSignedLE(t.gasLimit),
      bigIntToSignedLE(t.gasPrice),
      rpcHexToBytes(t.input),
      bigIntToSignedLE(t.nonce),
    ];
    transactionFields.set(t, fields);
  }
  return fields;
}

const VALUE_BLOCK = blockSize(16);

/**
 * Bytes `value` takes as an `ethereum.Value`. Integers become graph-ts BigInts (minimal little-endian two's
 * complement), pushed onto `integers` in the order EventMemory.value writes them.
 */
function abiValueSize(value: AbiValue, integers: Uint8Array[]): number {
  switch (value.kind) {
    case AbiKind.Address:
    case AbiKind.FixedBytes:
    case AbiKind.Bytes:
      return VALUE_BLOCK + bytesObjectSize(value.bytes.length);
    case AbiKind.Int:
    case AbiKind.Uint: {
      const bytes = wordToSignedLE(value.word, value.kind === AbiKind.Int);
      integers.push(bytes);
      return VALUE_BLOCK + bytesObjectSize(bytes.length);
    }
    case AbiKind.Bool:
      return VALUE_BLOCK;
    case AbiKind.String:
      return VALUE_BLOCK + blockSize(value.value.length * 2);
    case AbiKind.FixedArray:
    case AbiKind.Array:
    case AbiKind.Tuple: {
      // Loops rather than closures here and in EventMemory: a closure over a parameter or `this` makes V8 allocate a
      // context on every call, arrays or not.
      let size = VALUE_BLOCK + arrayObjectSize(value.items.length);
      for (const item of value.items) size += abiValueSize(item, integers);
      return size;
    }
  }
}

function fieldsSize(fields: ReadonlyArray<Uint8Array | null>): number {
  let size = blockSize(fields.length * 4);
  for (const f of fields) if (f !== null) size += bytesObjectSize(f.length);
  return size;
}

export class EventMemory {
  private readonly ids: Record<"event" | "block" | "transaction" | "param" | "params" | "value" | "values", number>;
  /** Per handler, the shared parameter-name strings (AssemblyScript strings are immutable). */
  private readonly paramNames = new Map<EventHandlerSpec, Uint32Array>();
  /** Handlers whose parameter names were written since the last reset of the instance's memory (see afterReset). */
  private readonly freshNames: EventHandlerSpec[] = [];
  /** While an event is written: its integer parameters' bytes (see abiValueSize), and the next one to write. */
  private integers: Uint8Array[] = [];
  private nextInteger = 0;

  constructor(private readonly layout: ObjectLayout) {
    const heap = layout.heap;
    this.ids = {
      event: heap.classId(TypeId.EthereumEvent),
      block: heap.classId(TypeId.EthereumBlock),
      transaction: heap.classId(TypeId.EthereumTransaction),
      param: heap.classId(TypeId.EventParam),
      params: heap.classId(TypeId.ArrayEventParam),
      value: heap.classId(TypeId.EthereumValue),
      values: heap.classId(TypeId.ArrayEthereumValue),
    };
  }

  /** Writes the `ethereum.Event` of `log`; graph-node sets transactionLogIndex to the log index too. */
  write(handler: EventHandlerSpec, log: LogData, params: readonly AbiValue[], block: BlockHeader, transaction: TransactionData): number {
    const names = this.names(handler);
    const blockData = blockBytes(block);
    const transactionData = transactionBytes(transaction);
    const logIndex = bigIntToSignedLE(BigInt(log.logIndex));
    let size = blockSize(32) + bytesObjectSize((log.address.length - 2) >>> 1) + 2 * bytesObjectSize(logIndex.length);
    size += fieldsSize(blockData) + fieldsSize(transactionData);
    size += arrayObjectSize(params.length) + params.length * blockSize(8);
    const integers: Uint8Array[] = (this.integers = []);
    this.nextInteger = 0;
    for (const p of params) size += abiValueSize(p, integers);
    const layout = this.layout;
    layout.reserve(size);
    const pointers = new Array<number>(params.length);
    for (let i = 0; i < params.length; i++) {
      const param = layout.object(8, this.ids.param);
      const value = this.value(params[i]!);
      const w = layout.heap.words;
      w[param >>> 2] = names[i]!;
      w[(param >>> 2) + 1] = value;
      pointers[i] = param;
    }
    const fields = [
      layout.hexBytes(log.address),
      layout.bytes(logIndex),
      layout.bytes(logIndex),
      0, // logType: graph-node passes null
      this.fields(this.ids.block, blockData),
      this.fields(this.ids.transaction, transactionData),
      layout.array(this.ids.params, pointers),
      0, // receipt: only with `receipt: true`, which the manifest loader rejects
    ];
    const event = layout.object(32, this.ids.event);
    const base = event >>> 2;
    for (let i = 0; i < fields.length; i++) layout.heap.words[base + i] = fields[i]!;
    layout.finish();
    return event;
  }

  private names(handler: EventHandlerSpec): Uint32Array {
    let names = this.paramNames.get(handler);
    if (names === undefined) {
      // Written before the event's region is reserved: they outlive it, shared by every event of the handler.
      names = this.writeNames(handler);
      this.paramNames.set(handler, names);
      this.freshNames.push(handler);
    }
    return names;
  }

  private writeNames(handler: EventHandlerSpec): Uint32Array {
    return Uint32Array.from(handler.params, (p) => this.layout.heap.writeString(p.name));
  }

  /**
   * After the instance's memory was put back as `_start` left it (trigger-reset.ts): the parameter names written since
   * the last reset were zeroed; they are written again, to be kept this time. Returns whether it wrote any.
   */
  afterReset(): boolean {
    if (this.freshNames.length === 0) return false;
    for (const handler of this.freshNames) this.paramNames.set(handler, this.writeNames(handler));
    this.freshNames.length = 0;
    return true;
  }

  /** A class whose fields are Uint8Arrays (null: a null pointer). */
  private fields(classId: number, data: ReadonlyArray<Uint8Array | null>): number {
    const pointers = new Array<number>(data.length);
    for (let i = 0; i < data.length; i++) pointers[i] = data[i] === null ? 0 : this.layout.bytes(data[i]!);
    const object = this.layout.object(data.length * 4, classId);
    const base = object >>> 2;
    for (let i = 0; i < pointers.length; i++) this.layout.heap.words[base + i] = pointers[i]!;
    return object;
  }

  private value(value: AbiValue): number {
    const layout = this.layout;
    switch (value.kind) {
      case AbiKind.Address:
      case AbiKind.FixedBytes:
      case AbiKind.Bytes:
        return layout.value(this.ids.value, value.kind, layout.bytes(value.bytes));
      case AbiKind.Int:
      case AbiKind.Uint:
        return layout.value(this.ids.value, value.kind, layout.bytes(this.integers[this.nextInteger++]!));
      case AbiKind.Bool:
        return layout.value(this.ids.value, value.kind, value.value ? 1 : 0);
      case AbiKind.String:
        return layout.value(this.ids.value, value.kind, layout.string(value.value));
      case AbiKind.FixedArray:
      case AbiKind.Array:
      case AbiKind.Tuple: {
        const pointers = new Array<number>(value.items.length);
        for (let k = 0; k < pointers.length; k++) pointers[k] = this.value(value.items[k]!);
        return layout.value(this.ids.value, value.kind, layout.array(this.ids.values, pointers));
      }
    }
  }
}
