// The job feed's keep-alive against a bare graphql-transport-ws server that acknowledges the connection and then
// answers pings only when told to: a gateway that went away without closing the socket never answers them.
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { GatewayConnectionError } from "../../../scripts/worker/gateway-errors";
import { JobFeed, type JobFeedOptions } from "../../../scripts/worker/job-feed";
import { HttpStatusError } from "../../../scripts/worker/retry";
import { closedPort } from "../../helpers/closed-port";
import { waitUntil } from "../../helpers/wait";

interface PingServer {
  url: string;
  /** WebSocket connections accepted. */
  connections: number;
  /** graphql-ws pings received. */
  pings: number;
  answerPings: boolean;
  close(): Promise<void>;
}

/** `burst`: the ids of the jobOpened events sent at once to each subscription. */
async function pingServer(answerPings: boolean, burst: number[] = []): Promise<PingServer> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  const state: PingServer = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/graphql`,
    connections: 0,
    pings: 0,
    answerPings,
    async close() {
      wss.clients.forEach((client) => client.terminate());
      await new Promise((resolve) => wss.close(resolve));
    },
  };
  wss.on("connection", (socket) => {
    state.connections += 1;
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: string };
      if (message.type === "connection_init") socket.send(JSON.stringify({ type: "connection_ack" }));
      if (message.type === "subscribe") {
        for (const id of burst) socket.send(JSON.stringify({ type: "next", id: message.id, payload: { data: { jobOpened: { id } } } }));
      }
      if (message.type === "ping") {
        state.pings += 1;
        if (state.answerPings) socket.send(JSON.stringify({ type: "pong" }));
      }
    });
  });
  return state;
}

function feed(url: string, keepAliveMs: number, buffer: Partial<Pick<JobFeedOptions, "bufferLimit" | "onDrop">> = {}): JobFeed {
  return new JobFeed({
    url,
    query: "subscription { jobOpened { id } }",
    variables: {},
    field: "jobOpened",
    keepAliveMs,
    connectTimeoutMs: 5_000,
    bufferLimit: 1_000,
    ...buffer,
  });
}

describe("the gateway job feed", function () {
  // Unset after each test, so that a test without a server (ECONNREFUSED) does not close the previous one's again.
  let server: PingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("pings the gateway every keepAliveMs and stays connected while it answers", async () => {
    const answering = (server = await pingServer(true));
    // Long enough for a pong to come back under load (two test runs at once on two cores took more than 20 ms once):
    // a late pong reads as a dead gateway.
    const jobs = feed(answering.url, 250);
    try {
      await jobs.connected;
      await waitUntil(() => answering.pings >= 3, "three pings reached the server");
      const controller = new AbortController();
      const events = jobs.events(controller.signal);
      const next = events.next();
      controller.abort();
      // Still connected: the stream ends with the abort, not with a connection error.
      expect(await next).to.deep.equal({ done: true, value: undefined });
    } finally {
      await jobs.close();
    }
  });

  it("reports a WebSocket that cannot be opened with the socket's own error (ECONNREFUSED), as transient", async () => {
    // A port bound and released, not port 0: connecting to port 0 is refused on Linux, but may fail otherwise
    // elsewhere (Windows answers EADDRNOTAVAIL).
    const port = await closedPort();
    const url = `ws://127.0.0.1:${port}/graphql`;
    const jobs = feed(url, 1_000);
    const caught = await jobs.connected.then(() => undefined, (error: unknown) => error);
    await jobs.close();
    expect(caught).to.be.instanceOf(GatewayConnectionError);
    expect(caught).to.include({ closeCode: undefined, transient: true });
    expect((caught as Error).message).to.equal(`the gateway's WebSocket at ${url} failed: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect((caught as Error).cause).to.include({ code: "ECONNREFUSED" });
  });

  it("names a WebSocket URL with credentials without them when it cannot be opened", async () => {
    const port = await closedPort();
    const jobs = feed(`ws://worker:s3cret-pass@127.0.0.1:${port}/graphql`, 1_000);
    const caught = await jobs.connected.then(() => undefined, (error: unknown) => error);
    await jobs.close();
    expect(caught).to.be.instanceOf(GatewayConnectionError);
    expect(caught).to.include({ url: `ws://127.0.0.1:${port}/graphql` });
    expect((caught as Error).message).to.equal(`the gateway's WebSocket at ws://127.0.0.1:${port}/graphql failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it("refuses a handshake answered 301 as HttpStatusError 301, not transient, without following the redirect", async () => {
    // A proxy redirecting http to https: gateway.wsUrl is to name the final (wss://) URL, as the README says.
    const target = (server = await pingServer(true));
    const redirecting = http.createServer((request, response) => {
      response.statusCode = 301;
      response.setHeader("location", target.url);
      response.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
    const url = `ws://127.0.0.1:${(redirecting.address() as AddressInfo).port}/graphql`;
    const jobs = feed(url, 1_000);
    try {
      const caught = await jobs.connected.then(() => undefined, (error: unknown) => error);
      expect(caught).to.be.instanceOf(HttpStatusError);
      expect(caught).to.include({ url, status: 301, transient: false });
      expect((caught as Error).message).to.equal(`${url} answered HTTP 301`);
      expect(target.connections).to.equal(0);
    } finally {
      await jobs.close();
      redirecting.closeAllConnections();
      await new Promise((resolve) => redirecting.close(resolve));
    }
  });

  it("closes the connection (GatewayConnectionError 4408) when a ping goes unanswered for keepAliveMs", async () => {
    server = await pingServer(false);
    const jobs = feed(server.url, 20);
    let caught: unknown;
    try {
      await jobs.connected;
      for await (const job of jobs.events(new AbortController().signal)) expect.fail(`no job was published, got ${String(job)}`);
    } catch (error) {
      caught = error;
    } finally {
      await jobs.close();
    }
    expect(server.pings).to.equal(1);
    expect(caught).to.be.instanceOf(GatewayConnectionError);
    expect(caught).to.include({ closeCode: 4408, transient: true });
    expect((caught as Error).message).to.match(/closed \(4408\): no pong from the server/);
  });

  it("keeps at most bufferLimit events that are not taken, dropping the oldest and counting each one dropped", async () => {
    server = await pingServer(true, [1, 2, 3, 4, 5]);
    const drops: number[] = [];
    const jobs = feed(server.url, 5_000, { bufferLimit: 2, onDrop: (dropped) => drops.push(dropped) });
    try {
      await waitUntil(() => jobs.dropped === 3, "the burst of five arrived");
      const controller = new AbortController();
      const events = jobs.events(controller.signal);
      const taken = [(await events.next()).value, (await events.next()).value];
      const third = events.next();
      controller.abort();
      expect(await third).to.deep.equal({ done: true, value: undefined });
      expect(taken).to.deep.equal([{ id: 4 }, { id: 5 }]);
      expect(drops).to.deep.equal([1, 2, 3]);
    } finally {
      await jobs.close();
    }
  });
});
