// An HTTP request answered with one error and no run (a method, a body, a stopping server refused it; a failure):
// what it was answered with is kept as data, so that its `graphql request` log line says the same.
import type { ServerResponse } from "node:http";

export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The error's `extensions.code`. */
    readonly code = "BAD_REQUEST",
  ) {
    super(message);
    this.name = "HttpRefusal";
  }
}

/** Answers `res` with `refusal`: its status, and its message and code as a GraphQL error. */
export function sendRefusal(res: ServerResponse, refusal: HttpRefusal): void {
  sendJsonError(res, refusal.status, refusal.message, refusal.code);
}

export function sendJsonError(res: ServerResponse, status: number, message: string, code = "BAD_REQUEST"): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
