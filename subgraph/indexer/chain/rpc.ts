// JSON-RPC transports: plain HTTP (any Ethereum node; batched requests, timeouts, optional rate limit) and an
// adapter for in-process EIP-1193 providers (Hardhat's, ethers' BrowserProvider...). The indexer only needs
// `request` and `batch`.
import { RangeTooLargeError, RateLimitedError, RpcAbortedError, RpcConnectionError, RpcError, RpcUnavailableError } from "../errors";
import { Aborts, unlessAborted, withEitherSignal } from "../abortable";
import { redactUrl, redactUrlsIn, redactUrlsInJson, urlRedactor, type Redactor } from "../redact";
import { checkUrlForm, splitCredentials, UrlFormError } from "../url-form";
import { MIN_REQUESTS_PER_SECOND, RequestRate, SentRate, type RateLogger } from "./request-rate";

export interface RpcCall {
  readonly method: string;
  readonly params: readonly unknown[];
}

export interface RequestOptions {
  /**
   * Aborted, it ends this request at once, and its waits (a rate limit's Retry-After, the request rate's spacing, a
   * retry's backoff): it rejects with RpcAbortedError. The transport's other requests go on. The indexer gives every
   * request one, which its stop() aborts: a Retry-After would otherwise hold the stop for up to a minute, and a
   * transport the caller passed in may serve others than the indexer.
   */
  signal?: AbortSignal;
}

export interface RpcTransport {
  request<T>(method: string, params: readonly unknown[], options?: RequestOptions): Promise<T>;
  /** Results in call order. A failed call rejects the whole batch with its RpcError. */
  batch<T>(calls: readonly RpcCall[], options?: RequestOptions): Promise<T[]>;
  /** Human-readable endpoint for logs. */
  readonly description: string;
  /**
   * Ends at once every request begun before it, whoever made it, and their waits: they reject with RpcAbortedError.
   * Requests begun later are sent as usual, after what the node asked to wait. The indexer never calls it (it aborts
   * its own requests' signals).
   */
  abort?(): void;
  /** As abort(), and every later request rejects with RpcAbortedError too. The indexer calls it on a transport it created. */
  close?(): void;
}

export interface Eip1193Provider {
  /**
   * `options.signal` is aborted when the request is given up: viem's client (2.x) then ends its HTTP request and its
   * retries. Providers whose `request` takes one argument (Hardhat's, most others) ignore it; the request is then given
   * up unanswered.
   */
  request(args: { method: string; params?: unknown[] }, options?: { signal?: AbortSignal }): Promise<unknown>;
}

// Messages nodes and providers use when eth_getLogs covers too much (geth, erigon, Alchemy, Infura, QuickNode,
// Ankr, Hardhat...). Matching any of them means: retry with a smaller block range.
const RANGE_TOO_LARGE =
  /too many|limit exceeded|exceeds? (the )?(max|limit)|response size|returned more than|block range|range (is )?too (large|wide|big)|max results|10000 results/i;

// A node that gave up the query ("query timeout exceeded", "request timed out", "statement timeout"): a smaller range
// asks it for less. Unless it is a connect timeout (CONNECT_TIMEOUT), which no range caused.
const TIMEOUT = /timeout|timed out/i;

// A connection that was never made in time: undici's "Connect Timeout Error" (also as viem's "Details:" line), Node's
// "connect ETIMEDOUT <address>", a proxy's "upstream connect timeout", "connection timed out". Not the node's answer to
// a range, which the request may not even have reached: a smaller range would be no likelier to connect.
const CONNECT_TIMEOUT = /\bconnect(?:ion|ing)?[ _-]?(?:attempt[ _-]?)?(?:timeout|timed[ _-]?out|ETIMEDOUT)/i;

/** Whether an eth_getLogs refused with `message` is to be asked again with a smaller range. */
function rangeTooLarge(message: string): boolean {
  return RANGE_TOO_LARGE.test(message) || (TIMEOUT.test(message) && !CONNECT_TIMEOUT.test(message));
}

// EIP-1474's "limit exceeded": what Infura (and graph-node, which shrinks on it) take for too many logs, whatever the
// wording. Left to the patterns, a message they do not know failed every pass on the same range, for ever.
const LIMIT_EXCEEDED = -32005;

// Rate limits, whatever the method: "rate limit exceeded", "Too Many Requests", Alchemy's "exceeded its compute units
// per second capacity", Infura's "daily request count exceeded, request rate limited" and "project ID request rate
// exceeded" (both -32005)... Several would also match RANGE_TOO_LARGE ("too many", "limit exceeded") or carry -32005:
// they are looked for first, as a smaller range only means more requests against the same limit.
const RATE_LIMITED = /rate.?limit|too many requests|request rate|requests per second|request count|compute units|quota|throttl/i;

// Alchemy answers a rate limit with the HTTP status as the JSON-RPC error code.
const TOO_MANY_REQUESTS = 429;

// Bad gateway, service unavailable, gateway timeout: a load balancer with no backend up, a node restarting.
const UNAVAILABLE = new Set([502, 503, 504]);

/** How many times a request that failed in transit (see `HttpRpc.post`) is sent again before its error is thrown. */
export const TRANSIENT_RETRIES = 3;

/** The wait before the retry after `attempt` (0 first) of a request that failed in transit and named no wait. */
export function transientBackoffMs(attempt: number): number {
  return 50 * (attempt + 1);
}

/** The longest wait a node's Retry-After (or backoff_seconds) is honoured for: a day's quota must not stall for a day. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The most a request waits in all, over its transient retries, for the Retry-After of 502/503/504 answers. A node that
 * names a longer wait is down for longer than a retry within the pass is worth: its RpcUnavailableError (with the wait)
 * is thrown at once, and the pass fails, rather than stall the fetch for up to a minute per request.
 */
export const MAX_TRANSIENT_RETRY_AFTER_MS = 5_000;

function boundedWait(ms: number): number | null {
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms))) : null;
}

/** An HTTP Retry-After value (RFC 9110: seconds, or a date), in bounded milliseconds; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return boundedWait(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : boundedWait(date - now);
}

/** Infura's `data: { rate: { backoff_seconds } }` (some proxies put backoff_seconds on `data` itself). */
function backoffSeconds(data: unknown): number | null {
  if (typeof data !== "object" || data === null) return null;
  const { rate, backoff_seconds: own } = data as { rate?: { backoff_seconds?: unknown }; backoff_seconds?: unknown };
  const seconds = typeof rate?.backoff_seconds === "number" ? rate.backoff_seconds : own;
  return typeof seconds === "number" ? boundedWait(seconds * 1000) : null;
}

function rpcError(method: string, error: { code?: number; message?: string; data?: unknown }, redact: Redactor = (text) => text): RpcError {
  const message = redact(`${method} failed: ${error.message ?? "unknown error"}${error.code !== undefined ? ` (code ${error.code})` : ""}`);
  const backoff = backoffSeconds(error.data);
  if (error.code === TOO_MANY_REQUESTS || backoff !== null || RATE_LIMITED.test(error.message ?? "")) {
    return new RateLimitedError(message, method, error.code, backoff);
  }
  if (method === "eth_getLogs" && (error.code === LIMIT_EXCEEDED || rangeTooLarge(error.message ?? ""))) {
    return new RangeTooLargeError(message, method, error.code);
  }
  return new RpcError(message, method, error.code);
}

export interface HttpRpcOptions {
  /** Per-request timeout (default 30 s). A timed-out eth_getLogs counts as "range too large". */
  timeoutMs?: number;
  /**
   * At most this many HTTP requests per second (a batch is one request); 0: unlimited. The rate is halved on each
   * rate-limit answer and raised back step by step (see request-rate.ts). Default: unlimited until the first rate limit,
   * which starts the rate at half the rate measured over the last seconds, raised back step by step to that rate and
   * then unlimited again.
   */
  maxRequestsPerSecond?: number;
  /** Receives the changes of the request rate. */
  logger?: RateLogger;
  /** The clock and the wait of the request throttle and the retries (default Date.now, setTimeout): tests pass fake ones. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A wait of the transport; one given `signal` may end when it is aborted (the caller then throws RpcAbortedError). */
type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

// Its timer ends with the abort: a minute's Retry-After would otherwise keep the process of a closed indexer alive.
const sleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** The error of a request given up by its signal, or by its transport's abort() or close(). */
export function aborted(method: string): RpcAbortedError {
  return new RpcAbortedError(`${method} was given up: its signal or its transport was aborted (the indexer is stopping), or the transport closed`, method);
}

/**
 * A transport's "not before" instant: no request is sent before the latest end of a wait a node named. The indexer
 * waits a rate limit's before asking again, but the transport's other requests (the fetcher's next reads, the retries
 * of those in flight) would otherwise go at once, be refused, and, under a request rate, each halve it again.
 */
class SendHold {
  private notBefore = 0;

  constructor(
    private readonly now: () => number,
    private readonly sleep: Sleep,
  ) {}

  /** No request is sent for `ms`. The later end wins: an answer to a request sent earlier may name a shorter wait. */
  extend(ms: number): void {
    this.notBefore = Math.max(this.notBefore, this.now() + ms);
  }

  /** How long a request sent now would wait (0: none). */
  get remaining(): number {
    return Math.max(0, this.notBefore - this.now());
  }

  /**
   * Until the end of the hold, which an answer that names a wait, arriving meanwhile, may push further; or until
   * `signal` is aborted (RpcAbortedError). Resolves with how long it waited.
   */
  async passed(signal: AbortSignal, method: string): Promise<number> {
    const start = this.now();
    if (signal.aborted) throw aborted(method);
    for (let now = start; now < this.notBefore; now = this.now()) await unlessAborted(this.sleep(this.notBefore - now, signal), signal, () => aborted(method));
    return this.now() - start;
  }
}

/** The epoch of a request sent with no rate: none a rate's lowering counts. */
const UNLIMITED = -1;

/** A parsed answer, and the rate's epoch its request was scheduled in. */
interface Posted {
  readonly reply: unknown;
  readonly epoch: number;
}

/** What one request (with its retries) has waited so far in its transport's hold, in ms. */
interface Held {
  ms: number;
}

/** A request waiting for its slot of the request rate; `moved` wakes it when its slot moved earlier. */
interface SlotWaiter {
  slot: number;
  /** The interval taking the slot added to the next one. */
  readonly intervalMs: number;
  moved: () => void;
}

interface JsonRpcResponse {
  id: number;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

/**
 * fetch's own message for a request that never got an answer is "fetch failed", whatever happened: why (connect
 * ECONNREFUSED 127.0.0.1:8545, getaddrinfo ENOTFOUND host) is in its cause, whose message is empty when the connection
 * was tried at several addresses (an AggregateError, with the code).
 */
function fetchFailure(error: unknown): string {
  const message = (error as Error).message;
  const cause: unknown = (error as Error).cause;
  if (!(cause instanceof Error)) return message;
  const why = cause.message !== "" ? cause.message : ((cause as NodeJS.ErrnoException).code ?? "");
  return why === "" ? message : `${message}: ${why}`;
}

export class HttpRpc implements RpcTransport {
  private nextId = 1;
  private nextSlot = 0;
  /** The requests waiting for their slot of the request rate. */
  private readonly waiting: SlotWaiter[] = [];
  /**
   * Set by the waits rate-limit answers name, and by those of the 502/503/504 a request is asked again after: a node
   * that says when it will be back says it for every request.
   */
  private readonly hold: SendHold;
  /** Null: nothing to throttle (no maxRequestsPerSecond, and no rate limit since `measured` last restarted). */
  private rate: RequestRate | null;
  /**
   * Without maxRequestsPerSecond: the rate sent at while unlimited, which the first rate limit starts a rate from, as
   * a configured one would start it, halved. Null with maxRequestsPerSecond, 0 included (unlimited for good).
   */
  private readonly measured: SentRate | null;
  private batchUnsupported = false;
  readonly description: string;
  // The URL may hold the provider's API key, and a message may hold the URL (fetch names one it cannot parse, a node or
  // a proxy may echo it): every message this transport writes goes through it, as logs, the CLI and the gateway show them.
  private readonly redact: Redactor;
  // For a node's JSON-RPC error, whose message (parsed from its JSON: plain text) a node behind a proxy or a load
  // balancer may fill with its upstream's URL and key, which `redact` (this transport's URL only) does not know.
  private readonly redactNodeError: Redactor;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly aborts = new Aborts();
  /** The URL requests go to: the one given, without its credentials, which go in `headers`. */
  private readonly fetchUrl: string;
  private readonly headers: Record<string, string> = { "content-type": "application/json" };

  constructor(
    url: string,
    private readonly options: HttpRpcOptions = {},
  ) {
    // A URL fetch cannot use (a port out of range, no scheme, `ws://`) would fail every request as a connection error,
    // which `run()` takes for a node that is down and retries for ever: it is refused here, as the CLI refuses its
    // --rpc, quoting nothing after the scheme.
    let parsed: URL;
    try {
      parsed = checkUrlForm(url, ["http", "https"]);
    } catch (error) {
      if (error instanceof UrlFormError) throw new UrlFormError(`HttpRpc: the node's URL ${error.message}`);
      throw error;
    }
    // A node behind basic authentication (`https://user:password@host/…`): fetch refuses such a URL.
    const { url: fetchUrl, basicAuthorization } = splitCredentials(parsed);
    if (basicAuthorization !== null) this.headers.authorization = basicAuthorization;
    this.fetchUrl = fetchUrl;
    this.description = redactUrlsIn(redactUrl(url));
    this.redact = urlRedactor([{ url }]);
    this.redactNodeError = (text) => redactUrlsIn(this.redact(text));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
    this.hold = new SendHold(this.now, this.sleep);
    const rps = options.maxRequestsPerSecond;
    this.rate = rps === undefined || rps <= 0 ? null : new RequestRate(rps, this.now, options.logger);
    this.measured = rps === undefined ? new SentRate(this.now) : null;
  }

  /** The requests per second the transport sends at most now (null: unlimited). */
  get requestsPerSecond(): number | null {
    return this.rate?.current ?? null;
  }

  abort(): void {
    this.aborts.abort();
  }

  close(): void {
    this.aborts.close();
  }

  /**
   * Waits for the end of any wait a rate limit or an unavailable node named (adding it to `held`), then for the
   * request's slot; returns the rate's epoch it was scheduled in (see RequestRate.limited).
   */
  private async throttle(signal: AbortSignal, method: string, held: Held): Promise<number> {
    held.ms += await this.hold.passed(signal, method);
    const rate = this.rate;
    if (rate === null) {
      this.measured?.sent();
      return UNLIMITED;
    }
    const epoch = rate.epoch;
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + rate.intervalMs;
    if (slot > now) {
      await this.slotReached({ slot, intervalMs: rate.intervalMs, moved: () => undefined }, signal, method);
      // An answer meanwhile may have named a wait past the slot.
      held.ms += await this.hold.passed(signal, method);
    }
    return epoch;
  }

  /**
   * Until the clock reaches `waiter`'s slot, which may move earlier meanwhile. Given up first (its signal), the request
   * hands its slot on: each later request still waiting moves one slot earlier, as does the next slot to be taken.
   * Abandoned ranges (a prefetch's, ended by a refused range) would otherwise hold back the requests still wanted by
   * an interval each.
   */
  private async slotReached(waiter: SlotWaiter, signal: AbortSignal, method: string): Promise<void> {
    this.waiting.push(waiter);
    try {
      for (let now = this.now(); now < waiter.slot; now = this.now()) {
        // Ends the wait's timer (the default sleep's) on a move or an abort, as the slot it is for is no longer the
        // request's. Not AbortSignal.any: `signal` may be the transport's, which lives as long as it does.
        const wake = new AbortController();
        const woken = new Promise<void>((resolve) => (waiter.moved = () => (wake.abort(), resolve())));
        const end = (): void => wake.abort();
        signal.addEventListener("abort", end, { once: true });
        try {
          await unlessAborted(Promise.race([this.sleep(waiter.slot - now, wake.signal), woken]), signal, () => aborted(method));
        } finally {
          signal.removeEventListener("abort", end);
        }
      }
    } catch (error) {
      for (const later of this.waiting) {
        if (later.slot <= waiter.slot) continue;
        later.slot -= waiter.intervalMs;
        later.moved();
      }
      this.nextSlot -= waiter.intervalMs;
      throw error;
    } finally {
      this.waiting.splice(this.waiting.indexOf(waiter), 1);
    }
  }

  /** The node's answer to a request scheduled in `epoch` refused it for its rate: `error`, which the caller throws. */
  private limited(error: RateLimitedError, epoch: number): RateLimitedError {
    const measured = this.rate === null ? (this.measured?.perSecond ?? 0) : 0;
    // At the floor already, a rate would lower nothing, and each refusal would start (and log) another.
    if (measured > MIN_REQUESTS_PER_SECOND) {
      this.rate = new RequestRate(measured, this.now, this.options.logger, "measured");
      // Lowered now, once: the refusals of the other requests sent unlimited (UNLIMITED) do not lower it again.
      epoch = this.rate.epoch;
    }
    this.rate?.limited(epoch);
    // Already at most MAX_RETRY_AFTER_MS.
    if (error.retryAfterMs !== null) this.hold.extend(error.retryAfterMs);
    return error;
  }

  /** A request was answered, not for its rate. */
  private answered(): void {
    const rate = this.rate;
    if (rate === null) return;
    rate.answered();
    // Back at the rate the first rate limit measured, which is no limit of the node's: unlimited again, until a rate
    // limit measures anew.
    if (this.measured !== null && rate.atMax) {
      this.rate = null;
      this.measured.restart();
    }
  }

  /**
   * Failures in transit, which say nothing about the request, are retried a few times before giving up (JSON-RPC
   * reads are safe to repeat): a kept-alive socket the server closed meanwhile (e.g. Node's 5 s keepAliveTimeout) or a
   * refused connection, and HTTP 502/503/504 (a load balancer between backends, a node restarting). Failing the pass on
   * the first would log it and wait a poll; shrinking an eth_getLogs range for it would only mean more requests.
   * A 502/503/504 with a Retry-After is asked again after that wait instead, as long as the waits stay within
   * MAX_TRANSIENT_RETRY_AFTER_MS in all, and the transport's other requests wait it too: sent meanwhile, they would
   * only be turned away in turn. A longer wait holds none of them: the request fails at once, and so does the pass.
   * "In all" counts every wait of the request in the transport's hold, those other requests' answers named included
   * (a rate limit's, another 503's): with several 503s at once each request would otherwise wait the others' too.
   */
  private async post(body: unknown, method: string, signal: AbortSignal): Promise<Posted> {
    const held: Held = { ms: 0 };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.postOnce(body, method, signal, held);
      } catch (error) {
        const transient = error instanceof RpcUnavailableError || error instanceof RpcConnectionError;
        if (!transient || attempt >= TRANSIENT_RETRIES) throw error;
        const named = error instanceof RpcUnavailableError ? error.retryAfterMs : null;
        // The retry waits the named wait, or the hold others' answers set, if that ends later.
        if (named !== null && held.ms + Math.max(named, this.hold.remaining) > MAX_TRANSIENT_RETRY_AFTER_MS) throw error;
        if (named === null) {
          await unlessAborted(this.sleep(transientBackoffMs(attempt), signal), signal, () => aborted(method));
        } else {
          // postOnce waits it, in throttle, which counts it in `held`.
          this.hold.extend(named);
        }
      }
    }
  }

  private async postOnce(body: unknown, method: string, signal: AbortSignal, held: Held): Promise<Posted> {
    const epoch = await this.throttle(signal, method, held);
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const controller = new AbortController();
    // Until the whole body is read: a node can send its headers and then stall.
    const timeout = setTimeout(() => controller.abort(), timeoutMs);
    // Its signal (the transport's abort(), or the request's own) ends it too: a node that takes its time must not hold
    // the indexer's stop.
    const abort = (): void => controller.abort();
    signal.addEventListener("abort", abort, { once: true });
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.fetchUrl, {
        method: "POST",
        headers: this.headers,
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw aborted(method);
      const timedOut = controller.signal.aborted;
      // fetch names the URL it cannot parse (a port out of range), which the redactor, knowing only URLs that parse,
      // leaves whole: every URL in fetch's message is cut.
      const message = timedOut ? `${method} timed out after ${timeoutMs} ms` : this.redact(`${method} failed: ${redactUrlsIn(fetchFailure(error))}`);
      if (!timedOut) throw new RpcConnectionError(message, method, undefined, { cause: error });
      throw method === "eth_getLogs"
        ? new RangeTooLargeError(message, method, undefined, { cause: error })
        : new RpcError(message, method, undefined, { cause: error });
    } finally {
      clearTimeout(timeout);
      signal.removeEventListener("abort", abort);
    }
    if (!response.ok) {
      if (response.status === 413 && method === "eth_getLogs") throw new RangeTooLargeError(`${method}: HTTP 413`, method);
      if (response.status === TOO_MANY_REQUESTS) {
        const message = this.redact(`${method}: HTTP 429 ${bodyExcerpt(text)}`);
        throw this.limited(new RateLimitedError(message, method, undefined, retryAfterMs(response.headers.get("retry-after"), this.now())), epoch);
      }
      // The body may name other URLs than the transport's (an upstream's, behind a proxy), with their keys.
      const message = this.redact(`${method}: HTTP ${response.status} ${bodyExcerpt(text)}`);
      if (!UNAVAILABLE.has(response.status)) throw new RpcError(message, method);
      throw new RpcUnavailableError(message, method, response.status, retryAfterMs(response.headers.get("retry-after"), this.now()));
    }
    try {
      return { reply: JSON.parse(text) as unknown, epoch };
    } catch (error) {
      throw new RpcError(this.redact(`${method}: response is not JSON: ${bodyExcerpt(text)}`), method, undefined, { cause: error });
    }
  }

  request<T>(method: string, params: readonly unknown[], options: RequestOptions = {}): Promise<T> {
    return withEitherSignal(this.aborts.signal, options.signal, (signal) => this.requestWith<T>(method, params, signal));
  }

  private async requestWith<T>(method: string, params: readonly unknown[], signal: AbortSignal): Promise<T> {
    const id = this.nextId++;
    const { reply, epoch } = await this.post({ jsonrpc: "2.0", id, method, params }, method, signal);
    const { error, result } = reply as JsonRpcResponse;
    if (error !== undefined) {
      const refusal = rpcError(method, error, this.redactNodeError);
      throw refusal instanceof RateLimitedError ? this.limited(refusal, epoch) : refusal;
    }
    this.answered();
    return result as T;
  }

  /** The calls as separate requests, a few at a time. */
  private async oneByOne<T>(calls: readonly RpcCall[], signal: AbortSignal): Promise<T[]> {
    const results: T[] = [];
    for (let i = 0; i < calls.length; i += 8) {
      const chunk = calls.slice(i, i + 8);
      results.push(...(await Promise.all(chunk.map((c) => this.requestWith<T>(c.method, c.params, signal)))));
    }
    return results;
  }

  batch<T>(calls: readonly RpcCall[], options: RequestOptions = {}): Promise<T[]> {
    return withEitherSignal(this.aborts.signal, options.signal, (signal) => this.batchWith<T>(calls, signal));
  }

  private async batchWith<T>(calls: readonly RpcCall[], signal: AbortSignal): Promise<T[]> {
    if (calls.length === 0) return [];
    if (calls.length === 1) return [await this.requestWith<T>(calls[0]!.method, calls[0]!.params, signal)];
    const first = this.nextId;
    this.nextId += calls.length;
    const body = calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params }));
    if (this.batchUnsupported) return this.oneByOne<T>(calls, signal);
    const { reply, epoch } = await this.post(body, calls[0]!.method, signal);
    if (!Array.isArray(reply)) {
      // A rate limit answered to the whole batch says nothing about batches: sending the calls one by one for good
      // would only multiply the requests that hit it.
      const error = (reply as JsonRpcResponse | null)?.error;
      const refusal = error === undefined ? null : rpcError(calls[0]!.method, error, this.redactNodeError);
      if (refusal instanceof RateLimitedError) throw this.limited(refusal, epoch);
      // Some endpoints refuse JSON-RPC batches (one error object instead of an array): send the calls one by
      // one from now on.
      this.batchUnsupported = true;
      return this.oneByOne<T>(calls, signal);
    }
    const results = new Array<T>(calls.length);
    const seen = new Set<number>();
    for (const item of reply as JsonRpcResponse[]) {
      const index = item.id - first;
      if (index < 0 || index >= calls.length) continue;
      if (item.error !== undefined) {
        const refusal = rpcError(calls[index]!.method, item.error, this.redactNodeError);
        throw refusal instanceof RateLimitedError ? this.limited(refusal, epoch) : refusal;
      }
      results[index] = item.result as T;
      seen.add(index);
    }
    if (seen.size !== calls.length) throw new RpcError(`batch of ${calls.length} answered ${seen.size} calls`, calls[0]!.method);
    this.answered();
    return results;
  }
}

/** An error an EIP-1193 provider threw, as far as it says anything: each field may be absent or of another type. */
interface ProviderFailure {
  code?: unknown;
  message?: unknown;
  data?: unknown;
  status?: unknown;
  headers?: unknown;
  cause?: unknown;
}

/**
 * The HTTP status, and its Retry-After, of the request a provider over a remote node made, where its error carries
 * them: viem's HttpRequestError and RpcRequestError (`status`, `headers`), also as another error's `cause`.
 */
function httpFailure(error: unknown): { status: number; retryAfter: string | null } | null {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as ProviderFailure).cause, depth++) {
    const { status, headers } = e as ProviderFailure;
    if (typeof status !== "number" || status < 400 || status > 599) continue;
    const get = (headers as { get?: unknown } | null | undefined)?.get;
    const retryAfter = typeof get === "function" ? (get.call(headers, "retry-after") as unknown) : null;
    return { status, retryAfter: typeof retryAfter === "string" ? retryAfter : null };
  }
  return null;
}

// The errors Hardhat's HttpProvider throws for a request that got no JSON-RPC answer, by their `number`: HH108 "Cannot
// connect to the network" (a refused connection), HH109 "Network connection timed out", and HH110 "Invalid JSON-RPC
// response received" (any answer it cannot parse as JSON-RPC, whatever the answer's HTTP status, which it does not keep).
const HARDHAT_CANNOT_CONNECT = 108;
const HARDHAT_NETWORK_TIMEOUT = 109;
const HARDHAT_INVALID_JSON_RESPONSE = 110;

// Hardhat's HttpProvider on undici 5 throws its timeout as undici's error, not as HH109: HH109 is only for an error of
// `type` "request-timeout", which undici's never are. Its timeout is undici's headersTimeout; a body that stalls after
// the headers ends on undici's bodyTimeout.
const UNDICI_TIMEOUTS: ReadonlySet<string> = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

// What Hardhat's HttpProvider passes on as undici threw it for a connection lost before the answer, or never made: the
// node closed (undici's "other side closed") or reset a socket (a kept-alive one it timed out meanwhile, a node
// restarting), or undici's connect timed out. fetch, under HttpRpc, fails on the same with "fetch failed", taken for a
// failure in transit: they are taken as it takes them. Not a timeout of the answer: the request may not have arrived.
const UNDICI_CONNECTION_FAILURES: ReadonlySet<string> = new Set(["UND_ERR_SOCKET", "ECONNRESET", "UND_ERR_CONNECT_TIMEOUT"]);

// Node's own errors for a connection never made or lost, which Hardhat's provider throws as they are (but for
// ECONNREFUSED, its HH108) and viem's keeps as the cause of fetch's "fetch failed": a write to a socket the node closed
// (EPIPE), a refused connection, no route to the host, and a name that did not resolve. fetch fails on each with
// "fetch failed", which HttpRpc sends again as a failure in transit: so are they. ENOTFOUND too, although it is as
// often a misspelt host as a resolver's blip (a container's name not registered yet, a lost answer that some resolvers
// report so rather than as EAI_AGAIN): three resends cost 300 ms before the error, which keeps the code in its message.
// Not ETIMEDOUT: some clients (got) name their own timeout of the answer so.
const SYSTEM_CONNECTION_FAILURES: ReadonlySet<string> = new Set(["EPIPE", "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

// undici's class of its connect timeout (UND_ERR_CONNECT_TIMEOUT), by name: a client that copies the error without its
// code (or a bundled undici whose errors are of another class) keeps the name.
const UNDICI_CONNECT_TIMEOUT_NAME = "ConnectTimeoutError";

interface HardhatFailure {
  _isHardhatError?: unknown;
  number?: unknown;
  messageArguments?: unknown;
}

/** The number of a Hardhat error (108 for HH108); null for any other error. */
function hardhatErrorNumber(error: unknown): number | null {
  if (typeof error !== "object" || error === null) return null;
  const { _isHardhatError, number } = error as HardhatFailure;
  return _isHardhatError === true && typeof number === "number" ? number : null;
}

/**
 * Whether the error, or an error of its `cause` chain, has a string `code` (undici's and Node's) in `codes`: Hardhat's
 * provider throws undici's and Node's errors as they are, viem's keeps them as the cause of fetch's TypeError, itself
 * the cause of its HttpRequestError.
 */
function hasCode(error: unknown, codes: ReadonlySet<string>): boolean {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as ProviderFailure).cause, depth++) {
    const { code } = e as ProviderFailure;
    if (typeof code === "string" && codes.has(code)) return true;
  }
  return false;
}

/** The provider gave up waiting for the node's answer: Hardhat's HH109, or undici's timeout it passes on. */
function timedOut(error: unknown): boolean {
  return hardhatErrorNumber(error) === HARDHAT_NETWORK_TIMEOUT || hasCode(error, UNDICI_TIMEOUTS);
}

/**
 * Whether the provider's connect timed out, where no code says so: undici's ConnectTimeoutError by its name, Node's
 * ETIMEDOUT of a `connect` (ETIMEDOUT alone may be a client's timeout of the answer, see SYSTEM_CONNECTION_FAILURES),
 * or a message of a connect timeout in an error that is no node's JSON-RPC error (which has a numeric code: it goes
 * to rpcError, as the HTTP transport's node errors do). Matching "timeout", such an error was taken for a range too large.
 */
function connectTimedOut(error: unknown): boolean {
  // Hardhat's errors say what they are by number: its HH109 reads "Network connection timed out" but is the answer's timeout.
  if (hardhatErrorNumber(error) !== null) return false;
  if (typeof error === "object" && error !== null && typeof (error as ProviderFailure).code === "number") return false;
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as ProviderFailure).cause, depth++) {
    const { name, code, syscall, message } = e as ProviderFailure & { name?: unknown; syscall?: unknown };
    if (name === UNDICI_CONNECT_TIMEOUT_NAME || (code === "ETIMEDOUT" && syscall === "connect")) return true;
    if (typeof message === "string" && CONNECT_TIMEOUT.test(message)) return true;
  }
  return typeof error === "string" && CONNECT_TIMEOUT.test(error);
}

/**
 * The provider could not make the connection or lost it before the answer: Hardhat's HH108, undici's or Node's error,
 * a connect that timed out.
 */
function connectionFailed(error: unknown): boolean {
  return (
    hardhatErrorNumber(error) === HARDHAT_CANNOT_CONNECT ||
    hasCode(error, UNDICI_CONNECTION_FAILURES) ||
    hasCode(error, SYSTEM_CONNECTION_FAILURES) ||
    connectTimedOut(error)
  );
}

/**
 * The body of an answer the provider could not read as JSON-RPC (Hardhat's HH110 keeps it, whole, in
 * `messageArguments.response`); null for any other error.
 */
function unreadableAnswer(error: unknown): string | null {
  if (hardhatErrorNumber(error) !== HARDHAT_INVALID_JSON_RESPONSE) return null;
  const response = ((error as HardhatFailure).messageArguments as { response?: unknown } | null | undefined)?.response;
  return typeof response === "string" ? response : null;
}

/**
 * The start of an answer's body, for a message, with every URL in it cut. A JSON body (broken, or no JSON-RPC) is
 * JSON-escaped text: a URL in it ends at an escape such as `\n`, which plain text would read as its path's, hiding
 * the words after it. Any other body (a proxy's error page) is plain text, where a `\n` may start a key.
 */
function bodyExcerpt(body: string): string {
  return redactUrlsInBody(body.slice(0, 200));
}

/** `text` (an answer's body, or the start of one) with every URL in it cut, as bodyExcerpt has it. */
function redactUrlsInBody(text: string): string {
  return /^\s*[[{]/.test(text) ? redactUrlsInJson(text) : redactUrlsIn(text);
}

// A line of viem's messages that quotes JSON after its label: BaseError's metaMessages and details, one a line, as
// HttpRequestError's `Request body: {…}` (the request, stringified) and `Details: {…}` (the node's JSON-RPC error,
// stringified). Its other lines (`URL: …`, `Version: …`) and any other provider's messages are plain text.
const LABELLED_LINE = /^([A-Z][A-Za-z ]{0,30}: )([[{].*)$/;

/** Whether `text` is JSON, whole: what viem stringified, not text that only starts as JSON. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A provider's message with every URL in it cut: each line on its own, the JSON a label introduces as JSON text (a URL
 * in it ends at an escape such as `\n`, which plain text would read as its path's, hiding the words after it), the
 * rest as plain text. Unlike an answer's body, quoted whole, so read as JSON only where it is JSON: a plain text that
 * starts with a bracket (`[object Object] https://host/v2\nKEY`) may have a key after a backslash.
 */
function redactUrlsInMessage(message: string): string {
  return message
    .split("\n")
    .map((line) => {
      const labelled = LABELLED_LINE.exec(line);
      if (labelled === null || !isJson(labelled[2] as string)) return redactUrlsIn(line);
      return `${labelled[1]}${redactUrlsInJson(labelled[2] as string)}`;
    })
    .join("\n");
}

// The error page of a load balancer or proxy in front of the node: nginx's "502 Bad Gateway", "503 Service Temporarily
// Unavailable" and "504 Gateway Time-out", HAProxy's and AWS's "503 Service Unavailable", Cloudflare's "502: Bad
// gateway". The status and its reason phrase together: a number or a phrase alone could be anything on a page.
const GATEWAY_ERROR_PAGE = /\b(50[234])\b[\s:-]*(?:bad gateway|service (?:temporarily )?unavailable|gateway time-?out)/i;

/** The 502/503/504 whose error page `body` is, as far as the page says; null when it says none. */
function gatewayErrorStatus(body: string): number | null {
  const match = GATEWAY_ERROR_PAGE.exec(body);
  return match === null ? null : Number(match[1]);
}

/**
 * Whether the error is viem's own (its BaseError: `shortMessage`, `version`, `walk()`), which its client throws once
 * its retries are spent: viem's buildRequest sends again every error without a status or a JSON-RPC code (a connection
 * refused, closed or timed out) `retryCount` times (3 by default, after 150, 300 and 600 ms), as it sends a 502/503/504.
 * Sent again here too, a dead node took 16 requests and 4.5 s to fail instead of 4 and 1.1 s (measured against a
 * refused port and a node that closes every connection), and, with viem's `timeout` set above undici's connect timeout
 * (10 s, which then ends each attempt first), a host that never accepts the connection about 4 x 41 s instead of 41 s.
 * (At viem's default timeout, 10 s, its own TimeoutError comes first: a timeout of the answer, not sent again here.)
 */
function retriedByViem(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { shortMessage, version, walk } = error as { shortMessage?: unknown; version?: unknown; walk?: unknown };
  return typeof shortMessage === "string" && typeof version === "string" && typeof walk === "function";
}

/** A provider's error, classified; `resend`: it failed in transit and the provider sent it once only (see Eip1193Rpc). */
interface ProviderRefusal {
  readonly error: RpcError;
  readonly resend: boolean;
}

/**
 * What an EIP-1193 provider threw, classified as HttpRpc classifies what it receives. A provider over a remote node
 * throws that node's JSON-RPC error (Hardhat's HttpProvider, with its `data`; viem's LimitExceededRpcError), or
 * an error with the HTTP status that refused its request (viem, above; Hardhat's throws a 429 it gave up retrying as
 * `-32005` "Too Many Requests error received from <host>"). Hardhat's keeps no other status: a 502/503/504 reaches it
 * as an answer that is not JSON (HH110, with the body), which is a failure in transit only where the body is a
 * gateway's error page; any other unreadable answer (a 200 with a broken body, a URL that is no node) is the node's.
 * Hardhat's refused connection (HH108), the closed or reset one and the connect timeout undici throws through it, Node's
 * errors of a connection never made or lost (a broken pipe, a name that did not resolve...), in the error or its cause
 * chain, and its timeout (HH109, or undici's) are taken as HttpRpc takes fetch's.
 */
function providerError(method: string, error: unknown, now: number): ProviderRefusal {
  const e = (typeof error === "object" && error !== null ? error : {}) as ProviderFailure;
  // The provider knows its node's URL and we do not: viem's messages carry a "URL:" line, whose path may be a key, and
  // quote the request and the node's error as JSON, which may name other URLs.
  const message = redactUrlsInMessage(typeof e.message === "string" ? e.message : String(error));
  const code = typeof e.code === "number" ? e.code : undefined;
  const http = httpFailure(error);
  if (http !== null) {
    const text = `${method} failed: ${message} (HTTP ${http.status})`;
    if (http.status === TOO_MANY_REQUESTS) return { error: new RateLimitedError(text, method, code, retryAfterMs(http.retryAfter, now)), resend: false };
    // viem has sent it again already, as often as it was configured to.
    if (UNAVAILABLE.has(http.status)) {
      return { error: new RpcUnavailableError(text, method, http.status, retryAfterMs(http.retryAfter, now), { cause: error }), resend: false };
    }
    if (http.status === 413 && method === "eth_getLogs") return { error: new RangeTooLargeError(text, method, code), resend: false };
  }
  // As HttpRpc takes fetch's failures: a refused, reset or closed connection is sent again, and a timed-out eth_getLogs
  // asks for a smaller range.
  if (connectionFailed(error)) {
    return { error: new RpcConnectionError(`${method} failed: ${message}`, method, undefined, { cause: error }), resend: !retriedByViem(error) };
  }
  if (timedOut(error)) {
    const text = `${method} timed out: ${message}`;
    const cause = { cause: error };
    return { error: method === "eth_getLogs" ? new RangeTooLargeError(text, method, undefined, cause) : new RpcError(text, method, undefined, cause), resend: false };
  }
  const body = unreadableAnswer(error);
  if (body !== null) {
    const excerpt = bodyExcerpt(body);
    const status = gatewayErrorStatus(body);
    if (status !== null) {
      const text = `${method}: HTTP ${status} (the provider's answer was its error page, not JSON-RPC) ${excerpt}`;
      return { error: new RpcUnavailableError(text, method, status, null, { cause: error }), resend: true };
    }
    return { error: new RpcError(`${method}: the answer is not a JSON-RPC response: ${excerpt}`, method, code, { cause: error }), resend: false };
  }
  return { error: rpcError(method, { code, message, data: e.data }), resend: false };
}

export interface Eip1193RpcOptions {
  /** The clock and the wait of the hold after a rate limit (default Date.now, setTimeout): tests pass fake ones. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * An in-process provider can be rate limited as much as an HTTP endpoint when it wraps a remote node (Hardhat's
 * provider of a network with a URL, viem's): its refusals are classified as HttpRpc's, and the wait one
 * names holds every request of the transport. It retries only what the provider does not (those providers retry their
 * requests: viem a 429, a 502/503/504 and a connection failure, Hardhat a 429): Hardhat's 502/503/504, known by its
 * error page, its refused connection (HH108), a connection the node closed or reset or undici's connect timed out, and
 * Node's errors of a connection never made or lost (EPIPE, ENOTFOUND, EAI_AGAIN...: SYSTEM_CONNECTION_FAILURES), unless
 * viem's error (retriedByViem), are sent again as HttpRpc sends them, up to TRANSIENT_RETRIES times after
 * transientBackoffMs. It has no request rate
 * (maxRequestsPerSecond is the HTTP transport's).
 */
export class Eip1193Rpc implements RpcTransport {
  readonly description = "in-process EIP-1193 provider";
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly hold: SendHold;
  private readonly aborts = new Aborts();

  constructor(
    private readonly provider: Eip1193Provider,
    options: Eip1193RpcOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
    this.hold = new SendHold(this.now, this.sleep);
  }

  /**
   * Aborts the signal the provider's requests were given; those of a provider that ignores it go on, and their answers
   * are not waited for.
   */
  abort(): void {
    this.aborts.abort();
  }

  close(): void {
    this.aborts.close();
  }

  request<T>(method: string, params: readonly unknown[], options: RequestOptions = {}): Promise<T> {
    return withEitherSignal(this.aborts.signal, options.signal, (signal) => this.requestWith<T>(method, params, signal));
  }

  private async requestWith<T>(method: string, params: readonly unknown[], signal: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.hold.passed(signal, method);
      try {
        // A request given up must not go on at the node: a range fetched ahead and abandoned, or a stop, would leave it
        // (and viem's retries of it) running. A provider that ignores the signal is given up all the same.
        return (await unlessAborted(this.provider.request({ method, params: [...params] }, { signal }), signal, () => aborted(method))) as T;
      } catch (error) {
        if (error instanceof RpcAbortedError) throw error;
        const refusal = providerError(method, error, this.now());
        // A 502/503/504's wait holds nothing: the provider has retried it (viem's) or named none (Hardhat's page), and
        // the pass that fails on it has run() wait it.
        if (refusal.error instanceof RateLimitedError && refusal.error.retryAfterMs !== null) this.hold.extend(refusal.error.retryAfterMs);
        if (!refusal.resend || attempt >= TRANSIENT_RETRIES) throw refusal.error;
        await unlessAborted(this.sleep(transientBackoffMs(attempt), signal), signal, () => aborted(method));
      }
    }
  }

  batch<T>(calls: readonly RpcCall[], options: RequestOptions = {}): Promise<T[]> {
    return withEitherSignal(this.aborts.signal, options.signal, async (signal) => {
      const results: T[] = [];
      for (const call of calls) results.push(await this.requestWith<T>(call.method, call.params, signal));
      return results;
    });
  }
}
