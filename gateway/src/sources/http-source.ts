// A subgraph endpoint over HTTP: graph-node's /subgraphs/name/<name>, or the embedded indexer's HTTP server.
import { BLOCK_GONE, SourceError, SourceInternalError, SourceRequestAbortedError } from "../errors";
import { RequestDeadline } from "../request-deadline";
import { redactUrl } from "../../../subgraph/indexer/redact";
import { splitCredentials } from "../../../subgraph/indexer/url-form";
import type { DeploymentHealth, SourceKind, SourceRequestOptions, SubgraphSource, Variables } from "./source";

export interface HttpSourceOptions {
  /** May carry `user:password@`: sent as `Authorization: Basic`, never in the URL. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` (graph-node behind a hosted gateway); not with credentials in `url`. */
  bearerToken?: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /**
   * graph-node's indexing-status API (`http://graph-node:8030/graphql`), asked for the deployment's health. May carry
   * `user:password@`; the bearer token is not sent there, as it is another service (its own proxy, its own keys).
   */
  statusUrl?: string;
}

/** Where one kind of request goes: the URL fetched, its headers, and the URL as messages name it (redacted). */
interface Target {
  endpoint: string;
  headers: Record<string, string>;
  what: string;
  /** "subgraph endpoint" or "indexing-status endpoint", for the messages. */
  name: string;
  /** "subgraph" or "indexing-status endpoint": what the log messages say answered. */
  short: string;
}

const STATUS_QUERY =
  "query DeploymentHealth($ids: [String!]) { indexingStatuses(subgraphs: $ids) { subgraph health " +
  "fatalError { message block { number } deterministic } nonFatalErrors { message block { number } deterministic } } }";

/** graph-node's SubgraphError: its block's number is the index node's BigInt, a string. */
interface StatusError {
  message: string;
  block: { number: number | string } | null;
  deterministic: boolean;
}

interface StatusData {
  indexingStatuses?: { subgraph: string; health: string; fatalError: StatusError | null; nonFatalErrors?: StatusError[] | null }[];
}

const statusError = (e: StatusError) => ({ message: e.message, block: e.block === null ? null : Number(e.block.number), deterministic: e.deterministic });

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
export function httpEndpoint(
  url: string,
  bearerToken?: string,
  name = "the subgraph URL",
  option = "subgraphUrl",
): { url: string; authorization: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not shown: what cannot be parsed cannot be told apart from a key.
    throw new HttpSourceConfigError(`${name} is not a URL (it should read like http://graph-node:8000/subgraphs/name/latent/latent)`);
  }
  // A URL written without its scheme (`graph-node:8000/subgraphs/name/x`) parses, with the host as its scheme, and
  // would fail only at the first poll. The scheme is not quoted: it may be a host or a user name.
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new HttpSourceConfigError(`${name} (${option}) must be an http:// or https:// URL`);
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
  /**
   * graph-node's refusal of a request it does not run (HTTP 400): `error` for a client error (an invalid subgraph
   * name or id in the URL, an api-version it cannot parse), `QueryError` for a query it could not take.
   */
  error?: unknown;
  QueryError?: unknown;
}

/**
 * The errors an endpoint answers that tell what is wrong with the query or with the block it asked for, not of the
 * endpoint's insides: passed on as they are. graph-node's wording (graph/src/data/query/error.rs, QueryExecutionError),
 * graphql-js's and graphql-tools' validation (`Cannot query field "parentHash" on type "_Block_"`, which the head
 * watcher looks for), the block refusals the reader turns into CURSOR_EXPIRED, and graph-node's load shedding. Any
 * other error is the endpoint's own: see ENDPOINT_FAILURES.
 */
const QUERY_ERRORS: readonly RegExp[] = [
  ...BLOCK_GONE.map(([pattern]) => pattern),
  /^indexing_error$/,
  /^Failed to decode `/,
  /^Type `[^`]+` has no field `/,
  /^Entity `[^`]+` has no attribute `/,
  /^Cannot query field /,
  /^Unknown (argument|type) /,
  /^No value provided for required (argument|variable)/,
  /^Invalid value provided for argument /,
  /^Failed to coerce value /,
  /^Ordering by `/,
  /^Filter not supported by value /,
  /^Non-list value passed to /,
  /^Values passed to filter /,
  /^Filter must by an object/,
  /^The `\w+` argument must be between /,
  /^Query contains value with invalid type /,
  /^Operation name (required|not found)/,
  /^Query timed out$/,
  /^query is too expensive$/,
  /^query potentially returns /,
  /^query has a depth that exceeds /,
  /^the result size of \d+ is larger than the allowed limit/,
  /^service is overloaded /,
  /^the chain was reorganized while executing the query$/,
];

/**
 * graph-node's failures of its own, by the code the client is told (its variant's name): a store error quotes
 * Postgres's message (the SQL, the deployment's schema, table and column names), the others name its internals too.
 * An error neither list knows, or answered with an HTTP 5xx (the embedded indexer's server then sends the thrown
 * message as it is, e.g. SQLite's), is told as UNKNOWN_ERROR or HTTP_<status>.
 */
const ENDPOINT_FAILURES: readonly [RegExp, string, string][] = [
  [/^Store error\b/, "STORE_ERROR", "its store failed"],
  [/^Failed to get entities from store\b|^Failed to get `[^`]*` entity with ID/, "RESOLVE_ENTITIES_ERROR", "it could not read entities from its store"],
  [/^Broken entity found in store\b/, "ENTITY_PARSE_ERROR", "it found a broken entity in its store"],
  [/^panic processing query\b/, "PANIC", "it panicked running the query"],
  [/^Running query with prefetch and slow query resolution yielded different results/, "INCORRECT_PREFETCH_RESULT", "its two ways of running the query disagreed"],
  [/^failed to resolve subgraph manifest|^invalid subgraph manifest file/, "SUBGRAPH_MANIFEST_ERROR", "it could not read the subgraph's manifest"],
];

/**
 * What a client is told of `message`, an error the endpoint answered with HTTP `status`: null where it is the query's
 * (passed on as it is), else the endpoint's failure, by code.
 */
export function endpointFailure(message: string, status: number): { code: string; what: string } | null {
  // Its own failures first: a store error's Postgres message may happen to hold a query error's words.
  const known = ENDPOINT_FAILURES.find(([pattern]) => pattern.test(message));
  if (known !== undefined) return { code: known[1], what: known[2] };
  if (QUERY_ERRORS.some((pattern) => pattern.test(message))) return null;
  if (status >= 500) return { code: `HTTP_${status}`, what: `it answered HTTP ${status}` };
  return { code: "UNKNOWN_ERROR", what: "it answered with an error the gateway does not pass on" };
}

export class HttpSubgraphSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  private readonly timeoutMs: number;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  /** Aborted by close(): requests in flight then end at once instead of at their timeout. */
  private readonly closing = new AbortController();

  private readonly subgraph: Target;
  readonly deploymentHealth?: (deployment: string, options?: SourceRequestOptions) => Promise<DeploymentHealth | null>;

  constructor(private readonly options: HttpSourceOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const { url, authorization } = httpEndpoint(options.url, options.bearerToken);
    this.endpoint = url;
    this.headers = { "content-type": "application/json", accept: "application/json", ...(authorization === null ? {} : { authorization }) };
    this.subgraph = {
      endpoint: this.endpoint,
      headers: this.headers,
      what: `subgraph request to ${redactUrl(options.url, { keepPath: true })}`,
      name: "subgraph endpoint",
      short: "subgraph",
    };
    const statusUrl = options.statusUrl;
    if (statusUrl !== undefined) {
      const status = httpEndpoint(statusUrl, undefined, "the indexing-status URL", "statusUrl");
      const target: Target = {
        endpoint: status.url,
        headers: { "content-type": "application/json", accept: "application/json", ...(status.authorization === null ? {} : { authorization: status.authorization }) },
        what: `indexing-status request to ${redactUrl(statusUrl, { keepPath: true })}`,
        name: "indexing-status endpoint",
        short: "indexing-status endpoint",
      };
      this.deploymentHealth = (deployment, requestOptions = {}) => this.health(target, deployment, requestOptions);
    }
  }

  async request<TData>(query: string, variables: Variables = {}, options: SourceRequestOptions = {}): Promise<TData> {
    return this.ask<TData>(this.subgraph, query, variables, options);
  }

  private async health(target: Target, deployment: string, options: SourceRequestOptions): Promise<DeploymentHealth | null> {
    const data = await this.ask<StatusData>(target, STATUS_QUERY, { ids: [deployment] }, options);
    const status = data.indexingStatuses?.find((s) => s.subgraph === deployment);
    if (status === undefined) return null;
    return {
      health: status.health,
      fatalError: status.fatalError === null ? null : statusError(status.fatalError),
      nonFatalErrors: (status.nonFatalErrors ?? []).map(statusError),
    };
  }

  private async ask<TData>(target: Target, query: string, variables: Variables, options: SourceRequestOptions): Promise<TData> {
    const deadline = new RequestDeadline(this.timeoutMs, [this.closing.signal, options.signal]);
    try {
      return await this.send<TData>(target, query, variables, deadline);
    } finally {
      deadline.dispose();
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  private async send<TData>(target: Target, query: string, variables: Variables, deadline: RequestDeadline): Promise<TData> {
    const { what, name, short } = target;
    let response: Response;
    try {
      response = await fetch(target.endpoint, {
        method: "POST",
        headers: target.headers,
        body: JSON.stringify({ query, variables }),
        signal: deadline.signal,
      });
    } catch (error) {
      if (deadline.givenUp) throw new SourceRequestAbortedError(what, { cause: error });
      throw new SourceError(
        `${what} failed`,
        deadline.timedOut ? `the ${name} did not answer within ${this.timeoutMs} ms` : `the ${name} cannot be reached`,
        { cause: error },
      );
    }
    if (response.status === 401 || response.status === 403) {
      // A proxy's refusal page says nothing useful; which credentials were tried is for the operator to know.
      const sent = target.headers.authorization === undefined ? "sent no credentials" : "sent credentials it refused";
      throw new SourceError(
        `${name} answered HTTP ${response.status}: the gateway ${sent}`,
        `the ${name} refused the gateway (HTTP ${response.status})`,
      );
    }
    let body: GraphQLResponse<TData>;
    try {
      body = (await response.json()) as GraphQLResponse<TData>;
    } catch (error) {
      // The signal still holds while the body arrives: an endpoint may answer its headers and then go silent.
      if (deadline.givenUp) throw new SourceRequestAbortedError(what, { cause: error });
      if (deadline.timedOut) {
        throw new SourceError(`${what} failed`, `the ${name} did not finish its answer within ${this.timeoutMs} ms`, { cause: error });
      }
      throw new SourceError(
        `${short} answered HTTP ${response.status} without JSON`,
        `the ${name} answered HTTP ${response.status} without a GraphQL response`,
        { cause: error },
      );
    }
    if (body.errors !== undefined && body.errors.length > 0) {
      const first = body.errors[0]?.message ?? "unknown error";
      const failure = endpointFailure(first, response.status);
      if (failure === null) throw new SourceError(`${short} query failed: ${first}`, `the ${name} answered with an error: ${first}`);
      throw new SourceInternalError(
        `${short} query failed: ${first}`,
        `the ${name} failed: ${failure.what} (${failure.code}); its message is in the gateway's log`,
        failure.code,
      );
    }
    if (!response.ok || body.data === undefined || body.data === null) {
      // Its reason is all that tells an operator which part of the URL it refused.
      const refusal = typeof body.error === "string" ? body.error : typeof body.QueryError === "string" ? body.QueryError : null;
      const said = refusal === null ? "" : `: ${refusal}`;
      throw new SourceError(`${short} answered HTTP ${response.status} with no data${said}`, `the ${name} answered HTTP ${response.status}${said}`);
    }
    return body.data;
  }
}
