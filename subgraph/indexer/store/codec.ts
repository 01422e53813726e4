// Conversions between store values, SQLite column values and GraphQL output values, driven by the field model.
//
// Column encodings (chosen so that SQLite's own comparison gives graph-node's ordering):
//   String, enum, String id/reference  TEXT (BINARY collation = byte order of UTF-8, as Postgres' C collation)
//   Bytes, Bytes id/reference          BLOB
//   BigInt, BigDecimal                 BLOB in the order-preserving encodings of values/sortable.ts
//   Int, Int8, Timestamp (µs)          INTEGER
//   Boolean                            INTEGER 0/1
//   lists                              TEXT, a JSON array of the elements' JSON forms (see listElementJson)
import type { FieldModel, ValueType } from "../schema/model";
import { BigDecimal } from "../values/bigdecimal";
import { bytesToHex, hexToBytes } from "../values/bytes";
import { decodeBigDecimal, decodeBigInt, encodeBigDecimal, encodeBigInt } from "../values/sortable";
import { bigIntValue, NULL_VALUE, ValueKind, type StoreValue } from "../values/store-value";

export type SqlValue = string | number | bigint | Buffer | null;

/** The JSON form of one list element; json_each() yields the same text/integer the filters compare against. */
export function listElementJson(valueType: ValueType, value: StoreValue): string | number | boolean | null {
  switch (value.kind) {
    case ValueKind.Null:
      return null;
    case ValueKind.String:
      return value.value;
    case ValueKind.Bytes:
      return bytesToHex(value.value);
    case ValueKind.BigInt:
    case ValueKind.Int8:
    case ValueKind.Timestamp:
      return value.value.toString();
    case ValueKind.BigDecimal:
      return value.value.toString();
    case ValueKind.Int:
      return value.value;
    case ValueKind.Bool:
      return value.value;
    case ValueKind.Array:
      throw new TypeError(`nested list in a ${valueType} list`);
  }
}

function listElementFromJson(valueType: ValueType, json: unknown): StoreValue {
  if (json === null) return NULL_VALUE;
  switch (valueType) {
    case "String":
      return { kind: ValueKind.String, value: json as string };
    case "Bytes":
      return { kind: ValueKind.Bytes, value: hexToBytes(json as string) };
    case "BigInt":
      return bigIntValue(BigInt(json as string));
    case "BigDecimal":
      return { kind: ValueKind.BigDecimal, value: BigDecimal.parse(json as string) };
    case "Int":
      return { kind: ValueKind.Int, value: json as number };
    case "Int8":
      return { kind: ValueKind.Int8, value: BigInt(json as string) };
    case "Timestamp":
      return { kind: ValueKind.Timestamp, value: BigInt(json as string) };
    case "Boolean":
      return { kind: ValueKind.Bool, value: json as boolean };
  }
}

/** Encodes a validated value for its column. */
export function encodeColumn(field: FieldModel, value: StoreValue): SqlValue {
  if (value.kind === ValueKind.Null) return null;
  if (field.list) {
    if (value.kind !== ValueKind.Array) throw new TypeError(`${field.name}: expected a list`);
    return JSON.stringify(value.value.map((v) => listElementJson(field.valueType, v)));
  }
  return encodeScalar(value);
}

export function encodeScalar(value: StoreValue): SqlValue {
  switch (value.kind) {
    case ValueKind.String:
      return value.value;
    case ValueKind.Bytes:
      return Buffer.isBuffer(value.value) ? value.value : Buffer.from(value.value.buffer, value.value.byteOffset, value.value.byteLength);
    case ValueKind.BigInt:
      return encodeBigInt(value.value);
    case ValueKind.BigDecimal:
      return encodeBigDecimal(value.value);
    case ValueKind.Int:
      return value.value;
    case ValueKind.Int8:
    case ValueKind.Timestamp:
      return value.value;
    case ValueKind.Bool:
      return value.value ? 1 : 0;
    case ValueKind.Null:
      return null;
    case ValueKind.Array:
      throw new TypeError("a list is not a scalar");
  }
}

/** Decodes a column read with better-sqlite3's safeIntegers (integers arrive as bigint). */
export function decodeColumn(field: FieldModel, raw: unknown): StoreValue {
  if (raw === null || raw === undefined) return NULL_VALUE;
  if (field.list) {
    const items = JSON.parse(raw as string) as unknown[];
    return { kind: ValueKind.Array, value: items.map((item) => listElementFromJson(field.valueType, item)) };
  }
  return decodeScalar(field.valueType, raw);
}

export function decodeScalar(valueType: ValueType, raw: unknown): StoreValue {
  switch (valueType) {
    case "String":
      return { kind: ValueKind.String, value: raw as string };
    case "Bytes":
      return { kind: ValueKind.Bytes, value: new Uint8Array(raw as Buffer) };
    case "BigInt":
      return bigIntValue(decodeBigInt(raw as Buffer));
    case "BigDecimal":
      return { kind: ValueKind.BigDecimal, value: decodeBigDecimal(raw as Buffer) };
    case "Int":
      return { kind: ValueKind.Int, value: Number(raw) };
    case "Int8":
      return { kind: ValueKind.Int8, value: BigInt(raw as bigint) };
    case "Timestamp":
      return { kind: ValueKind.Timestamp, value: BigInt(raw as bigint) };
    case "Boolean":
      return { kind: ValueKind.Bool, value: Number(raw) !== 0 };
  }
}

/** The GraphQL output of a scalar column, serialised as graph-node does (big numbers and Int8 as strings). */
export function outputScalar(valueType: ValueType, raw: unknown): string | number | boolean | null {
  if (raw === null || raw === undefined) return null;
  switch (valueType) {
    case "String":
      return raw as string;
    case "Bytes":
      return bytesToHex(raw as Buffer);
    case "BigInt":
      return decodeBigInt(raw as Buffer).toString();
    case "BigDecimal":
      return decodeBigDecimal(raw as Buffer).toString();
    case "Int":
      return Number(raw);
    case "Int8":
    case "Timestamp":
      return String(raw);
    case "Boolean":
      return Number(raw) !== 0;
  }
}

/** The GraphQL output of a list column. */
export function outputList(valueType: ValueType, raw: unknown): Array<string | number | boolean | null> | null {
  if (raw === null || raw === undefined) return null;
  const items = JSON.parse(raw as string) as Array<string | number | boolean | null>;
  if (valueType === "BigDecimal") return items.map((i) => (i === null ? null : BigDecimal.parse(i as string).toString()));
  return items;
}
