// ConnectionDrain over a bare HTTP server whose handler the test drives: the answers begun before the drain.
import { expect } from "chai";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { ConnectionDrain } from "../../../gateway/src/http/connection-drain";
import { waitUntil } from "../../helpers/wait";

/**
 * A server on 127.0.0.1 that begins each answer (its headers, one byte of two) and holds the rest until the test
 * calls `finish`. Its keep-alive connections never time out: only what closes them ends a close.
 */
async function serverBeginningAnswers() {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
    res.write("o");
    held.push(res);
  });
  server.keepAliveTimeout = 0;
  const drain = new ConnectionDrain(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const closed = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { server, drain, url, held, closed, finish: () => held.splice(0).forEach((res) => res.end("k")) };
}

/** GETs `url` over `agent`: its body, or "dropped" when the connection closed before it was whole. */
function get(url: string, agent: http.Agent): Promise<string> {
  return new Promise((resolve) => {
    http
      .get(url, { agent }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve(body));
        res.on("error", () => resolve("dropped"));
        res.on("aborted", () => resolve("dropped"));
      })
      .on("error", () => resolve("dropped"));
  });
}

describe("ConnectionDrain", function () {
  it("closes a keep-alive connection whose answer, begun before the drain, ends during it", async function () {
    this.timeout(20_000);
    const { server, drain, url, held, closed, finish } = await serverBeginningAnswers();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const answer = get(url, agent);
      await waitUntil(() => held.length > 0, "the answer began");
      const closing = closed();
      drain.drain();
      finish();
      expect(await answer).to.equal("ok");
      // Without closing it once its answer ends, the connection, kept alive, holds the close for ever.
      await closing;
    } finally {
      agent.destroy();
      server.closeAllConnections();
    }
  });

  it("drops at refuseUnanswered a connection whose answer has begun: it cannot be answered SHUTTING_DOWN", async function () {
    this.timeout(20_000);
    const { server, drain, url, held, closed } = await serverBeginningAnswers();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const answer = get(url, agent);
      await waitUntil(() => held.length > 0, "the answer began");
      const closing = closed();
      drain.drain();
      await drain.refuseUnanswered();
      expect(await answer).to.equal("dropped");
      await closing;
    } finally {
      agent.destroy();
      server.closeAllConnections();
    }
  });

  it("closes at the end of the handover a connection whose 503 SHUTTING_DOWN its client does not read, so refuseUnanswered ends", async function () {
    this.timeout(20_000);
    // Each request's handler fills its connection with more than the kernel's buffers hold, then holds its answer:
    // the client reads nothing, so the 503 queued behind it is never written.
    const held: { res: http.ServerResponse; socket: net.Socket }[] = [];
    const server = http.createServer((req, res) => {
      req.socket.write(Buffer.alloc(64 * 1024 * 1024));
      held.push({ res, socket: req.socket });
    });
    const drain = new ConnectionDrain(server, undefined, 100);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const client = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
    client.on("error", () => undefined);
    try {
      client.pause();
      client.write("GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
      await waitUntil(() => held.length > 0, "the request reached its handler");
      drain.drain();
      await drain.refuseUnanswered();
      // Refused, its 503 still unwritten (behind what fills the connection) when the bound closed the connection.
      expect([held[0]?.res.headersSent, held[0]?.socket.destroyed]).to.deep.equal([true, true]);
    } finally {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
