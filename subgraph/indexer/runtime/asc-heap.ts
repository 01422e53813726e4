// Reading and writing AssemblyScript 0.19 objects (stub runtime) in a mapping's linear memory.
//
// Layout facts (verified against graph-cli 0.98.1 / graph-ts 0.38.2 builds, see shared notes): every object is
// allocated with `__new(size, classId)` and preceded by a 20-byte header whose last u32 is the payload size;
// strings are UTF-16LE; ArrayBuffer is raw bytes; typed arrays (Uint8Array, Bytes, Address, BigInt) are
// `{buffer, dataStart, byteLength}`; Array<ref> is `{buffer, dataStart, byteLength, length}` holding u32
// pointers; class fields are 4 bytes each in declaration order (base class first), except u64 payloads.
// Memory can grow on any allocation, so views are refreshed after each `__new`.
import { HostError } from "../errors";
import { bigIntToSignedLE, signedLEToBigInt } from "../values/bytes";
import type { WasmMemory } from "./wasm";

/** graph-ts's TypeId enum (global/global.ts): the argument of the exported `id_of_type`. */
export enum TypeId {
  String = 0,
  ArrayBuffer = 1,
  Uint8Array = 6,
  BigDecimal = 12,
  ArrayBool = 13,
  ArrayUint8Array = 14,
  ArrayEthereumValue = 15,
  ArrayStoreValue = 16,
  ArrayJsonValue = 17,
  ArrayString = 18,
  ArrayEventParam = 19,
  ArrayTypedMapEntryStringJsonValue = 20,
  ArrayTypedMapEntryStringStoreValue = 21,
  SmartContractCall = 22,
  EventParam = 23,
  EthereumTransaction = 24,
  EthereumBlock = 25,
  WrappedBool = 28,
  WrappedJsonValue = 29,
  EthereumValue = 30,
  StoreValue = 31,
  JsonValue = 32,
  EthereumEvent = 33,
  TypedMapEntryStringStoreValue = 34,
  TypedMapEntryStringJsonValue = 35,
  TypedMapStringStoreValue = 36,
  TypedMapStringJsonValue = 37,
  ResultJsonValueBool = 40,
}

/** UTF-16 code units of `0123456789abcdef`. */
const HEX_DIGITS = Uint16Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/** writeBytesAsHex's code units before `__new`, `0x` in front. */
let hexUnits = Uint16Array.of(0x30, 0x78);

/** In a `u` regexp a surrogate pair is one code point: only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;
const NULS = /\u0000/g;
const NULL_VALUE =
  "Tried to read AssemblyScript value that is 'null'. Suggestion: look into the function that the error happened and add 'log' calls till you find where a 'null' value is being used as non-nullable. It's likely that you're calling a 'graph-ts' function (or operator) with a 'null' value when it doesn't support it.";

/** graph-node's error for a null where a host function needs an object (AscPtr::check_is_not_null). */
export function nullValueError(): HostError {
  return new HostError(NULL_VALUE);
}

export interface MappingExports {
  readonly memory: WasmMemory;
  __new(size: number, classId: number): number;
  id_of_type(typeId: number): number;
  _start?(): void;
  [name: string]: unknown;
}

export class AscHeap {
  private buffer!: ArrayBuffer;
  /** Views of the whole memory, replaced when it grows. `bytes` is a Buffer so that strings and hex convert in place. */
  bytes!: Buffer;
  words!: Uint32Array;
  halfs!: Uint16Array;
  private view!: DataView;
  private readonly classIds = new Map<number, number>();

  constructor(private readonly exports: MappingExports) {
    this.refresh();
  }

  /** Memory growth detaches the old ArrayBuffer (byteLength 0): only then fetch the new one. */
  refresh(): void {
    if (this.buffer === undefined || this.buffer.byteLength === 0) {
      const buffer = this.exports.memory.buffer;
      this.buffer = buffer;
      this.bytes = Buffer.from(buffer);
      this.words = new Uint32Array(buffer);
      this.halfs = new Uint16Array(buffer);
      this.view = new DataView(buffer);
    }
  }

  classId(typeId: TypeId): number {
    let id = this.classIds.get(typeId);
    if (id === undefined) {
      id = this.exports.id_of_type(typeId) >>> 0;
      this.classIds.set(typeId, id);
    }
    return id;
  }

  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  alloc(size: number, typeId: TypeId): number {
    return this.allocClass(size, this.classId(typeId));
  }

  /** `__new` with a class id (see classId). */
  allocClass(size: number, classId: number): number {
    const ptr = this.exports.__new(size, classId) >>> 0;
    this.refresh();
    return ptr;
  }

  // --- primitive field access -------------------------------------------------------------------------------

  u32(ptr: number, offset = 0): number {
    this.refresh();
    return this.view.getUint32(ptr + offset, true);
  }

  i32(ptr: number, offset = 0): number {
    this.refresh();
    return this.view.getInt32(ptr + offset, true);
  }

  i64(ptr: number, offset = 0): bigint {
    this.refresh();
    return this.view.getBigInt64(ptr + offset, true);
  }

  setU32(ptr: number, offset: number, value: number): void {
    this.view.setUint32(ptr + offset, value >>> 0, true);
  }

  setI64(ptr: number, offset: number, value: bigint): void {
    this.view.setBigInt64(ptr + offset, value, true);
  }

  /** Payload size in bytes from the object header. */
  size(ptr: number): number {
    return this.u32(ptr - 4);
  }

  /** A class instance with `fields` 4-byte slots, all set from `values` (pointers or numbers). */
  object(typeId: TypeId, values: readonly number[]): number {
    const ptr = this.alloc(values.length * 4, typeId);
    for (let i = 0; i < values.length; i++) this.view.setUint32(ptr + i * 4, values[i]! >>> 0, true);
    return ptr;
  }

  // --- strings ------------------------------------------------------------------------------------------------

  readString(ptr: number): string {
    if (ptr === 0) throw nullValueError();
    this.refresh();
    const text = this.bytes.toString("utf16le", ptr, ptr + this.words[(ptr - 4) >>> 2]!);
    // graph-node decodes every string it reads with Rust's strict `String::from_utf16`, then strips NULs (Postgres
    // rejects them): ids, field values and messages must come out of here as they would out of graph-node.
    if (LONE_SURROGATE.test(text)) throw new HostError("invalid utf-16: lone surrogate found");
    return text.indexOf("\u0000") === -1 ? text : text.replace(NULS, "");
  }

  writeString(value: string): number {
    const ptr = this.alloc(value.length * 2, TypeId.String);
    this.bytes.write(value, ptr, value.length * 2, "utf16le");
    return ptr;
  }

  // --- typed arrays (Uint8Array, Bytes, Address, BigInt) --------------------------------------------------

  readBytes(ptr: number): Uint8Array {
    if (ptr === 0) throw nullValueError();
    this.refresh();
    const dataStart = this.words[(ptr + 4) >>> 2]!;
    const length = this.words[(ptr + 8) >>> 2]!;
    // A copy (memory may grow and detach), as a Buffer so that the store can bind it without another copy.
    const out = Buffer.allocUnsafe(length);
    // Most are amounts, ids and hashes: for those a loop beats Buffer.copy, which allocates a view for every copy.
    if (length <= 64) {
      const memory = this.bytes;
      for (let i = 0; i < length; i++) out[i] = memory[dataStart + i]!;
    } else this.bytes.copy(out, 0, dataStart, dataStart + length);
    return out;
  }

  writeBytes(bytes: Uint8Array): number {
    const buffer = this.alloc(bytes.length, TypeId.ArrayBuffer);
    this.bytes.set(bytes, buffer);
    const view = this.alloc(12, TypeId.Uint8Array);
    this.view.setUint32(view, buffer, true);
    this.view.setUint32(view + 4, buffer, true);
    this.view.setUint32(view + 8, bytes.length, true);
    return view;
  }

  /**
   * The String `0x` + lower-case hex of the Bytes at `ptr` (typeConversion.bytesToHex, which mappings call for most
   * ids): UTF-16 code units straight from memory to memory, where a copy of the bytes, a JavaScript string and its
   * encoding cost 2-3 times as much. The units are laid out before `__new` runs, as a collection could free the input.
   */
  writeBytesAsHex(ptr: number): number {
    if (ptr === 0) throw nullValueError();
    this.refresh();
    const dataStart = this.words[(ptr + 4) >>> 2]!;
    const length = this.words[(ptr + 8) >>> 2]!;
    const units = 2 + 2 * length;
    if (hexUnits.length < units) {
      hexUnits = new Uint16Array(units * 2);
      hexUnits[0] = 0x30;
      hexUnits[1] = 0x78;
    }
    const memory = this.bytes;
    for (let i = 0; i < length; i++) {
      const byte = memory[dataStart + i]!;
      hexUnits[2 + 2 * i] = HEX_DIGITS[byte >>> 4]!;
      hexUnits[3 + 2 * i] = HEX_DIGITS[byte & 15]!;
    }
    const out = this.alloc(units * 2, TypeId.String);
    const halfs = this.halfs;
    const base = out >>> 1;
    for (let i = 0; i < units; i++) halfs[base + i] = hexUnits[i]!;
    return out;
  }

  /** `0x…` hex to a Bytes object without an intermediate copy. */
  writeHex(hex: string): number {
    const body = hex.startsWith("0x") ? hex.slice(2) : hex;
    const length = body.length >>> 1;
    const buffer = this.alloc(length, TypeId.ArrayBuffer);
    this.bytes.write(body, buffer, length, "hex");
    const view = this.alloc(12, TypeId.Uint8Array);
    this.view.setUint32(view, buffer, true);
    this.view.setUint32(view + 4, buffer, true);
    this.view.setUint32(view + 8, length, true);
    return view;
  }

  readBigInt(ptr: number): bigint {
    if (ptr === 0) throw nullValueError();
    this.refresh();
    const dataStart = this.words[(ptr + 4) >>> 2]!;
    return signedLEToBigInt(this.bytes, dataStart, this.words[(ptr + 8) >>> 2]!);
  }

  writeBigInt(value: bigint): number {
    return this.writeBytes(bigIntToSignedLE(value));
  }

  // --- arrays -------------------------------------------------------------------------------------------------

  /** Elements of an Array<ref> (u32 pointers). */
  readArray(ptr: number): number[] {
    if (ptr === 0) throw nullValueError();
    this.refresh();
    const dataStart = this.view.getUint32(ptr + 4, true);
    const length = this.view.getInt32(ptr + 12, true);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.view.getUint32(dataStart + i * 4, true);
    return out;
  }

  writeArray(typeId: TypeId, pointers: readonly number[]): number {
    const byteLength = pointers.length * 4;
    const buffer = this.alloc(byteLength, TypeId.ArrayBuffer);
    for (let i = 0; i < pointers.length; i++) this.view.setUint32(buffer + i * 4, pointers[i]! >>> 0, true);
    const array = this.alloc(16, typeId);
    this.view.setUint32(array, buffer, true);
    this.view.setUint32(array + 4, buffer, true);
    this.view.setUint32(array + 8, byteLength, true);
    this.view.setInt32(array + 12, pointers.length, true);
    return array;
  }

  /** A graph-ts value class `{ kind: i32, data: u64 }` (store Value, ethereum.Value, JSONValue). */
  writeValue(typeId: TypeId, kind: number, payload: bigint | number): number {
    const ptr = this.alloc(16, typeId);
    this.view.setInt32(ptr, kind, true);
    this.view.setUint32(ptr + 4, 0, true);
    this.view.setBigUint64(ptr + 8, BigInt.asUintN(64, BigInt(payload)), true);
    return ptr;
  }

  readValueKind(ptr: number): number {
    if (ptr === 0) throw nullValueError();
    return this.i32(ptr, 0);
  }

  readValuePayload(ptr: number): bigint {
    return this.i64(ptr, 8);
  }

  /** The pointer held in a value's u64 payload. */
  readValuePointer(ptr: number): number {
    return this.u32(ptr, 8);
  }
}
