// Keyset cursors: the sort key(s) and the id of the last row of a page, tagged with the list and ordering they
// belong to, as opaque base64url. A cursor from another list or ordering is refused instead of silently
// paging something else.
import { badUserInput } from "../errors";

export interface CursorPosition {
  /** The sort key values of the row, as strings (big numbers stay exact). */
  keys: string[];
  /** The row's id (the final tie-breaker). */
  id: string;
}

/** What a key or id holds, checked on decoding so that a forged cursor cannot reach the source as garbage. */
export type CursorValueKind = "integer" | "hex" | "text";

const VALUE_PATTERNS: Record<CursorValueKind, RegExp> = {
  integer: /^-?\d{1,80}$/,
  hex: /^0x[0-9a-f]{0,200}$/,
  text: /^[\s\S]{0,200}$/,
};

export function encodeCursor(tag: string, position: CursorPosition): string {
  return Buffer.from(JSON.stringify([tag, position.keys, position.id]), "utf8").toString("base64url");
}

/** Decodes `after`, or returns null when there is none. `tag` identifies the list and ordering. */
export function decodeCursor(
  after: string | null | undefined,
  tag: string,
  keyKinds: readonly CursorValueKind[],
  idKind: CursorValueKind,
  argument = "after",
): CursorPosition | null {
  if (after === null || after === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
  } catch {
    throw badUserInput(argument, "not a cursor returned by this list");
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== "string" ||
    !Array.isArray(parsed[1]) ||
    parsed[1].length !== keyKinds.length ||
    !parsed[1].every((k: unknown, i: number) => typeof k === "string" && VALUE_PATTERNS[keyKinds[i] as CursorValueKind].test(k)) ||
    typeof parsed[2] !== "string" ||
    !VALUE_PATTERNS[idKind].test(parsed[2])
  ) {
    throw badUserInput(argument, "not a cursor returned by this list");
  }
  if (parsed[0] !== tag) {
    throw badUserInput(argument, `the cursor belongs to another list or ordering (${parsed[0]}), not to ${tag}`);
  }
  return { keys: parsed[1] as string[], id: parsed[2] };
}
