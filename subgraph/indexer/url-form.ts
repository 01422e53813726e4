// How a URL must be written wherever a program takes one (the worker config's URL fields, npm start's --rpc-url, the
// gateway's --rpc-url and --subgraph-url and their variables, the indexer's --rpc): with one of the schemes the option
// takes, and exactly as URL will use it. URL trims leading and trailing spaces and control characters, drops tabs and
// line breaks anywhere, and reads `https:/host`, `https:host`, `https:///host` and `https:\\host` as `https://host`.
// Such a value works, yet it is a mistake that would stay unseen, and what is used is not what was written: the
// redaction, which knows the URL as written and as URL normalises it, may miss it where an error quotes it otherwise.
// Nothing of the value after its scheme is ever shown in the error: its path or query may be a key, and what URL takes
// for a scheme may be a user name (`user:secret@host`, the scheme forgotten, parses as scheme `user:`). It lives in the
// indexer, next to the redaction, as the lowest of the three programs: each may import it.

/** A URL refused; `message` says why, to follow the field's or option's name, and quotes nothing after its scheme. */
export class UrlFormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UrlFormError";
  }
}

// The schemes URL itself knows (its "special" ones): followed by `//`, one of them is a URL meant as such, of the wrong
// kind (`ws://` for an RPC endpoint), and naming it says what to fix. Any other word before a colon may be a host or a
// user name written without the scheme, and is not repeated.
const NAMED_SCHEMES = new Set(["ftp", "file", "http", "https", "ws", "wss"]);

/**
 * `value` parsed, if it is a URL with one of `schemes` (lowercase, without the colon: `["http", "https"]`) written
 * exactly as URL uses it; else a UrlFormError saying what is wrong without quoting it.
 */
export function checkUrlForm(value: string, schemes: readonly string[]): URL {
  if (/^[\u0000-\u0020]|[\u0000-\u0020]$/.test(value)) throw new UrlFormError("has leading or trailing whitespace");
  if (/[\t\n\r]/.test(value)) throw new UrlFormError("has a tab or line break in it");
  const wanted = schemes.map((scheme) => `${scheme}://`).join(" or ");
  const written = /^([a-z][a-z0-9+.-]*):([/\\]*)/i.exec(value);
  const scheme = written?.[1]?.toLowerCase();
  const separator = written?.[2] ?? "";
  if (scheme === undefined || !schemes.includes(scheme)) {
    if (scheme !== undefined && NAMED_SCHEMES.has(scheme) && separator.startsWith("//")) {
      throw new UrlFormError(`must start with ${wanted}, not ${scheme}://`);
    }
    throw new UrlFormError(`has no ${wanted} scheme`);
  }
  if (separator !== "//") {
    throw new UrlFormError(
      `must have two slashes after its scheme (${scheme}://host/…), not ${separator === "" ? "none" : `"${separator}"`}`,
    );
  }
  try {
    return new URL(value);
  } catch {
    throw new UrlFormError(`is not a valid ${scheme}:// URL`);
  }
}

/**
 * `url` without its credentials, and the `Authorization: Basic` value that carries them (null where it has none).
 * Node's fetch refuses a URL with credentials ("Request cannot be constructed from a URL that includes credentials"),
 * where an endpoint behind basic authentication is given as `https://user:password@host/…`: they go in the header
 * instead, as a browser, curl and ethers send them. Shared by the indexer's transport, the gateway's subgraph source
 * and the worker's gateway queries, so that the three read credentials alike.
 */
export function splitCredentials(url: URL): { url: string; basicAuthorization: string | null } {
  if (url.username === "" && url.password === "") return { url: url.href, basicAuthorization: null };
  const credentials = `${percentDecode(url.username)}:${percentDecode(url.password)}`;
  const bare = new URL(url.href);
  bare.username = "";
  bare.password = "";
  return { url: bare.href, basicAuthorization: `Basic ${Buffer.from(credentials, "utf8").toString("base64")}` };
}

/**
 * WHATWG percent-decoding then UTF-8, as a browser's fetch reads a URL's credentials: URL keeps them percent-encoded
 * (`p%40ss` for `p@ss`), and decodeURIComponent would throw on a lone `%`, which URL leaves as it is.
 */
function percentDecode(text: string): string {
  // URL has percent-encoded every non-ASCII character, so each char here is one byte once the escapes are decoded.
  const bytes = text.replace(/%([0-9a-fA-F]{2})/g, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}
