// Talking to a gateway under test: GraphQL over HTTP, and subscriptions over graphql-ws.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { GatewayHandle } from "../../../gateway/src";

export interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponseJson<TData> {
  data?: TData | null;
  errors?: GraphQLErrorJson[];
  /** `block`: the indexed block the answer (or subscription event) read, where it read one. */
  extensions?: { block?: { number: number; hash: string }; [key: string]: unknown };
}

export class GatewayClient {
  private readonly sockets: Client[] = [];

  constructor(readonly handle: GatewayHandle) {}

  get url(): string {
    return this.handle.url;
  }

  /** The whole response (data and errors) and its HTTP status. */
  async request<TData = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ status: number; body: GraphQLResponseJson<TData> }> {
    const response = await fetch(this.handle.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLResponseJson<TData> };
  }

  /** The data of a query that must succeed (fails the test with the errors otherwise). */
  async query<TData = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<TData> {
    const { body } = await this.request<TData>(query, variables);
    if (body.errors !== undefined && body.errors.length > 0) {
      throw new Error(`query failed: ${JSON.stringify(body.errors)}`);
    }
    return body.data as TData;
  }

  /** The errors of a query that must fail. */
  async errors(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLErrorJson[]> {
    const { body } = await this.request(query, variables);
    if (body.errors === undefined || body.errors.length === 0) throw new Error(`expected errors, got ${JSON.stringify(body.data)}`);
    return body.errors;
  }

  /** A subscription as an async iterator of results; closed by closeSockets(). */
  subscribe<TData = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): AsyncIterableIterator<GraphQLResponseJson<TData>> {
    const socket = createClient({ url: this.handle.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    this.sockets.push(socket);
    return socket.iterate<TData>({ query, variables }) as AsyncIterableIterator<GraphQLResponseJson<TData>>;
  }

  async closeSockets(): Promise<void> {
    await Promise.all(this.sockets.splice(0).map((s) => s.dispose()));
  }
}
