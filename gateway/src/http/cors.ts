// CORS for browsers on other origins (dApps, dashboards hosted elsewhere). The API is read-only and uses no
// cookies, so allowing an origin is only a matter of listing it ("*" allows every origin). Pages of the gateway's
// own origin (the dashboard it serves) are always allowed, over HTTP and WebSocket: the list is about the others.
import type { IncomingMessage, ServerResponse } from "node:http";

export type CorsOrigins = "*" | readonly string[];

/**
 * Whether a request from a browser page on `origin` is allowed; `host` is the request's Host header. Requests
 * without an Origin (not from a browser page) always are.
 */
export function originAllowed(origin: string | undefined, allowed: CorsOrigins, host: string | undefined): boolean {
  if (origin === undefined) return true;
  return allowed === "*" || sameOrigin(origin, host) || allowed.includes(origin);
}

/**
 * The page was served by the host the request is addressed to. The scheme is not compared: TLS may end at a proxy
 * in front of the gateway (page on https://, gateway on http://), and the Host it forwards is the page's.
 */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed pages, file://) or garbage: not a host of ours
  }
}

/**
 * Sets the CORS headers of a response; answers preflight requests itself. Returns true when the request has
 * been answered.
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, allowed: CorsOrigins): boolean {
  const origin = req.headers.origin;
  const ok = origin !== undefined && originAllowed(origin, allowed, req.headers.host);
  if (ok) {
    res.setHeader("access-control-allow-origin", allowed === "*" ? "*" : origin);
    if (allowed !== "*") res.setHeader("vary", "origin");
  }
  if (req.method !== "OPTIONS") return false;
  if (!ok) {
    res.writeHead(origin === undefined ? 204 : 403).end();
    return true;
  }
  res.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
  res.setHeader(
    "access-control-allow-headers",
    req.headers["access-control-request-headers"] ?? "content-type, apollo-require-preflight, x-apollo-operation-name",
  );
  res.setHeader("access-control-max-age", "600");
  res.writeHead(204).end();
  return true;
}

/** An entry of CORS_ORIGINS that no browser could send as its Origin. */
export class CorsOriginError extends Error {}

/**
 * Parses CORS_ORIGINS: "*" or a comma-separated list of origins. Each entry is stored as the Origin a browser
 * sends for it (scheme, lower-case host, port only when not the default, no trailing slash), so that
 * "https://App.example/" allows the page it names instead of matching nothing. An entry with a path, a query or a
 * scheme other than http(s) throws CorsOriginError.
 */
export function parseCorsOrigins(text: string | undefined): CorsOrigins {
  if (text === undefined || text.trim() === "" || text.trim() === "*") return "*";
  return text
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o.length > 0)
    .map((entry, index) => browserOrigin(entry, index + 1));
}

// A refused entry is named by its position, and by its origin where it has one: never quoted whole, as what URL
// reads as a path, a query or a user name may be a key (`user:secret@host`, `https://host/?key=…`).
function browserOrigin(entry: string, position: number): string {
  let url: URL | null = null;
  try {
    url = new URL(entry);
  } catch {
    // not a URL at all
  }
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new CorsOriginError(`entry ${position} is not an origin: expected http(s)://host[:port]`);
  }
  const extras = [
    url.pathname !== "/" ? "a path" : null,
    url.search !== "" || url.hash !== "" ? "a query or fragment" : null,
    url.username !== "" || url.password !== "" ? "credentials" : null,
  ].filter((extra) => extra !== null);
  if (extras.length > 0) {
    throw new CorsOriginError(`entry ${position} (${url.origin}) is not an origin: it has ${extras.join(" and ")}, which a browser's Origin never has`);
  }
  return url.origin;
}
