// Store values as the host sees them: graph-ts's `Value` (common/value.ts) decoded from WASM memory. The kind
// numbers are graph-ts's ValueKind, so the runtime can switch on the number it reads from memory.
import { BigDecimal } from "./bigdecimal";
import { bytesToHex } from "./bytes";

export enum ValueKind {
  String = 0,
  Int = 1,
  BigDecimal = 2,
  Bool = 3,
  Array = 4,
  Null = 5,
  Bytes = 6,
  BigInt = 7,
  Int8 = 8,
  Timestamp = 9,
}

export type StoreValue =
  | { readonly kind: ValueKind.String; readonly value: string }
  | { readonly kind: ValueKind.Int; readonly value: number }
  | { readonly kind: ValueKind.BigDecimal; readonly value: BigDecimal }
  | { readonly kind: ValueKind.Bool; readonly value: boolean }
  | { readonly kind: ValueKind.Array; readonly value: readonly StoreValue[] }
  | { readonly kind: ValueKind.Null }
  | { readonly kind: ValueKind.Bytes; readonly value: Uint8Array }
  | { readonly kind: ValueKind.BigInt; readonly value: bigint; /** graph-ts's little-endian bytes, once a mapping needed them. */ le?: Uint8Array }
  | { readonly kind: ValueKind.Int8; readonly value: bigint }
  | { readonly kind: ValueKind.Timestamp; readonly value: bigint };

/**
 * A BigInt value. Every one has the `le` slot from the start (one object shape): `le` holds its graph-ts bytes when
 * known, e.g. read from a mapping, so that writing it to a mapping again needs no conversion.
 */
export function bigIntValue(value: bigint, le?: Uint8Array): StoreValue {
  return { kind: ValueKind.BigInt, value, le };
}

/** An entity's attributes, keyed by field name. Insertion order is irrelevant. */
export type EntityData = Map<string, StoreValue>;

export const NULL_VALUE: StoreValue = { kind: ValueKind.Null };

/** graph-node's `Value::type_name`, used in validation messages. */
export function kindName(value: StoreValue): string {
  switch (value.kind) {
    case ValueKind.String:
      return "String";
    case ValueKind.Int:
      return "Int";
    case ValueKind.BigDecimal:
      return "BigDecimal";
    case ValueKind.Bool:
      return "Boolean";
    case ValueKind.Array:
      return value.value.length > 0 ? `[${kindName(value.value[0]!)}]` : "[]";
    case ValueKind.Null:
      return "Null";
    case ValueKind.Bytes:
      return "Bytes";
    case ValueKind.BigInt:
      return "BigInt";
    case ValueKind.Int8:
      return "Int8";
    case ValueKind.Timestamp:
      return "Timestamp";
  }
}

export function displayValue(value: StoreValue): string {
  switch (value.kind) {
    case ValueKind.Null:
      return "null";
    case ValueKind.Bytes:
      return bytesToHex(value.value);
    case ValueKind.BigDecimal:
      return value.value.toString();
    case ValueKind.Array:
      return `[${value.value.map(displayValue).join(", ")}]`;
    default:
      return String(value.value);
  }
}

/** The id of an entity as the string the host functions receive (`0x…` hex for Bytes ids). */
export function idString(value: StoreValue): string {
  if (value.kind === ValueKind.String) return value.value;
  if (value.kind === ValueKind.Bytes) return bytesToHex(value.value);
  return displayValue(value);
}
