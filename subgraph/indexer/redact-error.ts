// An error as util.inspect shows it (console.error, any logger that prints an error whole) is its stack, its own
// properties and its cause chain, at any depth: fetch's TypeError keeps the URL it could not parse (its cause's `input`),
// viem's errors their `url` and a `URL:` line in their message, Hardhat's HH110 the answer's body. A message with its
// URLs cut leaks nothing if its cause still holds them, so the causes the indexer keeps go through urlFree first.
import { inspect } from "node:util";
import { redactUrlsIn, type Redactor } from "./redact";

// Deeper than any cause chain or error property seen (viem's: 4 errors): what lies below is left out if it shows a URL.
const MAX_DEPTH = 16;

/**
 * `value` with every URL in what util.inspect would show of it cut by `redact` (default redactUrlsIn): an error keeps
 * its class (a copy with its prototype, so `instanceof`, `name`, `code`, `errno`, `status` and its methods stay), its
 * stack, its own properties and its cause chain, each string in them redacted; arrays and plain objects are copied
 * the same way. A URL instance becomes its href, cut; any other object that shows a URL (a Headers with one, an object
 * deeper than MAX_DEPTH) becomes a string naming its class. A value that shows no URL is returned as it is, and so is
 * any part of a copy that shows none.
 */
export function urlFree(value: unknown, redact: Redactor = redactUrlsIn): unknown {
  return new UrlFreeCopy(redact).of(value, 0);
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
    if (depth > MAX_DEPTH || !copyable(value)) return `[${value.constructor?.name ?? "Object"} left out: it shows a URL]`;
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
