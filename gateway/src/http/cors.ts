// CORS for browsers on other origins (dApps, dashboards hosted elsewhere). The API is read-only and uses no
// cookies, so allowing an origin is only a matter of listing it ("*" allows every origin).
import type { IncomingMessage, ServerResponse } from "node:http";

export type CorsOrigins = "*" | readonly string[];

export function originAllowed(origin: string | undefined, allowed: CorsOrigins): boolean {
  if (origin === undefined) return true;
  return allowed === "*" || allowed.includes(origin);
}

/**
 * Sets the CORS headers of a response; answers preflight requests itself. Returns true when the request has
 * been answered.
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, allowed: CorsOrigins): boolean {
  const origin = req.headers.origin;
  const ok = origin !== undefined && originAllowed(origin, allowed);
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

/** Parses CORS_ORIGINS: "*" or a comma-separated list of origins. */
export function parseCorsOrigins(text: string | undefined): CorsOrigins {
  if (text === undefined || text.trim() === "" || text.trim() === "*") return "*";
  return text
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
}
