// An error as util.inspect shows it (console.error, any logger that prints an error whole) is its stack, its own
// properties and its cause chain, at any depth: fetch's TypeError keeps the URL it could not parse (its cause's `input`),
// viem's errors their `url` and a `URL:` line in their message, Hardhat's HH110 the answer's body. A message with its
// URLs cut leaks nothing if its cause still holds them, so the causes the indexer keeps go through urlFree first.
// A URL's parts may stand beside it, apart: a url.parse result spread into a plain object (its `auth`, `pathname`,
// `query` next to its `href`), a request's options, a Headers or URLSearchParams holding its query's key. Cutting the
// URL alone would leave them, so what may be a key in each URL the value shows is cut wherever it shows.
import { inspect } from "node:util";
import { redactUrlsIn, urlsIn, type Redactor } from "./redact";

// Deeper than any cause chain or error property seen (viem's: 4 errors): what lies below is left out if it shows a URL.
const MAX_DEPTH = 16;

/**
 * A piece of a URL shorter than this (its user or password alone, its path, a segment, its query, a query's value, its
 * fragment) is cut with the URL, not apart: keys are longer (Alchemy's and Infura's have 32 characters), and cut
 * wherever they show, shorter ones would take words out of the rest (a path's `/v2` or `/ethereum`, a segment
 * `indexer`, which the stacks' file names hold).
 */
const MIN_KEY_PART = 10;

/**
 * `value` with every URL in what util.inspect would show of it cut by `redact` (default redactUrlsIn), and every part of
 * those URLs that may be a key (its `user:password`; its user, password, path, path segments, query, query values and
 * fragment, at least MIN_KEY_PART long) cut to `…` wherever it shows: an error keeps
 * its class (a copy with its prototype, so `instanceof`, `name`, `code`, `errno`, `status` and its methods stay), its
 * stack, its own properties and its cause chain, each string in them redacted; arrays and plain objects are copied
 * the same way. A URL instance becomes its href, cut; any other object that shows a URL or such a part (a Headers with
 * one, an object deeper than MAX_DEPTH) becomes a string naming its class. A value that shows neither is returned as it
 * is, and so is any part of a copy that shows neither.
 */
export function urlFree(value: unknown, redact: Redactor = redactUrlsIn): unknown {
  const parts = keyPartsIn(value);
  const cut = parts.length === 0 ? redact : (text: string) => parts.reduce((result, part) => result.split(part).join("…"), redact(text));
  return new UrlFreeCopy(cut).of(value, 0);
}

/** The parts of the URLs `value` shows (as urlFree walks it) that may be a key, longest first: one may hold another. */
function keyPartsIn(value: unknown): string[] {
  const parts = new Set<string>();
  const seen = new Set<object>();
  const visit = (shown: unknown, depth: number): void => {
    if (typeof shown === "string") {
      for (const url of urlsIn(shown)) for (const part of keyParts(url)) parts.add(part);
      return;
    }
    if (typeof shown !== "object" || shown === null || seen.has(shown)) return;
    seen.add(shown);
    if (shown instanceof URL) return visit(shown.href, depth);
    if (depth > MAX_DEPTH || !copyable(shown)) return visit(inspect(shown), depth);
    const keys: PropertyKey[] = Reflect.ownKeys(shown);
    if (shown instanceof Error) keys.push(...ERROR_BASICS);
    for (const key of keys) visit(read(shown, key), depth + 1);
  };
  visit(value, 0);
  return [...parts].sort((a, b) => b.length - a.length);
}

/** What may be a key in `url`, as written and percent-decoded. */
function keyParts(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  // `user:password` shows nowhere but as a URL's credentials (url.parse's `auth`), whatever its length.
  const credentials = parsed.password === "" ? [] : [`${parsed.username}:${parsed.password}`];
  const path = parsed.pathname === "/" ? "" : parsed.pathname;
  const pieces = [parsed.username, parsed.password, path, ...path.split("/"), parsed.search.slice(1), ...parsed.searchParams.values(), parsed.hash.slice(1)];
  return [...credentials, ...pieces.filter((piece) => piece.length >= MIN_KEY_PART)].flatMap((piece) => [piece, decoded(piece)]);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** An Error's properties its prototype may keep as getters (DOMException's): a copy holds them as its own. */
const ERROR_BASICS = ["name", "message"] as const;

class UrlFreeCopy {
  /** Whether a value shows a URL, once found out (false meanwhile: a cycle adds nothing). */
  private readonly showsUrl = new Map<object, boolean>();
  private readonly copies = new Map<object, unknown>();

  constructor(private readonly redact: Redactor) {}

  of(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.redact(value);
    if (typeof value !== "object" || value === null || !this.holdsUrl(value, depth)) return value;
    const copied = this.copies.get(value);
    if (copied !== undefined) return copied;
    if (value instanceof URL) return this.redact(value.href);
    // inspect shows such an object's parts apart (a URL-like object's pathname, password...), where no URL is to be
    // found and cut: only its class is kept.
    if (depth > MAX_DEPTH || !copyable(value)) return `[${value.constructor?.name ?? "Object"} left out: it shows a URL or a part of one]`;
    const copy: object = Array.isArray(value) ? [] : Object.create(Object.getPrototypeOf(value) as object | null);
    this.copies.set(value, copy);
    for (const key of Reflect.ownKeys(value)) {
      // An array's copy keeps its own, which its elements set.
      if (Array.isArray(value) && key === "length") continue;
      const descriptor = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
      const own = "value" in descriptor ? descriptor.value : read(value, key);
      Object.defineProperty(copy, key, {
        value: this.of(own, depth + 1),
        enumerable: descriptor.enumerable,
        writable: descriptor.writable ?? true,
        configurable: true,
      });
    }
    if (value instanceof Error) {
      for (const key of ERROR_BASICS) {
        if (!Object.hasOwn(value, key)) Object.defineProperty(copy, key, { value: this.of(read(value, key), depth + 1), writable: true, configurable: true });
      }
    }
    return copy;
  }

  private holdsUrl(value: object, depth: number): boolean {
    const known = this.showsUrl.get(value);
    if (known !== undefined) return known;
    this.showsUrl.set(value, false);
    let shows: boolean;
    if (depth > MAX_DEPTH || !copyable(value)) {
      const text = inspect(value);
      shows = this.redact(text) !== text;
    } else {
      const keys: PropertyKey[] = Reflect.ownKeys(value);
      if (value instanceof Error) keys.push(...ERROR_BASICS);
      shows = keys.some((key) => this.valueHoldsUrl(read(value, key), depth + 1));
    }
    this.showsUrl.set(value, shows);
    return shows;
  }

  private valueHoldsUrl(value: unknown, depth: number): boolean {
    if (typeof value === "string") return this.redact(value) !== value;
    return typeof value === "object" && value !== null && this.holdsUrl(value, depth);
  }
}

/** Whether a copy of `value` made of its prototype and own properties shows what it does: no internal slots. */
function copyable(value: object): boolean {
  if (value instanceof Error || Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** `value[key]`, or what the getter threw (a getter of a foreign object may). */
function read(value: object, key: PropertyKey): unknown {
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch (error) {
    return error;
  }
}
