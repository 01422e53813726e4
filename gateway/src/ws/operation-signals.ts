// graphql-ws runs a query, or a subscription's start, to its end whether or not its client still waits for it: when
// the client closes its socket, or sends `complete` for the operation, graphql-ws only drops what it would have sent.
// Each operation's reads listen to a signal of its own, aborted as soon as its client leaves it (and when the stop
// gives them up), so that a client that starts many operations and goes keeps no source busy for nobody.
import { setMaxListeners } from "node:events";
import type { RawData } from "ws";
import { followSignal, type FollowedSignal } from "../follow-signal";

/** What is heard of a connection's socket (a `ws` WebSocket): its client's messages, and its close. */
export interface ClientSocket {
  on(event: "message", listener: (data: RawData) => void): unknown;
  once(event: "close", listener: () => void): unknown;
}

/** One operation's signal: aborted when its client leaves it, or when the stop's signal aborts. */
class OperationSignal {
  // Released by end(), as graphql-ws completes the operation.
  private readonly followed: FollowedSignal;
  private left = false;

  constructor(stop: AbortSignal) {
    this.followed = followSignal([stop]);
    // Every read of the operation in flight listens on it: a query may run more than Node's ten at once.
    setMaxListeners(0, this.followed.signal);
  }

  get signal(): AbortSignal {
    return this.followed.signal;
  }

  get clientLeft(): boolean {
    return this.left;
  }

  leave(): void {
    if (!this.followed.signal.aborted) this.left = true;
    this.followed.abort();
  }

  end(): void {
    this.followed.release();
  }
}

/** The id of a graphql-transport-ws `complete` message, null for any other message. */
function completedId(text: string): string | null {
  // Most messages are subscribes and pings: only one that can be a `complete` is parsed a second time.
  if (!text.includes('"complete"')) return null;
  try {
    const message = JSON.parse(text) as { type?: unknown; id?: unknown };
    return message.type === "complete" && typeof message.id === "string" ? message.id : null;
  } catch {
    return null;
  }
}

/**
 * The signals of the operations each connection runs, by their subscribe payload (what graphql-ws hands every hook of
 * one operation: a client may reuse an id once it completed it), from their admission until graphql-ws completes them.
 */
export class OperationSignals {
  // The operations of each connection still running, by id: whom a `complete` names.
  private readonly running = new WeakMap<object, Map<string, object>>();
  private readonly signals = new WeakMap<object, OperationSignal>();

  /**
   * Hears `connection`'s client leave its operations: its `socket` closing, or a `complete` for one of them. Called once
   * per connection, before any of its operations is opened.
   */
  watch(connection: object, socket: ClientSocket): void {
    this.running.set(connection, new Map());
    socket.on("message", (data) => {
      const id = completedId(String(data));
      const payload = id === null ? undefined : this.running.get(connection)?.get(id);
      if (id === null || payload === undefined) return;
      this.running.get(connection)?.delete(id);
      this.signals.get(payload)?.leave();
    });
    socket.once("close", () => {
      const mine = this.running.get(connection);
      this.running.delete(connection);
      for (const payload of mine?.values() ?? []) this.signals.get(payload)?.leave();
    });
  }

  /**
   * The signal of operation `id` of `connection`, run for `payload`: aborted once its client leaves it (its socket
   * closes, or it sends `complete` for `id`), or once `stop` aborts.
   */
  open(connection: object, id: string, payload: object, stop: AbortSignal): AbortSignal {
    const operation = new OperationSignal(stop);
    this.signals.set(payload, operation);
    const mine = this.running.get(connection);
    // A connection that closed already (or was never watched): its client is gone.
    if (mine === undefined) operation.leave();
    else mine.set(id, payload);
    return operation.signal;
  }

  /** Whether the client of `payload` left it (before the stop gave it up). */
  clientLeft(payload: object): boolean {
    return this.signals.get(payload)?.clientLeft === true;
  }

  /** graphql-ws completed operation `id` of `connection`, run for `payload`: its signal no longer listens on the stop. */
  end(connection: object, id: string, payload: object): void {
    this.signals.get(payload)?.end();
    const mine = this.running.get(connection);
    if (mine?.get(id) === payload) mine.delete(id);
  }
}
