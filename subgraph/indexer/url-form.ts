// How a URL must be written wherever a program takes one (the worker config's URL fields, npm start's --rpc-url, the
// gateway's --rpc-url and --subgraph-url and their variables, the indexer's --rpc): exactly as URL will use it. URL
// trims leading and trailing spaces and control characters, drops tabs and line breaks anywhere, and reads
// `https:/host`, `https:host`, `https:///host` and `https:\\host` as `https://host`. Such a value works, yet it is a
// mistake that would stay unseen, and what is used is not what was written: the redaction, which knows the URL as
// written and as URL normalises it, may miss it where an error quotes it otherwise. The value is never shown in the
// error, as its path may be a key. It lives in the indexer, next to the redaction, as the lowest of the three programs:
// each may import it.

/** A URL written otherwise than URL will use it; `message` says how, to follow the field's or option's name. */
export class UrlFormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UrlFormError";
  }
}

/** Throws UrlFormError unless `value`, which URL parsed as `url`, is written exactly as URL uses it. */
export function checkUrlForm(value: string, url: URL): void {
  if (/^[\u0000-\u0020]|[\u0000-\u0020]$/.test(value)) throw new UrlFormError("has leading or trailing whitespace");
  if (/[\t\n\r]/.test(value)) throw new UrlFormError("has a tab or line break in it");
  const separator = /^[a-z][a-z0-9+.-]*:([/\\]*)/i.exec(value)?.[1] ?? "";
  if (separator !== "//") {
    throw new UrlFormError(
      `must have two slashes after its scheme (${url.protocol}//host/…), not ${separator === "" ? "none" : `"${separator}"`}`,
    );
  }
}
