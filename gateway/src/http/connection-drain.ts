// How the HTTP server's connections end when it stops: each as soon as it has no request in flight (a keep-alive
// connection left open would hold the stop for the whole grace), and, at the end of the grace, what is still
// unanswered is told the gateway is shutting down rather than dropped.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { ANSWER_HANDOVER_MS } from "../answer-handover";
import { ErrorCode, shuttingDown } from "../errors";
import { HttpRefusal, sendRefusal } from "./refusal";

export class ConnectionDrain {
  /** The responses not yet ended, by connection (more than one where a client pipelines). */
  private readonly inFlight = new Map<Socket, Set<ServerResponse>>();
  private readonly answeredOnStop = new WeakSet<ServerResponse>();
  private draining = false;

  /**
   * `onRefused` hears of each response {@link refuseUnanswered} answers, as it answers it (its request's log line).
   * `handoverMs`: how long {@link refuseUnanswered} waits for those answers to be written.
   */
  constructor(
    private readonly server: Server,
    private readonly onRefused: (res: ServerResponse, refusal: HttpRefusal) => void = () => undefined,
    private readonly handoverMs: number = ANSWER_HANDOVER_MS,
  ) {
    server.on("request", (req: IncomingMessage, res: ServerResponse) => this.track(req.socket, res));
  }

  /** Whether `res` was answered by {@link refuseUnanswered}: its handler's late answer has nowhere to go. */
  wasAnsweredOnStop(res: ServerResponse): boolean {
    return this.answeredOnStop.has(res);
  }

  /** From now on a connection closes once its last request is answered; those with none in flight close now. */
  drain(): void {
    this.draining = true;
    for (const responses of this.inFlight.values()) for (const res of responses) closeAfter(res);
    this.server.closeIdleConnections();
  }

  /**
   * The end of the grace: a request whose response has not started is answered 503 SHUTTING_DOWN (its connection
   * closed once that is written), one whose response has started can only be dropped. Resolves once those answers are
   * written: the server's remaining connections may then all be closed without cutting one short. A connection whose
   * answer is not written within `handoverMs` (a client that reads nothing, its buffers full) is closed then.
   */
  async refuseUnanswered(): Promise<void> {
    const answered: Promise<void>[] = [];
    const refused = new Set<Socket>();
    for (const [socket, responses] of this.inFlight) {
      if ([...responses].some((res) => res.headersSent)) {
        socket.destroy();
        continue;
      }
      for (const res of responses) {
        const refusal = new HttpRefusal(503, shuttingDown().message, ErrorCode.ShuttingDown);
        this.answeredOnStop.add(res);
        closeAfter(res);
        answered.push(new Promise((resolve) => res.once("close", () => resolve())));
        refused.add(socket);
        sendRefusal(res, refusal);
        this.onRefused(res, refusal);
      }
    }
    let timer: NodeJS.Timeout | undefined;
    const handedOver = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.handoverMs);
    });
    try {
      const written = await Promise.race([Promise.all(answered).then(() => true), handedOver]);
      if (written) return;
      // Destroying a socket closes its responses: the answers still unwritten resolve as they close.
      for (const socket of refused) if (this.inFlight.has(socket)) socket.destroy();
      await Promise.all(answered);
    } finally {
      clearTimeout(timer);
    }
  }

  private track(socket: Socket, res: ServerResponse): void {
    let responses = this.inFlight.get(socket);
    if (responses === undefined) {
      responses = new Set();
      this.inFlight.set(socket, responses);
    }
    responses.add(res);
    if (this.draining) closeAfter(res);
    res.once("close", () => {
      responses.delete(res);
      if (responses.size > 0) return;
      this.inFlight.delete(socket);
      // A response begun before the drain may have promised keep-alive: nothing else would close its connection.
      if (this.draining) socket.destroy();
    });
  }
}

/** Has Node close the response's connection once it is written, where its headers are not sent yet. */
function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
}
