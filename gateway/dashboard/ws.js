// A minimal graphql-ws client (the graphql-transport-ws protocol): connection_init → connection_ack, then
// subscribe / next / error / complete per operation, ping / pong both ways. It reconnects with exponential
// backoff and re-subscribes every active operation, so a restarted gateway or a dropped network heals by itself.

const PROTOCOL = "graphql-transport-ws";
const ACK_TIMEOUT_MS = 10_000;
/** The client pings this often when idle, and gives up on a socket that does not pong within PONG_TIMEOUT_MS. */
const PING_INTERVAL_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/** ws(s)://<this page's host>/graphql */
export function defaultSocketUrl() {
  const url = new URL("/graphql", location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

export class LiveClient {
  /**
   * @param url the graphql-ws endpoint
   * @param onState called with "connecting", "live" or "offline" (and the delay before the next try, in ms)
   */
  constructor(url, onState) {
    this.url = url;
    this.onState = onState;
    this.operations = new Map();
    this.nextId = 1;
    this.socket = null;
    this.acknowledged = false;
    this.attempt = 0;
    this.timers = {};
    this.closed = false;
    this.connect();
  }

  /**
   * Starts an operation; `sink.next(result)` gets each `next` payload ({data, errors}), `sink.error(errors)` the
   * operation's errors (it then ends). Returns a function that stops it.
   */
  subscribe(query, variables, sink) {
    const id = String(this.nextId++);
    this.operations.set(id, { payload: { query, variables }, sink });
    if (this.acknowledged) this.send({ id, type: "subscribe", payload: { query, variables } });
    return () => {
      if (!this.operations.delete(id)) return;
      if (this.acknowledged) this.send({ id, type: "complete" });
    };
  }

  close() {
    this.closed = true;
    if (this.socket !== null) this.drop(this.socket, 1000, "page closed");
    this.clearTimers();
  }

  /**
   * Tries now rather than at the end of the pause it waits, which grows to 30 s: for when the gateway is known to be
   * back (it answered over HTTP), so that the page is not left offline for half a minute after a restart.
   */
  reconnectNow() {
    if (this.closed || this.socket !== null || this.timers.reconnect === undefined) return;
    clearTimeout(this.timers.reconnect);
    delete this.timers.reconnect;
    this.connect();
  }

  connect() {
    this.onState("connecting");
    const socket = new WebSocket(this.url, PROTOCOL);
    this.socket = socket;
    this.acknowledged = false;
    socket.onopen = () => {
      this.send({ type: "connection_init" });
      this.timers.ack = setTimeout(() => this.drop(socket, 4408, "connection_ack timed out"), ACK_TIMEOUT_MS);
    };
    socket.onmessage = (event) => this.receive(socket, event.data);
    // A failed connection fires error then close: reconnecting on close covers both.
    socket.onclose = () => this.drop(socket);
  }

  /**
   * Gives up on `socket` and schedules the next connection. It does not wait for the closing handshake, which a
   * dead connection never completes.
   */
  drop(socket, code, reason) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.acknowledged = false;
    this.clearTimers();
    if (code !== undefined) socket.close(code, reason);
    if (!this.closed) this.scheduleReconnect();
  }

  scheduleReconnect() {
    // Full jitter keeps many pages from reconnecting to a restarted gateway at the same moment.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.attempt++;
    this.onState("offline", delay);
    this.timers.reconnect = setTimeout(() => this.connect(), delay);
  }

  receive(socket, text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      this.drop(socket, 4400, "invalid message");
      return;
    }
    this.armKeepAlive(socket);
    const operation = message.id === undefined ? undefined : this.operations.get(message.id);
    switch (message.type) {
      case "connection_ack":
        clearTimeout(this.timers.ack);
        this.acknowledged = true;
        this.attempt = 0;
        this.onState("live");
        for (const [id, op] of this.operations) this.send({ id, type: "subscribe", payload: op.payload });
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "pong":
        break;
      case "next":
        operation?.sink.next(message.payload);
        break;
      case "error":
        this.operations.delete(message.id);
        operation?.sink.error(message.payload);
        break;
      case "complete":
        this.operations.delete(message.id);
        break;
      default:
        this.drop(socket, 4400, `unexpected message type ${message.type}`);
    }
  }

  /** After each message: ping when the socket has been quiet for a while, and drop it if the pong never comes. */
  armKeepAlive(socket) {
    clearTimeout(this.timers.ping);
    clearTimeout(this.timers.pong);
    this.timers.ping = setTimeout(() => {
      this.send({ type: "ping" });
      this.timers.pong = setTimeout(() => this.drop(socket, 4408, "pong timed out"), PONG_TIMEOUT_MS);
    }, PING_INTERVAL_MS);
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  clearTimers() {
    for (const timer of Object.values(this.timers)) clearTimeout(timer);
    this.timers = {};
  }
}
