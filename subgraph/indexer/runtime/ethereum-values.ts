// ABI values as graph-ts's `ethereum.Value`: built from event parameters decoded by ethers, read back for
// `ethereum.encode`, and built again from `ethereum.decode`'s result.
//
// graph-node represents every integer (whatever its width) as a BigInt, indexed dynamic parameters (string,
// bytes, arrays, tuples) as the 32-byte topic (FIXED_BYTES), and tuples as an Array<ethereum.Value>.
import { AbiCoder, Indexed, ParamType, type Result } from "ethers";
import { HostError } from "../errors";
import { hexToBytes } from "../values/bytes";
import { AbiKind, EventDecoder, wordToSignedLE, type AbiValue } from "../chain/abi-decoder";
import { TypeId, type AscHeap } from "./asc-heap";

const coder = AbiCoder.defaultAbiCoder();

/** Writes an ethers-decoded value of ABI type `param` as an `ethereum.Value`. */
export function writeEthereumValue(heap: AscHeap, param: ParamType, value: unknown): number {
  if (value instanceof Indexed) {
    // An indexed dynamic parameter: only its keccak hash is in the topic.
    return heap.writeValue(TypeId.EthereumValue, AbiKind.FixedBytes, heap.writeHex(value.hash ?? "0x"));
  }
  switch (param.baseType) {
    case "address":
      return heap.writeValue(TypeId.EthereumValue, AbiKind.Address, heap.writeHex(String(value)));
    case "bool":
      return heap.writeValue(TypeId.EthereumValue, AbiKind.Bool, value === true ? 1 : 0);
    case "string":
      return heap.writeValue(TypeId.EthereumValue, AbiKind.String, heap.writeString(String(value)));
    case "bytes":
      return heap.writeValue(TypeId.EthereumValue, AbiKind.Bytes, heap.writeHex(String(value)));
    case "array": {
      const child = param.arrayChildren!;
      const items = (value as Result | unknown[]).map((item: unknown) => writeEthereumValue(heap, child, item));
      const kind = param.arrayLength === -1 ? AbiKind.Array : AbiKind.FixedArray;
      return heap.writeValue(TypeId.EthereumValue, kind, heap.writeArray(TypeId.ArrayEthereumValue, items));
    }
    case "tuple": {
      const components = param.components!;
      const items = components.map((component, i) => writeEthereumValue(heap, component, (value as Result)[i]));
      return heap.writeValue(TypeId.EthereumValue, AbiKind.Tuple, heap.writeArray(TypeId.ArrayEthereumValue, items));
    }
    default:
      if (param.baseType.startsWith("bytes")) {
        return heap.writeValue(TypeId.EthereumValue, AbiKind.FixedBytes, heap.writeHex(String(value)));
      }
      if (param.baseType.startsWith("uint")) {
        return heap.writeValue(TypeId.EthereumValue, AbiKind.Uint, heap.writeBigInt(BigInt(value as bigint)));
      }
      if (param.baseType.startsWith("int")) {
        return heap.writeValue(TypeId.EthereumValue, AbiKind.Int, heap.writeBigInt(BigInt(value as bigint)));
      }
      throw new TypeError(`unsupported ABI type ${param.type}`);
  }
}

const INT256_MIN = -(2n ** 255n);
const UINT256_END = 2n ** 256n;

/** An ethereum.Value read from memory, with the ABI type it encodes as. */
interface TypedAbiValue {
  type: string;
  value: unknown;
}

/** Reads an `ethereum.Value` into an ABI type and an ethers-encodable value (for `ethereum.encode`). */
export function readEthereumValue(heap: AscHeap, ptr: number): TypedAbiValue {
  const kind = heap.readValueKind(ptr) as AbiKind;
  switch (kind) {
    case AbiKind.Address: {
      const bytes = heap.readBytes(heap.readValuePointer(ptr));
      if (bytes.length !== 20) throw new HostError(`expected array of length 20, found length ${bytes.length}`);
      return { type: "address", value: "0x" + Buffer.from(bytes).toString("hex") };
    }
    case AbiKind.FixedBytes: {
      const bytes = heap.readBytes(heap.readValuePointer(ptr));
      if (bytes.length > 32) throw new HostError(`input slice must contain a maximum of 32 bytes, got ${bytes.length}`);
      // graph-node keeps fixed bytes in a 32-byte word: empty ones encode as a zero word, which ethers has no type for.
      if (bytes.length === 0) return { type: "bytes32", value: Buffer.alloc(32) };
      return { type: `bytes${bytes.length}`, value: bytes };
    }
    case AbiKind.Bytes:
      return { type: "bytes", value: heap.readBytes(heap.readValuePointer(ptr)) };
    case AbiKind.Int: {
      // Every int encodes to 32 bytes; int256 accepts any value an intN holds.
      const value = heap.readBigInt(heap.readValuePointer(ptr));
      if (value < INT256_MIN || value >= -INT256_MIN) throw new HostError(`BigInt value \`${value}\` does not fit into int256`);
      return { type: "int256", value };
    }
    case AbiKind.Uint: {
      const value = heap.readBigInt(heap.readValuePointer(ptr));
      if (value < 0n) throw new HostError(`BigInt value is negative, cannot convert to unsigned U256: ${value}`);
      if (value >= UINT256_END) throw new HostError(`BigInt value \`${value}\` does not fit into uint256`);
      return { type: "uint256", value };
    }
    case AbiKind.Bool:
      return { type: "bool", value: heap.readValuePayload(ptr) !== 0n };
    case AbiKind.String:
      return { type: "string", value: heap.readString(heap.readValuePointer(ptr)) };
    case AbiKind.FixedArray:
    case AbiKind.Array: {
      const items = heap.readArray(heap.readValuePointer(ptr)).map((p) => readEthereumValue(heap, p));
      const elementType = items.length > 0 ? items[0]!.type : "uint256";
      const suffix = kind === AbiKind.Array ? "[]" : `[${items.length}]`;
      return { type: `${elementType}${suffix}`, value: items.map((i) => i.value) };
    }
    case AbiKind.Tuple: {
      const items = heap.readArray(heap.readValuePointer(ptr)).map((p) => readEthereumValue(heap, p));
      return { type: `(${items.map((i) => i.type).join(",")})`, value: items.map((i) => i.value) };
    }
    default:
      throw new TypeError(`unknown ethereum value kind ${String(kind)}`);
  }
}

/**
 * `ethereum.encode` of a value made of static types only (addresses, fixed bytes, integers, booleans, and tuples
 * and fixed arrays of those): their ABI encoding is the 32-byte words in order, which this writes directly, about
 * fifty times faster than ethers. Null when the value has anything else; `encodeEthereumValue` then decides.
 */
export function encodeStaticEthereumValue(heap: AscHeap, ptr: number): Uint8Array | null {
  const words: Buffer[] = [];
  return staticWords(heap, ptr, words) ? Buffer.concat(words) : null;
}

function staticWords(heap: AscHeap, ptr: number, out: Buffer[]): boolean {
  const kind = heap.readValueKind(ptr) as AbiKind;
  switch (kind) {
    case AbiKind.Address: {
      const bytes = heap.readBytes(heap.readValuePointer(ptr));
      if (bytes.length !== 20) return false;
      const word = Buffer.alloc(32);
      word.set(bytes, 12);
      out.push(word);
      return true;
    }
    case AbiKind.FixedBytes: {
      const bytes = heap.readBytes(heap.readValuePointer(ptr));
      if (bytes.length > 32) return false;
      const word = Buffer.alloc(32);
      word.set(bytes, 0);
      out.push(word);
      return true;
    }
    case AbiKind.Int:
    case AbiKind.Uint: {
      const value = heap.readBigInt(heap.readValuePointer(ptr));
      const inRange = kind === AbiKind.Uint ? value >= 0n && value < UINT256_END : value >= INT256_MIN && value < -INT256_MIN;
      if (!inRange) return false;
      out.push(Buffer.from((value < 0n ? value + UINT256_END : value).toString(16).padStart(64, "0"), "hex"));
      return true;
    }
    case AbiKind.Bool: {
      const word = Buffer.alloc(32);
      word[31] = heap.readValuePayload(ptr) !== 0n ? 1 : 0;
      out.push(word);
      return true;
    }
    case AbiKind.Tuple:
    case AbiKind.FixedArray: {
      const items = heap.readArray(heap.readValuePointer(ptr));
      if (items.length === 0) return false;
      if (kind === AbiKind.FixedArray) {
        // ethers types a fixed array by its first element: anything but uniform scalars is left to it.
        const first = heap.readValueKind(items[0]!);
        const scalar = first === AbiKind.Address || first === AbiKind.Bool || first === AbiKind.Int || first === AbiKind.Uint;
        if (!scalar || items.some((item) => heap.readValueKind(item) !== first)) return false;
      }
      return items.every((item) => staticWords(heap, item, out));
    }
    default:
      return false;
  }
}

/** `ethereum.encode`: the value encoded as a single ABI token (a dynamic tuple gets its 0x20 offset). */
export function encodeEthereumValue(value: TypedAbiValue): Uint8Array {
  return hexToBytes(coder.encode([value.type], [value.value]));
}

/**
 * `ethereum.decode(types, data)`: writes the decoded value, or returns 0 (null) when decoding fails. graph-node decodes
 * with alloy, which keeps an intN/uintN's whole 256-bit word, takes an address from the word's low 20 bytes and
 * decodes strings lossily; ethers masks the first and rejects the other two. The event decoder has alloy's semantics,
 * and the value is the single element of a sequence, as `DynSolType::abi_decode` expects.
 */
export function decodeToEthereumValue(heap: AscHeap, types: string, data: Uint8Array): number {
  let value: AbiValue;
  try {
    value = new EventDecoder([ParamType.from(types)]).decode([], data)[0]!;
  } catch {
    return 0;
  }
  return writeAbiValue(heap, value);
}

function writeAbiValue(heap: AscHeap, value: AbiValue): number {
  switch (value.kind) {
    case AbiKind.Address:
    case AbiKind.FixedBytes:
    case AbiKind.Bytes:
      return heap.writeValue(TypeId.EthereumValue, value.kind, heap.writeBytes(value.bytes));
    case AbiKind.Int:
    case AbiKind.Uint:
      return heap.writeValue(TypeId.EthereumValue, value.kind, heap.writeBytes(wordToSignedLE(value.word, value.kind === AbiKind.Int)));
    case AbiKind.Bool:
      return heap.writeValue(TypeId.EthereumValue, value.kind, value.value ? 1 : 0);
    case AbiKind.String:
      return heap.writeValue(TypeId.EthereumValue, value.kind, heap.writeString(value.value));
    case AbiKind.FixedArray:
    case AbiKind.Array:
    case AbiKind.Tuple: {
      const items = value.items.map((item) => writeAbiValue(heap, item));
      return heap.writeValue(TypeId.EthereumValue, value.kind, heap.writeArray(TypeId.ArrayEthereumValue, items));
    }
  }
}

