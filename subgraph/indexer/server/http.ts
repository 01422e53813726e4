// graph-node's HTTP query endpoint: `POST /subgraphs/name/<name>` (and `/subgraphs/id/<deployment>`) with a JSON
// body `{ query, variables, operationName }`, answering `{ data, errors }`. A GET of the same path returns a short
// text. `POST /graphql` answers graph-node's indexing-status queries (its index node's path, port 8030 there; see
// index-node.ts). `GET /status` (not in graph-node) returns the indexing status, including a fatal error's message.
// Binds 127.0.0.1 unless told otherwise.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionResult } from "graphql";
import type { QueryExecutor } from "../query/engine";
import { executeIndexNodeQuery } from "./index-node";

export interface QueryServerOptions {
  executor: QueryExecutor;
  /** The subgraph name in `/subgraphs/name/<name>` (default "latent"). */
  name?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Largest accepted request body (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface QueryServer {
  readonly url: string;
  readonly port: number;
  /** The full query URL, e.g. http://127.0.0.1:8000/subgraphs/name/latent */
  readonly queryUrl: string;
  /** graph-node's indexing-status API on this server (the gateway's `statusUrl`), e.g. http://127.0.0.1:8000/graphql */
  readonly statusUrl: string;
  close(): Promise<void>;
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "content-type",
  "access-control-allow-methods": "GET, POST, OPTIONS",
};

function send(res: http.ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), ...CORS });
  res.end(body);
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), "application/json; charset=utf-8");
}

export async function startQueryServer(options: QueryServerOptions): Promise<QueryServer> {
  const name = options.name ?? "latent";
  const host = options.host ?? "127.0.0.1";
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const namePath = `/subgraphs/name/${name}`;
  const statusPath = "/graphql";

  const isQueryPath = (path: string): boolean => {
    if (path === namePath || path === `${namePath}/`) return true;
    const deployment = options.executor.status().deployment;
    return deployment !== "" && (path === `/subgraphs/id/${deployment}` || path === `/subgraphs/id/${deployment}/`);
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (req.method === "OPTIONS") {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    if (req.method === "GET" && path === "/status") {
      json(res, 200, options.executor.status());
      return;
    }
    const isStatusPath = path === statusPath || path === `${statusPath}/`;
    if (!isStatusPath && !isQueryPath(path)) {
      // A GraphQL client posting to a mistyped name must get an error it can parse (graph-node's message).
      const unknown = req.method === "POST" ? /^\/subgraphs\/(?:name|id)\/(.+?)\/?$/.exec(path) : null;
      if (unknown !== null) {
        json(res, 404, { errors: [{ message: `deployment \`${unknown[1]!}\` does not exist`, extensions: { code: "NOT_FOUND" } }] });
        return;
      }
      send(res, 404, `No subgraph at ${path}. Query ${namePath} with POST.\n`, "text/plain; charset=utf-8");
      return;
    }
    if (req.method === "GET" && isStatusPath) {
      send(
        res,
        200,
        `graph-node's indexing-status API for deployment ${options.executor.status().deployment}. Send POST ${statusPath} with a JSON body {"query": "{ indexingStatuses { subgraph health synced } }"}.\n`,
        "text/plain; charset=utf-8",
      );
      return;
    }
    if (req.method === "GET") {
      send(
        res,
        200,
        `Subgraph "${name}" (deployment ${options.executor.status().deployment}). Send GraphQL queries with POST ${namePath} and a JSON body {"query": "...", "variables": {...}}.\n`,
        "text/plain; charset=utf-8",
      );
      return;
    }
    if (req.method !== "POST") {
      send(res, 405, "Use POST for queries.\n", "text/plain; charset=utf-8");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooLarge) {
        json(res, 413, { errors: [{ message: `The request body exceeds ${maxBody} bytes` }] });
        return;
      }
      let body: { query?: unknown; variables?: unknown; operationName?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        json(res, 400, { errors: [{ message: "The request body is not valid JSON" }] });
        return;
      }
      if (typeof body?.query !== "string") {
        json(res, 400, { errors: [{ message: "The request body needs a `query` string" }] });
        return;
      }
      const rawVariables = body.variables ?? null;
      if (rawVariables !== null && (typeof rawVariables !== "object" || Array.isArray(rawVariables))) {
        // A client's mistake (often variables JSON-encoded twice): graph-node answers it as one; graphql-js throws on it.
        json(res, 400, { errors: [{ message: "The request's `variables` must be a JSON object (or null)", extensions: { code: "BAD_REQUEST" } }] });
        return;
      }
      const variables = rawVariables as Record<string, unknown> | null;
      const operationName = typeof body.operationName === "string" ? body.operationName : null;
      const run: Promise<ExecutionResult> = isStatusPath
        ? executeIndexNodeQuery(options.executor, body.query, variables, operationName)
        : options.executor.executeQuery(body.query, variables, operationName);
      run
        .then((result) => json(res, 200, result))
        .catch((error: unknown) => json(res, 500, { errors: [{ message: (error as Error).message }] }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  // An IPv6 address is bracketed in a URL (http://[::1]:8000): bare, its colons would read as the port's.
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  return {
    url,
    port: address.port,
    queryUrl: `${url}${namePath}`,
    statusUrl: `${url}${statusPath}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
