// A lean decoder for event logs, built once per event fragment. ethers' decodeEventLog spent a quarter of the
// processing time on things mappings never see (checksummed addresses cost a keccak each, Result proxies);
// this one returns byte views into the log data that the runtime copies straight into WASM memory.
//
// Semantics follow the ABI spec and graph-node: indexed static parameters come from the topics; indexed dynamic
// ones (string, bytes, arrays, tuples) are only their 32-byte topic, surfaced as FIXED_BYTES. Malformed data
// (offsets or lengths beyond the data) throws AbiDecodeError; graph-node skips such logs.
import type { ParamType } from "ethers";

export class AbiDecodeError extends Error {}

export enum AbiKind {
  Address = 0,
  FixedBytes = 1,
  Bytes = 2,
  Int = 3,
  Uint = 4,
  Bool = 5,
  String = 6,
  FixedArray = 7,
  Array = 8,
  Tuple = 9,
}

/** Kinds are graph-ts's ethereum.ValueKind numbers. Integers stay as their 32-byte big-endian word. */
export type AbiValue =
  | { readonly kind: AbiKind.Address | AbiKind.FixedBytes | AbiKind.Bytes; readonly bytes: Uint8Array }
  | { readonly kind: AbiKind.Int | AbiKind.Uint; readonly word: Uint8Array }
  | { readonly kind: AbiKind.Bool; readonly value: boolean }
  | { readonly kind: AbiKind.String; readonly value: string }
  | { readonly kind: AbiKind.FixedArray | AbiKind.Array | AbiKind.Tuple; readonly items: readonly AbiValue[] };

interface TypeInfo {
  readonly param: ParamType;
  readonly dynamic: boolean;
  /** Head size in bytes (32 for dynamic types). */
  readonly headSize: number;
  readonly child?: TypeInfo;
  readonly components?: readonly TypeInfo[];
  readonly fixedBytes?: number;
}

function info(param: ParamType): TypeInfo {
  if (param.baseType === "array") {
    const child = info(param.arrayChildren!);
    if (param.arrayLength === -1) return { param, dynamic: true, headSize: 32, child };
    const dynamic = child.dynamic;
    return { param, dynamic, headSize: dynamic ? 32 : child.headSize * (param.arrayLength ?? 0), child };
  }
  if (param.baseType === "tuple") {
    const components = param.components!.map(info);
    const dynamic = components.some((c) => c.dynamic);
    return { param, dynamic, headSize: dynamic ? 32 : components.reduce((s, c) => s + c.headSize, 0), components };
  }
  if (param.baseType === "string" || param.baseType === "bytes") return { param, dynamic: true, headSize: 32 };
  const fixed = /^bytes(\d+)$/.exec(param.baseType);
  return { param, dynamic: false, headSize: 32, fixedBytes: fixed ? Number(fixed[1]) : undefined };
}

function check(data: Uint8Array, offset: number, length: number): void {
  if (offset < 0 || length < 0 || offset + length > data.length) {
    throw new AbiDecodeError(`ABI data too short: needs ${offset + length} bytes, has ${data.length}`);
  }
}

function readOffset(data: Uint8Array, at: number): number {
  check(data, at, 32);
  for (let i = at; i < at + 24; i++) if (data[i] !== 0) throw new AbiDecodeError("ABI offset or length out of range");
  let value = 0;
  for (let i = at + 24; i < at + 32; i++) value = value * 256 + data[i]!;
  if (value > data.length) throw new AbiDecodeError("ABI offset or length out of range");
  return value;
}

/** alloy reads a bool as "word != 0": a set byte anywhere in the word makes it true. */
function isZeroWord(data: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 32; i++) if (data[i] !== 0) return false;
  return true;
}

function decodeStatic(t: TypeInfo, data: Uint8Array, at: number): AbiValue {
  const base = t.param.baseType;
  check(data, at, 32);
  if (base === "address") return { kind: AbiKind.Address, bytes: data.subarray(at + 12, at + 32) };
  if (base === "bool") return { kind: AbiKind.Bool, value: data[at + 31] !== 0 || !isZeroWord(data, at) };
  if (t.fixedBytes !== undefined) return { kind: AbiKind.FixedBytes, bytes: data.subarray(at, at + t.fixedBytes) };
  if (base.startsWith("uint")) return { kind: AbiKind.Uint, word: data.subarray(at, at + 32) };
  if (base.startsWith("int")) return { kind: AbiKind.Int, word: data.subarray(at, at + 32) };
  throw new AbiDecodeError(`unsupported ABI type ${t.param.type}`);
}

/** Decodes the value whose head is at `head`; offsets of dynamic data are relative to `base`. */
function decodeAt(t: TypeInfo, data: Uint8Array, head: number, base: number): AbiValue {
  if (!t.dynamic) {
    if (t.components !== undefined) return { kind: AbiKind.Tuple, items: decodeSequence(t.components, data, head) };
    if (t.child !== undefined) {
      const items: AbiValue[] = [];
      for (let i = 0; i < t.param.arrayLength!; i++) items.push(decodeAt(t.child, data, head + i * t.child.headSize, base));
      return { kind: AbiKind.FixedArray, items };
    }
    return decodeStatic(t, data, head);
  }
  const start = base + readOffset(data, head);
  const baseType = t.param.baseType;
  if (baseType === "string" || baseType === "bytes") {
    const length = readOffset(data, start);
    check(data, start + 32, length);
    const bytes = data.subarray(start + 32, start + 32 + length);
    return baseType === "bytes"
      ? { kind: AbiKind.Bytes, bytes }
      : { kind: AbiKind.String, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8") };
  }
  if (t.components !== undefined) return { kind: AbiKind.Tuple, items: decodeSequence(t.components, data, start) };
  const child = t.child!;
  if (t.param.arrayLength === -1) {
    const length = readOffset(data, start);
    const elements = Array.from({ length }, () => child);
    return { kind: AbiKind.Array, items: decodeSequence(elements, data, start + 32) };
  }
  const elements = Array.from({ length: t.param.arrayLength! }, () => child);
  return { kind: AbiKind.FixedArray, items: decodeSequence(elements, data, start) };
}

/** A tuple encoding starting at `start`: heads in order, dynamic tails relative to `start`. */
function decodeSequence(types: readonly TypeInfo[], data: Uint8Array, start: number): AbiValue[] {
  const out: AbiValue[] = [];
  let head = start;
  for (const t of types) {
    out.push(decodeAt(t, data, head, start));
    head += t.headSize;
  }
  return out;
}

/** Decodes the parameters of one event signature. */
export class EventDecoder {
  private readonly inputs: ReadonlyArray<{ readonly info: TypeInfo; readonly indexed: boolean }>;
  private readonly dataTypes: readonly TypeInfo[];

  constructor(params: readonly ParamType[]) {
    this.inputs = params.map((p) => ({ info: info(p), indexed: p.indexed === true }));
    this.dataTypes = this.inputs.filter((i) => !i.indexed).map((i) => i.info);
  }

  /** Parameter values in declaration order. `topics` excludes nothing: topic 0 is the signature hash. */
  decode(topics: readonly Uint8Array[], data: Uint8Array): AbiValue[] {
    const fromData = decodeSequence(this.dataTypes, data, 0);
    const out: AbiValue[] = [];
    let topic = 1;
    let next = 0;
    for (const input of this.inputs) {
      if (!input.indexed) {
        out.push(fromData[next++]!);
        continue;
      }
      const word = topics[topic++];
      if (word === undefined || word.length !== 32) throw new AbiDecodeError("missing topic for an indexed parameter");
      out.push(input.info.dynamic || input.info.components !== undefined || input.info.child !== undefined
        ? { kind: AbiKind.FixedBytes, bytes: word }
        : decodeStatic(input.info, word, 0));
    }
    return out;
  }
}

/** Two's-complement minimal little-endian bytes of a 32-byte big-endian word (graph-ts BigInt layout). */
export function wordToSignedLE(word: Uint8Array, signed: boolean): Uint8Array {
  const negative = signed && (word[0]! & 0x80) !== 0;
  const pad = negative ? 0xff : 0x00;
  // Drop redundant leading (high) bytes, keeping one whose top bit carries the sign.
  let start = 0;
  while (start < 31 && word[start] === pad && ((word[start + 1]! & 0x80) !== 0) === negative) start++;
  const length = 32 - start;
  const extra = !negative && (word[start]! & 0x80) !== 0 ? 1 : 0; // an unsigned value with its top bit set
  const out = new Uint8Array(length + extra);
  for (let i = 0; i < length; i++) out[i] = word[31 - i]!;
  return out;
}
