// One graphql-ws subscription to the gateway's `jobOpened`, on its own WebSocket, as a pull-style stream of the
// raw Job objects. It does not reconnect (reconnectingJobSource does, around the whole gateway connection); it
// ends with a typed error when the socket closes, and pings the server so that a connection that died silently
// (a half-open TCP connection to a machine that went away) is noticed and closed too.
//
// A handshake answered with an HTTP status instead of an upgrade (a wrong path's 404, an auth proxy's 401/403) ends
// the feed with an HttpStatusError, as the same status on a query does, so that reconnectingJobSource applies one rule
// to both: fatal before the gateway first worked (a wrong URL), retried after. ws reports the status as data only in
// its 'unexpected-response' event; graphql-ws passes on just the error and close events that follow.

import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { AsyncQueue } from "./async-queue";
import { GatewayConnectionError, GatewayProtocolError, GatewayResponseError, graphQLErrorEntries } from "./gateway-errors";
import { HttpStatusError } from "./retry";
import { isJsonObject } from "./validate";

export interface JobFeedOptions {
  url: string;
  query: string;
  variables: Record<string, unknown>;
  /** The subscription's root field in `data`, e.g. "jobOpened". */
  field: string;
  /** How often to ping the server; a pong missing for as long again closes the connection. */
  keepAliveMs: number;
  /** How long to wait for the server to acknowledge the connection. */
  connectTimeoutMs: number;
  /** The most events kept while the consumer is not reading; a new one beyond drops the oldest. */
  bufferLimit: number;
  /** Called for each event dropped so (`dropped`: how many so far). */
  onDrop?: (dropped: number) => void;
}

// graphql-ws reports a socket closing with the close event itself, which is not an Error.
interface CloseEventLike {
  code: number;
  reason?: unknown;
}

function isCloseEvent(value: unknown): value is CloseEventLike {
  return typeof value === "object" && value !== null && typeof (value as { code?: unknown }).code === "number";
}

/** What a graphql-ws sink or listener received, as one of the gateway error types. */
function toFeedError(url: string, received: unknown): Error {
  if (
    received instanceof GatewayConnectionError ||
    received instanceof GatewayProtocolError ||
    received instanceof GatewayResponseError
  ) {
    return received;
  }
  if (Array.isArray(received)) return new GatewayResponseError("the jobOpened subscription", graphQLErrorEntries(received));
  if (isCloseEvent(received)) {
    const reason = typeof received.reason === "string" ? received.reason : "";
    return new GatewayConnectionError(url, received.code, reason);
  }
  const error = socketError(received);
  if (error !== undefined) return new GatewayConnectionError(url, undefined, error.message, { cause: error });
  return new GatewayConnectionError(url, undefined, String(received));
}

// ws reports a socket's failure (ECONNREFUSED, a TLS error) to graphql-ws as an ErrorEvent, which is no Error: the
// socket's error is its `error` field.
function socketError(received: unknown): Error | undefined {
  if (received instanceof Error) return received;
  const wrapped = typeof received === "object" && received !== null ? (received as { error?: unknown }).error : undefined;
  return wrapped instanceof Error ? wrapped : undefined;
}

// Our own code for "the server stopped answering pings" (graphql-ws leaves that to the application).
const PONG_TIMEOUT_CLOSE_CODE = 4408;

export class JobFeed {
  private readonly queue: AsyncQueue<unknown>;
  private droppedEvents = 0;
  private readonly client: Client;
  private readonly unsubscribe: () => void;
  /** Resolves once the server acknowledged the connection; rejects if the connection fails first. */
  readonly connected: Promise<void>;

  constructor(private readonly options: JobFeedOptions) {
    this.queue = new AsyncQueue<unknown>(options.bufferLimit, () => {
      this.droppedEvents += 1;
      options.onDrop?.(this.droppedEvents);
    });
    let acknowledged!: () => void;
    let refused!: (error: Error) => void;
    this.connected = new Promise<void>((resolve, reject) => {
      acknowledged = resolve;
      refused = reject;
    });
    // Whoever awaits `connected` sees the failure; the queue carries it too, so an unobserved rejection is fine.
    this.connected.catch(() => undefined);
    let handshakeStatus: number | undefined;
    // With a listener for 'unexpected-response', ws leaves ending the handshake to it: terminate() ends it as ws
    // otherwise would, with an error and a close event.
    class StatusRecordingWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        this.once("unexpected-response", (_request, response) => {
          handshakeStatus = response.statusCode;
          this.terminate();
        });
      }
    }
    const fail = (received: unknown): void => {
      const error =
        handshakeStatus === undefined ? toFeedError(options.url, received) : new HttpStatusError(options.url, handshakeStatus);
      refused(error);
      this.queue.fail(error);
    };

    let socket: WebSocket | undefined;
    let pongTimer: NodeJS.Timeout | undefined;
    this.client = createClient({
      url: options.url,
      webSocketImpl: StatusRecordingWebSocket,
      lazy: true,
      // Reconnection is the JobSource's business (with the worker's backoff and a fresh openJobs catch-up).
      retryAttempts: 0,
      shouldRetry: () => false,
      keepAlive: options.keepAliveMs,
      connectionAckWaitTimeout: options.connectTimeoutMs,
      on: {
        connected: (opened) => {
          socket = opened as WebSocket;
          acknowledged();
        },
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => {
            if (socket?.readyState === WebSocket.OPEN) socket.close(PONG_TIMEOUT_CLOSE_CODE, "no pong from the server");
          }, options.keepAliveMs);
          pongTimer.unref();
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        closed: (event) => {
          clearTimeout(pongTimer);
          fail(event);
        },
        error: (error) => fail(error),
      },
    });
    this.unsubscribe = this.client.subscribe(
      { query: options.query, variables: options.variables },
      {
        next: (result) => {
          if (result.errors !== undefined && result.errors.length > 0) {
            fail(result.errors);
            return;
          }
          const data = result.data;
          if (!isJsonObject(data) || !(options.field in data)) {
            fail(new GatewayProtocolError(options.url, `a subscription event without data.${options.field}`));
            return;
          }
          this.queue.push(data[options.field]);
        },
        error: (error) => fail(error),
        complete: () => {
          // The server ended the subscription (e.g. it is shutting down): the connection is as good as gone.
          fail(new GatewayConnectionError(options.url, undefined, "the server completed the subscription"));
        },
      },
    );
  }

  /** Events dropped from a full buffer since the feed was opened. */
  get dropped(): number {
    return this.droppedEvents;
  }

  /** The subscription's payloads (`data[field]`), until the connection fails (thrown) or `signal` aborts. */
  events(signal: AbortSignal): AsyncGenerator<unknown> {
    return this.queue.drain(signal);
  }

  async close(): Promise<void> {
    this.queue.end();
    this.unsubscribe();
    await this.client.dispose();
  }
}
