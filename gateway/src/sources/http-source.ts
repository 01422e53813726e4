// A subgraph endpoint over HTTP: graph-node's /subgraphs/name/<name>, or the embedded indexer's HTTP server.
import { SourceError } from "../errors";
import { redactUrl } from "../../../subgraph/indexer/redact";
import type { SourceKind, SubgraphSource, Variables } from "./source";

export interface HttpSourceOptions {
  url: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: { message?: string }[];
}

export class HttpSubgraphSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpSourceOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new SourceError(
        `subgraph request to ${redactUrl(this.options.url, { keepPath: true })} failed`,
        timedOut ? `the subgraph endpoint did not answer within ${this.timeoutMs} ms` : "the subgraph endpoint cannot be reached",
        { cause: error },
      );
    }
    let body: GraphQLResponse<TData>;
    try {
      body = (await response.json()) as GraphQLResponse<TData>;
    } catch (error) {
      throw new SourceError(
        `subgraph answered HTTP ${response.status} without JSON`,
        `the subgraph endpoint answered HTTP ${response.status} without a GraphQL response`,
        { cause: error },
      );
    }
    if (body.errors !== undefined && body.errors.length > 0) {
      const first = body.errors[0]?.message ?? "unknown error";
      throw new SourceError(`subgraph query failed: ${first}`, `the subgraph endpoint answered with an error: ${first}`);
    }
    if (!response.ok || body.data === undefined || body.data === null) {
      throw new SourceError(`subgraph answered HTTP ${response.status} with no data`, `the subgraph endpoint answered HTTP ${response.status}`);
    }
    return body.data;
  }

  async close(): Promise<void> {
    // fetch keeps no resources of ours open.
  }
}
