// graph-node's HTTP query endpoint: `POST /subgraphs/name/<name>` (and `/subgraphs/id/<deployment>`) with a JSON
// body `{ query, variables, operationName }`, answering `{ data, errors }`. A GET of the same path (or of its
// `/graphql`, graph-node's GraphiQL) returns a short text. `POST /graphql` answers graph-node's indexing-status queries (its index node's path, port 8030 there; see
// index-node.ts). `GET /` answers graph-node's index message. `GET /status` (not in graph-node) returns the indexing
// status, including a fatal error's message.
// Binds 127.0.0.1 unless told otherwise.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionResult } from "graphql";
import { headersOf, type QueryExecutor } from "../query/engine";
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

// graph-node's (server/http/src/service.rs).
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "Content-Type, User-Agent",
  "access-control-allow-methods": "GET, OPTIONS, POST",
};

function send(res: http.ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), ...CORS });
  res.end(body);
}

function json(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), ...CORS, ...headers });
  res.end(body);
}

/**
 * A request graph-node refuses before it runs anything: HTTP 400 and `{"error": "..."}`, the message its parser gives
 * (server/http/src/request.rs) after its client-error prefix, as its query endpoint answers; its index node
 * (server/index-node/src/service.rs) answers the same message as text, after `Invalid request: `.
 */
function refuse(res: http.ServerResponse, status: number, message: string, asJson: boolean, prefixed = true): void {
  const error = prefixed ? `GraphQL server error (client error): ${message}` : message;
  if (asJson) json(res, status, { error });
  else send(res, status, `Invalid request: ${error}`, "text/plain; charset=utf-8");
}

/** `{ query, variables, operationName }` as graph-node reads it, or why it refuses the body. */
function readRequest(
  raw: string,
): { query: string; variables: Record<string, unknown> | null; operationName: string | null } | { refused: string } {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    return { refused: (error as Error).message };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { refused: "Request data is not an object" };
  const fields = body as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (!("query" in fields)) return { refused: 'The "query" field is missing in request data' };
  if (typeof fields.query !== "string") return { refused: 'The "query" field is not a string' };
  const variables = fields.variables ?? null;
  // Often variables JSON-encoded twice: graph-node refuses them, graphql-js would throw on them.
  if (variables !== null && (typeof variables !== "object" || Array.isArray(variables))) return { refused: "Invalid query variables provided" };
  const operationName = typeof fields.operationName === "string" ? fields.operationName : null;
  return { query: fields.query, variables: variables as Record<string, unknown> | null, operationName };
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
      // graph-node answers a preflight 200 with an empty body: a client or proxy written against it may take only
      // 200 as success (browsers take any 2xx).
      res.writeHead(200, { "content-length": 0, ...CORS });
      res.end();
      return;
    }
    if (req.method === "GET" && path === "/") {
      // graph-node's index (server/http/src/service.rs): what a liveness check of its query port asks
      // (`curl -f http://graph-node:8000/`), which a 404 would fail.
      json(res, 200, { message: "Access deployed subgraphs by deployment ID at /subgraphs/id/<ID> or by name at /subgraphs/name/<NAME>" });
      return;
    }
    if (req.method === "GET" && path === "/status") {
      json(res, 200, options.executor.status());
      return;
    }
    const isStatusPath = path === statusPath || path === `${statusPath}/`;
    // graph-node serves GraphiQL at `<query path>/graphql` (and redirects a GET of the query path there): a bookmark
    // of it gets the text a GET of the query path gets, not a 404.
    const graphiql = req.method === "GET" && /\/graphql\/?$/.test(path) && isQueryPath(path.replace(/\/graphql\/?$/, ""));
    if (!isStatusPath && !isQueryPath(path) && !graphiql) {
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
      // RFC 9110: a 405 names the methods the path takes.
      res.setHeader("allow", CORS["access-control-allow-methods"]);
      send(res, 405, "Use POST for queries.\n", "text/plain; charset=utf-8");
      return;
    }
    // graph-node's query endpoint refuses a POST without a Content-Type (any type will do) or without a body.
    if (!isStatusPath && req.headers["content-type"] === undefined) {
      refuse(res, 400, "Content-Type header is required", true, false);
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
        refuse(res, 413, `the request body exceeds ${maxBody} bytes`, !isStatusPath);
        return;
      }
      if (size === 0 && !isStatusPath) {
        refuse(res, 400, "Body is required", true, false);
        return;
      }
      const request = readRequest(Buffer.concat(chunks).toString("utf8"));
      if ("refused" in request) {
        refuse(res, 400, request.refused, !isStatusPath);
        return;
      }
      const { query, variables, operationName } = request;
      if (isStatusPath) {
        executeIndexNodeQuery(options.executor, query, variables, operationName)
          .then((result) => json(res, 200, result))
          .catch((error: unknown) => json(res, 500, { errors: [{ message: (error as Error).message }] }));
        return;
      }
      options.executor
        .executeQuery(query, variables, operationName)
        .then((result: ExecutionResult) => {
          // graph-node's answer headers: whether it attests the answer, and the block it was read at.
          const answer = headersOf(result);
          const indexed = answer?.indexed ?? null;
          json(res, 200, result, {
            "graph-attestable": String(answer?.attestable ?? (result.errors ?? []).length === 0),
            "graph-indexed": JSON.stringify(indexed === null ? null : { hash: indexed.hash, number: indexed.number, timestamp: indexed.timestamp }),
          });
        })
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
