// graph-ts `json.fromBytes`: JSON to `JSONValue` objects in WASM memory. graph-node parses with serde_json's
// arbitrary_precision feature, so numbers keep their source text (JSONValue NUMBER holds a string); JSON.parse
// would round big integers, hence the small parser below. Objects come out with their keys sorted, like serde_json's
// default (BTreeMap) map. What serde_json rejects is rejected here too: bytes that are not UTF-8, \u escapes of lone
// surrogates, and nesting past its recursion limit.
import { isUtf8 } from "node:buffer";
import { HostError } from "../errors";
import { TypeId, type AscHeap } from "./asc-heap";

export type JsonNode =
  | { kind: 0 }
  | { kind: 1; value: boolean }
  | { kind: 2; value: string }
  | { kind: 3; value: string }
  | { kind: 4; value: JsonNode[] }
  | { kind: 5; value: Array<[string, JsonNode]> };

export class JsonSyntaxError extends HostError {}

/** serde_json's Map (without preserve_order, as graph-node builds it) is a BTreeMap: keys in byte order. */
function sortKeys(entries: Array<[string, JsonNode]>): Array<[string, JsonNode]> {
  return entries.sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** serde_json's recursion limit: 127 nested arrays or objects parse, the 128th is an error. */
const MAX_DEPTH = 128;
const LONE_SURROGATE = /\p{Cs}/u;
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** `serde_json::from_slice`: the bytes must be UTF-8 (anything else is in a string or a syntax error there). */
export function parseJsonBytes(bytes: Uint8Array): JsonNode {
  if (!isUtf8(bytes)) throw new JsonSyntaxError("invalid UTF-8");
  return parseJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
}

export function parseJson(text: string): JsonNode {
  let i = 0;
  let depth = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at position ${i}`);
  };
  const ws = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const value = (): JsonNode => {
    ws();
    const ch = text[i];
    if ((ch === "{" || ch === "[") && ++depth >= MAX_DEPTH) fail("recursion limit exceeded");
    if (ch === "{") {
      i++;
      const entries: Array<[string, JsonNode]> = [];
      ws();
      if (text[i] === "}") {
        i++;
        depth--;
        return { kind: 5, value: entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key");
        const key = string();
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        const v = value();
        const existing = entries.findIndex(([k]) => k === key);
        if (existing >= 0) entries[existing] = [key, v];
        else entries.push([key, v]);
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          depth--;
          return { kind: 5, value: sortKeys(entries) };
        }
        fail("expected ',' or '}'");
      }
    }
    if (ch === "[") {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        depth--;
        return { kind: 4, value: items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          depth--;
          return { kind: 4, value: items };
        }
        fail("expected ',' or ']'");
      }
    }
    if (ch === '"') return { kind: 3, value: string() };
    if (text.startsWith("true", i)) {
      i += 4;
      return { kind: 1, value: true };
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return { kind: 1, value: false };
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return { kind: 0 };
    }
    // Sticky: matches at `i` however long the number is (arbitrary_precision keeps any length), without a copy.
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (match === null) return fail("unexpected character");
    i += match[0].length;
    return { kind: 2, value: match[0] };
  };
  const string = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < text.length) {
      const c = text[i]!;
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') break;
      i++;
    }
    if (i >= text.length) fail("unterminated string");
    i++;
    let value: string;
    try {
      value = JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail("invalid string (a control character or an unknown escape)");
    }
    // Text decoded from UTF-8 holds no lone surrogate: only a \u escape can make one.
    if (LONE_SURROGATE.test(value)) fail("lone surrogate in hex escape");
    return value;
  };
  const result = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return result;
}

export function writeJson(heap: AscHeap, node: JsonNode): number {
  switch (node.kind) {
    case 0:
      return heap.writeValue(TypeId.JsonValue, 0, 0);
    case 1:
      return heap.writeValue(TypeId.JsonValue, 1, node.value ? 1 : 0);
    case 2:
    case 3:
      return heap.writeValue(TypeId.JsonValue, node.kind, heap.writeString(node.value));
    case 4: {
      const items = node.value.map((n) => writeJson(heap, n));
      return heap.writeValue(TypeId.JsonValue, 4, heap.writeArray(TypeId.ArrayJsonValue, items));
    }
    case 5: {
      const entries = node.value.map(([key, v]) => heap.object(TypeId.TypedMapEntryStringJsonValue, [heap.writeString(key), writeJson(heap, v)]));
      const map = heap.object(TypeId.TypedMapStringJsonValue, [heap.writeArray(TypeId.ArrayTypedMapEntryStringJsonValue, entries)]);
      return heap.writeValue(TypeId.JsonValue, 5, map);
    }
  }
}
