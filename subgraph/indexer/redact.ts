// Secrets in the URLs the gateway, the indexer and the GPU worker are given: RPC providers put the API key in the path
// (Alchemy's /v2/<key>, Infura's /v3/<key>) or the query, some take user:password@, and a graph-node endpoint may carry
// credentials. Error messages carry those URLs (ethers writes info.requestUrl into every HTTP error, fetch names a URL
// it cannot parse, a node or proxy may echo it) and the programs log such messages, so what they print goes through a
// Redactor made from the URLs they were given. It lives in the indexer, the lowest of the three: the gateway already
// depends on it and the worker may, where the indexer may depend on neither.

/** Returns `text` with each secret-bearing URL it knows replaced by its redacted form. */
export type Redactor = (text: string) => string;

/**
 * What `url` becomes in logs: scheme and host, then `/…` in place of any credentials, path or query; with `keepPath`
 * (a route such as the gateway's /graphql, not a key) the path stays and only credentials, query and fragment go.
 */
export function redactUrl(url: string, options: { keepPath?: boolean } = {}): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const hidden = parsed.username !== "" || parsed.password !== "" || parsed.search !== "" || parsed.hash !== "";
  const bare = parsed.pathname === "/" || parsed.pathname === "";
  if (!hidden && (bare || options.keepPath === true)) return url;
  const origin = `${parsed.protocol}//${parsed.host}`;
  if (options.keepPath !== true) return `${origin}/…`;
  return `${origin}${parsed.pathname}${parsed.search !== "" || parsed.hash !== "" ? "?…" : ""}`;
}

// A URL in free text runs up to whitespace, a quote, an angle bracket, a control character (U+0000-U+001F, U+007F-U+009F:
// URL percent-encodes one, so no URL is written with one, and a terminal's colour code, `\x1b[0m`, may follow a URL)
// or a backslash that ends it (a JSON escape, below);
// punctuation at its end is the sentence's. One slash after the scheme is enough: URL (so fetch and ethers) reads
// `https:/host/v2/<key>` as `https://host/v2/<key>`, and path.resolve makes that of any URL
// (`/cwd/https:/host/v2/<key>`), so the key is there either way. Only for these schemes, the ones the programs are given; an ordinary file path has none of them.
// URL reads a backslash as a slash too: a URL whose scheme a backslash follows (`https:\\host\v2\<key>`, pasted into a
// Windows path as `C:\work\https:\host\v2\<key>`, or either JSON-escaped) runs on over backslashes, up to one that
// ends it (before a quote, whitespace or the end), since its key lies beyond them. After one slash or two, a backslash
// after the host (`https://host\v2\<key>`) or inside the path (`https://host/v2\<key>`, both of which URL reads as
// `https://host/v2/<key>`) is the path's too, and the URL runs on over it as far as a part between backslashes of two
// characters or more: what follows the last such part, one character after each backslash (`\"`, `\n`, `\n\"`), is the
// JSON escape that ends a URL in JSON-escaped text, and left outside it; no key is one character. A `\n` followed by
// more (`https://host/v2/<key>\nat`) is read as the path, as a key may begin with `n`: a word of the message may go
// with the URL, but no key shows. A backslash that ends it (before punctuation) is left outside it with the
// punctuation, as written. A scheme starts a URL at a word's start, or right after an escape (`\nhttps://…`, a URL on
// the next line of a JSON-escaped message, whose `n` would otherwise hide the word's start).
const URL_IN_TEXT =
  /(?:\b|(?<=\\[a-z]|\\u[0-9a-f]{4}))(?:https?|wss?):(?:\/\/?[^\s"'`<>\\\x00-\x1f\x7f-\x9f]+(?:(?:\\+[^\s"'`<>\\\x00-\x1f\x7f-\x9f])*\\+[^\s"'`<>\\\x00-\x1f\x7f-\x9f]{2,})*|(?:\\[/\\]?|\/\\)(?:[^\s"'`<>\\\x00-\x1f\x7f-\x9f]|\\+(?=[^\s"'`<>\\\x00-\x1f\x7f-\x9f]))+)/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}\\]+$/;

/**
 * Whether `text` holds an http(s) or ws(s) URL, written with one slash after its scheme or two, at its start or
 * inside it (a path that a URL was resolved into): what redactUrlsIn redacts, for whoever must refuse such text.
 */
export function holdsUrl(text: string): boolean {
  return new RegExp(URL_IN_TEXT.source, "i").test(text);
}

/** The http(s) and ws(s) URLs in `text`, as redactUrlsIn finds them. */
export function urlsIn(text: string): string[] {
  return [...text.matchAll(URL_IN_TEXT)].map((match) => match[0].replace(TRAILING_PUNCTUATION, ""));
}

/**
 * `text` with every http(s) and ws(s) URL in it redacted as redactUrl does without keepPath: for text no config's
 * Redactor covers (a config that could not be read, a failure the CLI did not expect), where a route cannot be told from
 * a key. `isRoute` names the URLs whose path a program knows to be a route (a configured graph-node endpoint's): those
 * are redacted with keepPath, so that a log still says which endpoint it means.
 */
export function redactUrlsIn(text: string, isRoute?: (url: URL) => boolean): string {
  return text.replace(URL_IN_TEXT, (match) => {
    const url = match.replace(TRAILING_PUNCTUATION, "");
    return `${cutUrl(url, isRoute)}${match.slice(url.length)}`;
  });
}

// What may follow a scheme in JSON-escaped text: a run of characters no escape starts, or one escape. A backslash that
// starts no JSON escape is taken as itself.
const JSON_TEXT_PART = /[^\\]+|\\u[0-9a-fA-F]{4}|\\["\\/bfnrt]|\\/gy;
const JSON_ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
// What ends a URL in text, as URL_IN_TEXT has it: a control character among them, written as an escape (`\u0000`, `\u001b`).
const ENDS_URL = /[\s"'`<>\x00-\x1f\x7f-\x9f]/;
const SCHEME_IN_TEXT = /(?:\b|(?<=\\[a-z]|\\u[0-9a-f]{4}))(?:https?|wss?):/gi;

/**
 * redactUrlsIn for JSON-escaped text (a JSON log line): a URL ends where its text does once unescaped, at an escape
 * that stands for whitespace, a quote, an angle bracket or a control character (`\n`, `\"`, `\u0027`, `\u001b`), and
 * what follows stays as written.
 * Every other escape is the URL's (`\\` a backslash, which URL reads as a slash; `\u00e9` a letter of its path), so no
 * part of it shows. The URL is redacted as it reads unescaped, and written back escaped. `isRoute` as for redactUrlsIn.
 */
export function redactUrlsInJson(text: string, isRoute?: (url: URL) => boolean): string {
  let result = "";
  let copied = 0;
  for (const match of text.matchAll(SCHEME_IN_TEXT)) {
    const start = match.index;
    if (start < copied) continue;
    // The URL unescaped, and for each of its characters where it ends in `text`.
    let unescaped = match[0];
    const ends: number[] = [];
    JSON_TEXT_PART.lastIndex = start + match[0].length;
    let part: RegExpExecArray | null;
    scan: while ((part = JSON_TEXT_PART.exec(text)) !== null) {
      const piece = part[0];
      const escaped = piece.startsWith("\\");
      let end = part.index;
      for (const char of escaped ? [unescape(piece)] : piece) {
        if (ENDS_URL.test(char)) break scan;
        end += escaped ? piece.length : char.length;
        unescaped += char;
        // One entry a UTF-16 unit, as the URL's length counts them.
        for (let unit = 0; unit < char.length; unit++) ends.push(end);
      }
    }
    const url = unescaped.replace(TRAILING_PUNCTUATION, "");
    if (!/^[a-z]+:[/\\]/i.test(url)) continue;
    const end = ends[url.length - match[0].length - 1] as number;
    result += `${text.slice(copied, start)}${JSON.stringify(cutUrl(url, isRoute)).slice(1, -1)}`;
    copied = end;
  }
  return `${result}${text.slice(copied)}`;
}

function unescape(escape: string): string {
  if (escape.length === 1) return escape;
  return escape[1] === "u" ? String.fromCharCode(parseInt(escape.slice(2), 16)) : (JSON_ESCAPES[escape[1] as string] as string);
}

// A URL in text, redacted as redactUrl does, as written (asWritten); one URL cannot parse (a port out of range, say)
// keeps only its scheme and separator, since where its host ends cannot be told.
function cutUrl(url: string, isRoute?: (url: URL) => boolean): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^[a-z]+:[/\\]*/i.exec(url)?.[0] ?? "";
    // A scheme alone (`http://` named in a message) has nothing to hide.
    return scheme === url ? url : `${scheme}…`;
  }
  return asWritten(url, redactUrl(url, { keepPath: isRoute?.(parsed) === true }));
}

// redactUrl writes `scheme://host`; a URL written with one slash, or with backslashes, keeps them, so that a path a URL
// was resolved into still reads as the path the program was given.
function asWritten(url: string, redacted: string): string {
  const scheme = url.indexOf(":") + 1;
  const separator = /^[/\\]*/.exec(url.slice(scheme))?.[0] ?? "";
  if (redacted === url || separator === "//") return redacted;
  return `${url.slice(0, scheme)}${separator}${redacted.slice(redacted.indexOf("//") + 2)}`;
}

/** A Redactor for `urls`: each is replaced as written and as URL normalises it (a lowercased host, say). */
export function urlRedactor(urls: readonly { url: string; keepPath?: boolean }[]): Redactor {
  const replacements = new Map<string, string>();
  for (const { url, keepPath } of urls) {
    const redacted = redactUrl(url, { keepPath });
    if (redacted === url) continue;
    replacements.set(url, redacted);
    const normalised = new URL(url).href;
    if (normalised !== url) replacements.set(normalised, redacted);
  }
  // Longest first: one URL may begin with another.
  const secrets = [...replacements.keys()].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((result, secret) => result.split(secret).join(replacements.get(secret) as string), text);
}
