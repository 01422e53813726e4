// A subgraph endpoint over HTTP: graph-node's /subgraphs/name/<name>, or the embedded indexer's HTTP server.
import { SourceError, SourceRequestAbortedError } from "../errors";
import { RequestDeadline } from "../request-deadline";
import { redactUrl } from "../../../subgraph/indexer/redact";
import { splitCredentials } from "../../../subgraph/indexer/url-form";
import type { SourceKind, SourceRequestOptions, SubgraphSource, Variables } from "./source";

export interface HttpSourceOptions {
  /** May carry `user:password@`: sent as `Authorization: Basic`, never in the URL. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` (graph-node behind a hosted gateway); not with credentials in `url`. */
  bearerToken?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

/** Options that cannot work (the message never repeats a credential). */
export class HttpSourceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HttpSourceConfigError";
  }
}

/**
 * The URL to fetch and the Authorization header to send. Node's fetch refuses a URL with credentials ("Request cannot
 * be constructed from a URL that includes credentials"), so they leave the URL for the header.
 */
export function httpEndpoint(url: string, bearerToken?: string): { url: string; authorization: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // fetch names the failure when it is used; nothing here to take out.
    return { url, authorization: bearerToken === undefined ? null : `Bearer ${bearerToken}` };
  }
  const hasCredentials = parsed.username !== "" || parsed.password !== "";
  if (bearerToken !== undefined && (bearerToken === "" || /\s/.test(bearerToken))) {
    throw new HttpSourceConfigError("the subgraph bearer token is empty or holds whitespace: a header cannot carry it as it is");
  }
  if (hasCredentials && bearerToken !== undefined) {
    throw new HttpSourceConfigError(
      `the subgraph URL ${redactUrl(url, { keepPath: true })} carries credentials and a bearer token was given: both would be the ` +
        "Authorization header; give one",
    );
  }
  if (!hasCredentials) return { url, authorization: bearerToken === undefined ? null : `Bearer ${bearerToken}` };
  const bare = splitCredentials(parsed);
  return { url: bare.url, authorization: bare.basicAuthorization };
}

interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: { message?: string }[];
}

export class HttpSubgraphSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  private readonly timeoutMs: number;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  /** Aborted by close(): requests in flight then end at once instead of at their timeout. */
  private readonly closing = new AbortController();

  constructor(private readonly options: HttpSourceOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const { url, authorization } = httpEndpoint(options.url, options.bearerToken);
    this.endpoint = url;
    this.headers = { "content-type": "application/json", accept: "application/json", ...(authorization === null ? {} : { authorization }) };
  }

  async request<TData>(query: string, variables: Variables = {}, options: SourceRequestOptions = {}): Promise<TData> {
    const deadline = new RequestDeadline(this.timeoutMs, [this.closing.signal, options.signal]);
    try {
      return await this.send<TData>(query, variables, deadline);
    } finally {
      deadline.dispose();
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  private async send<TData>(query: string, variables: Variables, deadline: RequestDeadline): Promise<TData> {
    const what = `subgraph request to ${redactUrl(this.options.url, { keepPath: true })}`;
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers: this.headers,
        body: JSON.stringify({ query, variables }),
        signal: deadline.signal,
      });
    } catch (error) {
      if (deadline.givenUp) throw new SourceRequestAbortedError(what, { cause: error });
      throw new SourceError(
        `${what} failed`,
        deadline.timedOut ? `the subgraph endpoint did not answer within ${this.timeoutMs} ms` : "the subgraph endpoint cannot be reached",
        { cause: error },
      );
    }
    if (response.status === 401 || response.status === 403) {
      // A proxy's refusal page says nothing useful; which credentials were tried is for the operator to know.
      const sent = this.headers.authorization === undefined ? "sent no credentials" : "sent credentials it refused";
      throw new SourceError(
        `subgraph endpoint answered HTTP ${response.status}: the gateway ${sent}`,
        `the subgraph endpoint refused the gateway (HTTP ${response.status})`,
      );
    }
    let body: GraphQLResponse<TData>;
    try {
      body = (await response.json()) as GraphQLResponse<TData>;
    } catch (error) {
      // The signal still holds while the body arrives: an endpoint may answer its headers and then go silent.
      if (deadline.givenUp) throw new SourceRequestAbortedError(what, { cause: error });
      if (deadline.timedOut) {
        throw new SourceError(`${what} failed`, `the subgraph endpoint did not finish its answer within ${this.timeoutMs} ms`, { cause: error });
      }
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
}
