// The host functions a compiled mapping imports, with graph-node's semantics and error messages
// (runtime/wasm/src/host_exports.rs). They are synchronous, like the store underneath.
//
// Calls that need the network while a handler runs (ethereum.call/getBalance/hasCode, ipfs.*) and data source
// templates are not available: they raise UnsupportedHostCallError, which fails the handler with a message
// naming the call and the handler. Imports this file does not know get the same treatment, at call time, so a
// mapping that merely links them still runs.
import { keccak256 } from "ethers";
import { HostError, MappingAbortError, UnsupportedHostCallError } from "../errors";
import type { DataSourceSpec } from "../manifest";
import type { EntityCache } from "../store/entity-cache";
import { BigDecimal, BigDecimalParseError } from "../values/bigdecimal";
import { toBase58 } from "../values/bytes";
import type { BlockHeader } from "../chain/types";
import { TypeId, type AscHeap } from "./asc-heap";
import { decodeToEthereumValue, encodeEthereumValue, encodeStaticEthereumValue, readEthereumValue } from "./ethereum-values";
import { parseJsonBytes, writeJson } from "./json-values";
import { readBigDecimal, writeBigDecimal, writeTypedMap } from "./store-values";
import type { EntityMemory } from "./entity-memory";
import { Wasm, type WasmImports, type WasmModule } from "./wasm";

export type LogLevel = "critical" | "error" | "warning" | "info" | "debug";
const LOG_LEVELS: readonly LogLevel[] = ["critical", "error", "warning", "info", "debug"];

export interface MappingLogRecord {
  level: LogLevel;
  message: string;
  dataSource: string;
  handler: string | null;
  block: number | null;
}

/** What the host functions act on while one handler runs. */
export interface HandlerContext {
  readonly handler: string;
  readonly block: BlockHeader;
  readonly cache: EntityCache;
}

/** Mutable per-instance state: heap and entities are set once instantiated, the context around each handler call. */
export class HostState {
  heap: AscHeap | null = null;
  entities: EntityMemory | null = null;
  context: HandlerContext | null = null;

  constructor(
    readonly dataSource: DataSourceSpec,
    readonly log: (record: MappingLogRecord) => void,
  ) {}

  requireHeap(): AscHeap {
    if (this.heap === null) throw new HostError("host call before the module was instantiated");
    return this.heap;
  }

  requireEntities(): EntityMemory {
    if (this.entities === null) throw new HostError("host call before the module was instantiated");
    return this.entities;
  }

  requireContext(call: string): HandlerContext {
    if (this.context === null) throw new HostError(`host call ${call} made outside a handler (while the module starts)`);
    return this.context;
  }
}

/** graph-node's BigInt::MAX_BITS: 131072 decimal digits. */
const MAX_BIGINT_BITS = 435_412;

function checkBigInt(value: bigint): bigint {
  const bits = (value < 0n ? -value : value).toString(2).length + 1;
  if (bits > MAX_BIGINT_BITS) throw new HostError(`BigInt is too big, total bits ${bits} (max ${MAX_BIGINT_BITS})`);
  return value;
}

function parseBigInt(text: string, message: string): bigint {
  if (!/^[+-]?[0-9][0-9_]*$/.test(text)) throw new HostError(message);
  return BigInt(text.replace(/_/g, ""));
}

type HostFunction = (...args: never[]) => unknown;

function unsupported(call: string, reason: string): HostFunction {
  return () => {
    throw new UnsupportedHostCallError(call, reason);
  };
}

const NEEDS_NETWORK =
  "it needs the network while the handler runs; let the event carry the data (graph-node's own advice), or index this subgraph with graph-node";

/** The import object for one instance of `module`. */
export function buildImports(module: WasmModule, state: HostState): WasmImports {
  const heap = (): AscHeap => state.requireHeap();
  const str = (ptr: number): string => heap().readString(ptr);
  const bigint = (ptr: number): bigint => heap().readBigInt(ptr);
  const newBigInt = (value: bigint): number => heap().writeBigInt(checkBigInt(value));
  const decimal = (ptr: number): BigDecimal => readBigDecimal(heap(), ptr);
  const newDecimal = (value: BigDecimal): number => writeBigDecimal(heap(), value);

  const functions: Record<string, HostFunction> = {
    abort: (message: number, file: number, line: number, column: number) => {
      const m = message === 0 ? "no message" : `message: ${str(message)}`;
      let location = "an unknown location";
      if (file !== 0) {
        location = str(file);
        if (line !== 0) location += `, line ${line}`;
        if (column !== 0) location += `, column ${column}`;
      }
      throw new MappingAbortError(`Mapping aborted at ${location}, with ${m}`);
    },

    // --- store -----------------------------------------------------------------------------------------------
    "store.get": (entity: number, id: number) => {
      const view = state.requireContext("store.get").cache.get(str(entity), str(id));
      return view === null ? 0 : state.requireEntities().write(view.type, view.fields);
    },
    "store.get_in_block": (entity: number, id: number) => {
      const view = state.requireContext("store.get_in_block").cache.getInBlock(str(entity), str(id));
      return view === null ? 0 : state.requireEntities().write(view.type, view.fields);
    },
    "store.set": (entity: number, id: number, data: number) => {
      const cache = state.requireContext("store.set").cache;
      const name = str(entity);
      cache.set(name, str(id), state.requireEntities().read(data, cache.entityType(name, "set")));
    },
    "store.remove": (entity: number, id: number) => {
      state.requireContext("store.remove").cache.remove(str(entity), str(id));
    },
    "store.loadRelated": (entity: number, id: number, field: number) => {
      const related = state.requireContext("store.loadRelated").cache.loadRelated(str(entity), str(id), str(field));
      const entities = state.requireEntities();
      const pointers = related.map((view) => entities.write(view.type, view.fields));
      return heap().writeArray(TypeId.ArrayTypedMapEntryStringStoreValue, pointers);
    },

    // --- logging and crypto ----------------------------------------------------------------------------------
    "log.log": (level: number, message: number) => {
      const text = str(message);
      const name = LOG_LEVELS[level] ?? "debug"; // graph-node maps any other number to Debug
      state.log({
        level: name,
        message: text,
        dataSource: state.dataSource.name,
        handler: state.context?.handler ?? null,
        block: state.context?.block.number ?? null,
      });
      if (name === "critical") throw new HostError(`Critical error logged in mapping with log message: ${text}`);
    },
    "crypto.keccak256": (input: number) => heap().writeHex(keccak256(heap().readBytes(input))),

    // --- conversions -----------------------------------------------------------------------------------------
    "typeConversion.bytesToString": (bytes: number) =>
      heap().writeString(Buffer.from(heap().readBytes(bytes)).toString("utf8").replace(/\u0000+$/, "")),
    "typeConversion.bytesToHex": (bytes: number) => heap().writeBytesAsHex(bytes),
    "typeConversion.bigIntToString": (n: number) => heap().writeString(bigint(n).toString()),
    "typeConversion.bigIntToHex": (n: number) => {
      // graph-node prints the magnitude only (to_bytes_be().1), so a negative number loses its sign.
      const value = bigint(n);
      const magnitude = value < 0n ? -value : value;
      return heap().writeString("0x" + magnitude.toString(16));
    },
    "typeConversion.stringToH160": (s: number) => {
      const text = str(s);
      const body = text.startsWith("0x") ? text.slice(2) : text;
      if (!/^[0-9a-fA-F]{40}$/.test(body)) throw new HostError(`Failed to convert string to Address: '${text}'`);
      return heap().writeHex(body.toLowerCase());
    },
    "typeConversion.bytesToBase58": (bytes: number) => heap().writeString(toBase58(heap().readBytes(bytes))),

    // --- BigInt ----------------------------------------------------------------------------------------------
    "bigInt.plus": (x: number, y: number) => newBigInt(bigint(x) + bigint(y)),
    "bigInt.minus": (x: number, y: number) => newBigInt(bigint(x) - bigint(y)),
    "bigInt.times": (x: number, y: number) => newBigInt(bigint(x) * bigint(y)),
    "bigInt.dividedBy": (x: number, y: number) => {
      const a = bigint(x);
      const b = bigint(y);
      if (b === 0n) throw new HostError(`attempted to divide BigInt \`${a}\` by zero`);
      return newBigInt(a / b); // truncates toward zero, as num-bigint
    },
    "bigInt.dividedByDecimal": (x: number, y: number) => {
      const a = BigDecimal.fromBigInt(bigint(x));
      const b = decimal(y);
      if (b.isZero()) throw new HostError(`attempted to divide BigDecimal \`${a.toString()}\` by zero`);
      return newDecimal(a.dividedBy(b));
    },
    "bigInt.mod": (x: number, y: number) => {
      const a = bigint(x);
      const b = bigint(y);
      if (b === 0n) throw new HostError(`attempted to calculate the remainder of \`${a}\` with a divisor of zero`);
      return newBigInt(a % b); // sign of the dividend, as num-bigint
    },
    "bigInt.pow": (x: number, exp: number) => {
      const base = bigint(x);
      const e = BigInt(exp & 0xff);
      // Bound the work before computing: |x|^e has about bits(x) * e bits.
      const estimate = (base < 0n ? -base : base).toString(2).length * Number(e);
      if (estimate > MAX_BIGINT_BITS + 64) throw new HostError(`BigInt is too big, total bits ${estimate} (max ${MAX_BIGINT_BITS})`);
      return newBigInt(base ** e);
    },
    "bigInt.fromString": (s: number) => {
      const text = str(s);
      return newBigInt(parseBigInt(text, `string is not a BigInt: \`${text}\``));
    },
    "bigInt.bitOr": (x: number, y: number) => newBigInt(bigint(x) | bigint(y)),
    "bigInt.bitAnd": (x: number, y: number) => newBigInt(bigint(x) & bigint(y)),
    "bigInt.leftShift": (x: number, bits: number) => newBigInt(bigint(x) << BigInt(bits & 0xff)),
    "bigInt.rightShift": (x: number, bits: number) => newBigInt(bigint(x) >> BigInt(bits & 0xff)),

    // --- BigDecimal ------------------------------------------------------------------------------------------
    "bigDecimal.plus": (x: number, y: number) => newDecimal(decimal(x).plus(decimal(y))),
    "bigDecimal.minus": (x: number, y: number) => newDecimal(decimal(x).minus(decimal(y))),
    "bigDecimal.times": (x: number, y: number) => newDecimal(decimal(x).times(decimal(y))),
    "bigDecimal.dividedBy": (x: number, y: number) => {
      const a = decimal(x);
      const b = decimal(y);
      if (b.isZero()) throw new HostError(`attempted to divide BigDecimal \`${a.toString()}\` by zero`);
      return newDecimal(a.dividedBy(b));
    },
    "bigDecimal.equals": (x: number, y: number) => (decimal(x).equals(decimal(y)) ? 1 : 0),
    "bigDecimal.toString": (x: number) => heap().writeString(decimal(x).toString()),
    "bigDecimal.fromString": (s: number) => {
      const text = str(s);
      try {
        return newDecimal(BigDecimal.parse(text));
      } catch (error) {
        if (error instanceof BigDecimalParseError) throw new HostError(`string  is not a BigDecimal: '${text}'`);
        throw error;
      }
    },

    // --- data source -----------------------------------------------------------------------------------------
    "dataSource.address": () => heap().writeHex(state.dataSource.address ?? "0x"),
    "dataSource.network": () => heap().writeString(state.dataSource.network),
    "dataSource.context": () => writeTypedMap(heap(), state.dataSource.context),
    "dataSource.create": unsupported("dataSource.create", "data source templates are not supported by the embedded indexer"),
    "dataSource.createWithContext": unsupported(
      "dataSource.createWithContext",
      "data source templates are not supported by the embedded indexer",
    ),

    // --- ethereum --------------------------------------------------------------------------------------------
    "ethereum.encode": (value: number) => {
      try {
        return heap().writeBytes(encodeStaticEthereumValue(heap(), value) ?? encodeEthereumValue(readEthereumValue(heap(), value)));
      } catch (error) {
        // What graph-node cannot convert is a HostError (the handler fails there too). Its encoder itself never fails,
        // while ethers rejects e.g. arrays of mixed kinds: null is the closest graph-ts lets us answer.
        if (error instanceof HostError) throw error;
        return 0;
      }
    },
    "ethereum.decode": (types: number, data: number) => decodeToEthereumValue(heap(), str(types), heap().readBytes(data)),
    "ethereum.call": unsupported("ethereum.call", NEEDS_NETWORK),
    "ethereum.getBalance": unsupported("ethereum.getBalance", NEEDS_NETWORK),
    "ethereum.hasCode": unsupported("ethereum.hasCode", NEEDS_NETWORK),

    // --- JSON ------------------------------------------------------------------------------------------------
    "json.fromBytes": (bytes: number) => writeJson(heap(), parseJsonBytes(heap().readBytes(bytes))),
    "json.try_fromBytes": (bytes: number) => {
      const h = heap();
      const data = h.readBytes(bytes);
      try {
        const value = writeJson(h, parseJsonBytes(data));
        return h.object(TypeId.ResultJsonValueBool, [h.object(TypeId.WrappedJsonValue, [value]), 0]);
      } catch (error) {
        if (!(error instanceof HostError)) throw error;
        const flag = h.object(TypeId.WrappedBool, [1]);
        return h.object(TypeId.ResultJsonValueBool, [0, flag]);
      }
    },
    "json.toI64": (s: number) => {
      const text = str(s);
      if (!/^[+-]?\d+$/.test(text)) throw new HostError(`JSON \`${text}\` cannot be parsed as i64`);
      const value = BigInt(text);
      if (BigInt.asIntN(64, value) !== value) throw new HostError(`JSON \`${text}\` cannot be parsed as i64`);
      return value;
    },
    "json.toU64": (s: number) => {
      const text = str(s);
      if (!/^\+?\d+$/.test(text)) throw new HostError(`JSON \`${text}\` cannot be parsed as u64`);
      const value = BigInt(text);
      if (BigInt.asUintN(64, value) !== value) throw new HostError(`JSON \`${text}\` cannot be parsed as u64`);
      return BigInt.asIntN(64, value);
    },
    "json.toF64": (s: number) => {
      const text = str(s);
      const value = Number(text);
      if (text.trim() === "" || Number.isNaN(value)) throw new HostError(`JSON \`${text}\` cannot be parsed as f64`);
      return value;
    },
    "json.toBigInt": (s: number) => {
      const text = str(s);
      return newBigInt(parseBigInt(text, `JSON \`${text}\` is not a decimal string`));
    },

    // --- IPFS and friends: not deterministic without the network -------------------------------------------
    "ipfs.cat": unsupported("ipfs.cat", NEEDS_NETWORK),
    "ipfs.map": unsupported("ipfs.map", NEEDS_NETWORK),
    "ipfs.getBlock": unsupported("ipfs.getBlock", NEEDS_NETWORK),
    "ens.nameByHash": unsupported("ens.nameByHash", "ENS name lookups need graph-node's ENS tables"),
  };

  const imports: WasmImports = {};
  for (const entry of Wasm.Module.imports(module)) {
    const group = (imports[entry.module] ??= {});
    if (entry.kind !== "function") {
      throw new HostError(`the mapping imports ${entry.module}.${entry.name} (${entry.kind}), which no host provides`);
    }
    // graph-node links host functions by name; the module part is graph-ts's file name.
    const fn = functions[entry.name] ?? unsupported(entry.name, "graph-node host function not implemented by the embedded indexer");
    group[entry.name] = fn;
  }
  return imports;
}

