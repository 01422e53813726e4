// A JSON-RPC proxy on 127.0.0.1 in front of a node, for the tests of what the indexer does with a node that misbehaves
// over the wire: it forwards the calls of each HTTP request (a single call or a batch) to the node, and lets the test
// fail a request or a call before it is forwarded (at once, or once something else happened), or rewrite a call's answer
// after, and it records the requests the client gave up before their answer. The indexer talks to it through its own
// HTTP transport, as to any node.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

/**
 * What becomes of the call. Of the HTTP request holding it: "stall" takes it and never answers (until the proxy
 * closes), "close" closes the socket unanswered, `{ status, body }` answers with that HTTP status and body. Of the call
 * alone: `{ error }` answers it with that JSON-RPC error, the request's other calls forwarded. undefined forwards it.
 */
export type Fault =
  | "stall"
  | "close"
  | { readonly status: number; readonly body: string }
  | { readonly error: { readonly code: number; readonly message: string } }
  | undefined;

export interface RpcProxyOptions {
  /** The fault of an HTTP request: the first its calls name, in call order (a promise: decided when it resolves). */
  fault?(call: ProxiedCall): Fault | Promise<Fault>;
  /** A call's result as the node gave it, to be answered instead (the node's JSON-RPC errors pass as they are). */
  rewrite?(call: ProxiedCall, result: unknown): unknown;
}

export interface RpcProxy {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Every call it received, in order, forwarded or not. */
  readonly calls: ProxiedCall[];
  /** The calls of the HTTP requests the client closed before they were answered (a "close" fault's are not). */
  readonly abandoned: ProxiedCall[];
  close(): Promise<void>;
}

interface JsonRpcCall extends ProxiedCall {
  readonly id: number;
}

interface JsonRpcReply {
  id: number;
  result?: unknown;
  error?: unknown;
}

export async function startRpcProxy(upstream: string, options: RpcProxyOptions = {}): Promise<RpcProxy> {
  const calls: ProxiedCall[] = [];
  const abandoned: ProxiedCall[] = [];
  let closing = false;
  const server = http.createServer((request, response) => {
    let body = "";
    let closedHere = false;
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => void answer());
    const answer = async (): Promise<void> => {
      const parsed = JSON.parse(body) as JsonRpcCall | JsonRpcCall[];
      const batch = Array.isArray(parsed) ? parsed : [parsed];
      const received = batch.map(({ method, params }) => ({ method, params }));
      calls.push(...received);
      response.on("close", () => {
        if (!response.writableFinished && !closedHere && !closing) abandoned.push(...received);
      });
      const faults = await Promise.all(batch.map((call) => options.fault?.(call)));
      const fault = faults.find((f) => f !== undefined && !(typeof f === "object" && "error" in f));
      if (response.destroyed) return;
      if (fault === "stall") return;
      if (fault === "close") {
        closedHere = true;
        return void request.socket.destroy();
      }
      if (typeof fault === "object" && "status" in fault) return void response.writeHead(fault.status, { "content-type": "text/plain" }).end(fault.body);
      const refused = new Map<number, JsonRpcReply>();
      batch.forEach((call, i) => {
        const f = faults[i];
        if (typeof f === "object" && "error" in f) refused.set(call.id, { id: call.id, error: f.error });
      });
      const forwarded = batch.filter((call) => !refused.has(call.id));
      void (forwarded.length === 0 ? Promise.resolve([]) : forward(upstream, forwarded)).then(
        (answered) => {
          const replies = batch.map((call) => {
            const item = refused.get(call.id) ?? answered.find((a) => a.id === call.id)!;
            if (item.error === undefined && options.rewrite !== undefined) item.result = options.rewrite(call, item.result);
            return { jsonrpc: "2.0", ...item };
          });
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(Array.isArray(parsed) ? replies : replies[0]));
        },
        (error: unknown) => response.writeHead(502, { "content-type": "text/plain" }).end(String(error)),
      );
    };
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    abandoned,
    close: () => {
      closing = true;
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The node's answers to `calls`, sent as one batch. */
async function forward(upstream: string, calls: readonly JsonRpcCall[]): Promise<JsonRpcReply[]> {
  const body = JSON.stringify(calls.map(({ id, method, params }) => ({ jsonrpc: "2.0", id, method, params })));
  const response = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
  return (await response.json()) as JsonRpcReply[];
}
