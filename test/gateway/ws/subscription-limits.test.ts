// The graphql-ws server's caps on connections and running subscriptions, the log lines its operations write and the
// block each subscription event names, over a schema of its own whose one subscription runs until its client
// completes it, and sends whatever the test pushes.
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { GraphQLBoolean, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { GatewayContext } from "../../../gateway/src/context";
import { Channel } from "../../../gateway/src/feeds/channel";
import { DEFAULT_QUERY_LIMITS } from "../../../gateway/src/limits/query-limits";
import type { SubscriptionLimits, SubscriptionSlot } from "../../../gateway/src/limits/subscription-limits";
import { createJsonLogger } from "../../../gateway/src/logger";
import { startSubscriptionServer, type SubscriptionServer } from "../../../gateway/src/ws/subscriptions";
import { waitUntil } from "../../helpers/wait";
import { bareContext } from "../helpers/bare-context";

interface Refusal {
  message: string;
  extensions?: Record<string, unknown>;
}

const TICK = "subscription { tick }";

function blockHash(n: number): string {
  return `0x${n.toString(16).padStart(64, "0")}`;
}

describe("subscription server limits", function () {
  /** The running `tick` subscriptions, as the schema's resolver sees them. */
  const feeds = new Set<Channel<number>>();
  /** The slots of the `waivingTick` subscriptions, in the order they started. */
  const slots: SubscriptionSlot[] = [];
  /** The starts of `gatedTick` waiting for the test, and how many went on to run. */
  const gates: (() => void)[] = [];
  let started = 0;
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: "Query",
      fields: {
        ok: { type: GraphQLBoolean, resolve: () => true },
        okWith: { type: GraphQLBoolean, args: { text: { type: GraphQLString } }, resolve: () => true },
        // A query whose answer waits until the test opens its gate, as one whose result is still being written.
        gatedOk: { type: GraphQLBoolean, resolve: () => new Promise<boolean>((resolve) => gates.push(() => resolve(true))) },
      },
    }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: {
        tick: {
          type: GraphQLInt,
          subscribe: () => {
            const feed: Channel<number> = new Channel(() => feeds.delete(feed));
            feeds.add(feed);
            return feed;
          },
          resolve: (n: number) => n,
        },
        // A `tick` whose every event reads block `n` of the index, as the gateway's feeds read their head's block.
        blockTick: {
          type: GraphQLInt,
          subscribe: () => {
            const feed: Channel<number> = new Channel(() => feeds.delete(feed));
            feeds.add(feed);
            return feed;
          },
          resolve: async (n: number, _args: Record<string, never>, context: unknown) => {
            await (context as GatewayContext).block.head(async () => ({ number: n, hash: blockHash(n), parentHash: null, timestamp: 1_000, hasIndexingErrors: false }));
            return n;
          },
        },
        // A `tick` that gives its slot back as it starts, as a jobUpdated feed does once its job's status is final.
        waivingTick: {
          type: GraphQLInt,
          subscribe: (_root: number, _args: Record<string, never>, context: unknown) => {
            const feed: Channel<number> = new Channel(() => feeds.delete(feed));
            feeds.add(feed);
            const slot = (context as GatewayContext).subscriptionSlot;
            if (slot !== undefined) slots.push(slot);
            slot?.release();
            return feed;
          },
          resolve: (n: number) => n,
        },
        // A `tick` whose start waits until the test opens its gate (a source query still running).
        gatedTick: {
          type: GraphQLInt,
          subscribe: async () => {
            await new Promise<void>((resolve) => gates.push(resolve));
            const feed: Channel<number> = new Channel(() => feeds.delete(feed));
            feeds.add(feed);
            started++;
            return feed;
          },
          resolve: (n: number) => n,
        },
        // A resolver bug: what it returns is no event stream, which graphql-js throws about rather than answers.
        broken: { type: GraphQLInt, subscribe: () => 5, resolve: (n: number) => n },
        // A stream that fails at its first step.
        brokenLater: {
          type: GraphQLInt,
          subscribe: (): AsyncIterableIterator<number> => {
            const failing: AsyncIterableIterator<number> = {
              next: () => Promise.reject(new Error("the feed failed")),
              return: () => Promise.resolve({ done: true, value: undefined }),
              [Symbol.asyncIterator]: () => failing,
            };
            return failing;
          },
          resolve: (n: number) => n,
        },
      },
    }),
  });

  let server: http.Server | null = null;
  let subscriptions: SubscriptionServer | null = null;
  let url = "";
  const clients: Client[] = [];
  /** What the server logged, parsed. */
  const lines: Record<string, unknown>[] = [];

  async function start(caps: SubscriptionLimits): Promise<SubscriptionServer> {
    const httpServer = http.createServer((_req, res) => res.writeHead(404).end());
    server = httpServer;
    subscriptions = startSubscriptionServer({
      httpServer,
      path: "/graphql",
      schema,
      limits: DEFAULT_QUERY_LIMITS,
      subscriptionLimits: caps,
      corsOrigins: "*",
      logger: createJsonLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
      context: bareContext,
    });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`;
    return subscriptions;
  }

  afterEach(async function () {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    connections.clear();
    slots.length = 0;
    for (const open of gates.splice(0)) open();
    started = 0;
    await subscriptions?.close();
    const closing = server;
    if (closing !== null) await new Promise<void>((resolve) => closing.close(() => resolve()));
    server = null;
    subscriptions = null;
    lines.length = 0;
  });

  /** How many times each client opened a socket: more than once means the server closed its connection. */
  const connections = new Map<Client, number>();

  function connect(): Client {
    const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
    connections.set(client, 0);
    client.on("connected", () => connections.set(client, (connections.get(client) ?? 0) + 1));
    clients.push(client);
    return client;
  }

  /** Subscribes to `tick` (or `query`) and waits until the server runs it. */
  async function tick(client: Client, query = TICK): Promise<AsyncIterableIterator<unknown>> {
    const before = feeds.size;
    const events = client.iterate({ query });
    const first = events.next();
    await waitUntil(() => feeds.size > before, "the server runs the subscription");
    // The first pull is already waiting: hand back an iterator that starts with it.
    let pending: Promise<IteratorResult<unknown>> | null = first;
    const started: AsyncIterableIterator<unknown> = {
      next: () => {
        const next = pending ?? events.next();
        pending = null;
        return next;
      },
      return: () => events.return?.() ?? Promise.resolve({ done: true, value: undefined }),
      [Symbol.asyncIterator]: () => started,
    };
    return started;
  }

  /** The errors a subscription is refused with (none once it runs). */
  async function refused(client: Client): Promise<Refusal[]> {
    const before = feeds.size;
    const outcome = client
      .iterate({ query: TICK })
      .next()
      .then(
        (result) => (result.done === true ? [] : ((result.value as { errors?: Refusal[] }).errors ?? [])),
        (error: unknown) => (Array.isArray(error) ? (error as Refusal[]) : []),
      );
    const ran = waitUntil(() => feeds.size > before, "the subscription is refused or runs").then(() => []);
    return Promise.race([outcome, ran]);
  }

  function push(n: number): void {
    for (const feed of feeds) feed.push(n);
  }

  async function value(events: AsyncIterableIterator<unknown>): Promise<unknown> {
    const result = await events.next();
    return (result.value as { data?: { tick?: number } } | undefined)?.data?.tick;
  }

  it("refuses a connection's subscription over maxSubscriptionsPerConnection with TOO_MANY_SUBSCRIPTIONS and the limit", async function () {
    await start({ maxConnections: 10, maxSubscriptionsPerConnection: 2, maxSubscriptions: 100 });
    const client = connect();
    await tick(client);
    await tick(client);
    const errors = await refused(client);
    expect(errors.map((e) => e.extensions)).to.deep.equal([{ code: "TOO_MANY_SUBSCRIPTIONS", limit: "connection", maximum: 2 }]);
    expect(errors[0]?.message).to.contain("at most 2");
  });

  it("keeps the connection and its other subscriptions running after refusing one", async function () {
    const server = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 2, maxSubscriptions: 100 });
    const client = connect();
    const a = await tick(client);
    const b = await tick(client);
    expect((await refused(client)).map((e) => e.extensions?.code)).to.deep.equal(["TOO_MANY_SUBSCRIPTIONS"]);
    push(7);
    expect([await value(a), await value(b)]).to.deep.equal([7, 7]);
    expect(server.clientCount).to.equal(1);
  });

  it("lets a connection start a subscription in the slot that completing another freed", async function () {
    const server = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 2, maxSubscriptions: 100 });
    const client = connect();
    const a = await tick(client);
    await tick(client);
    await a.return?.();
    await waitUntil(() => feeds.size === 1 && server.subscriptionCount === 1, "the completed subscription is gone");
    const c = await tick(client);
    push(8);
    expect(await value(c)).to.equal(8);
    expect(server.subscriptionCount).to.equal(2);
  });

  const WAIVING_TICK = "subscription { waivingTick }";

  it("lets a connection run a subscription in the slot another gave back, and counts both for the server", async function () {
    const server = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
    const client = connect();
    await tick(client, WAIVING_TICK);
    expect(await refused(client)).to.deep.equal([]);
    expect(server.subscriptionCount).to.equal(2);
  });

  it("counts a subscription that takes its slot again against its connection", async function () {
    await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
    const client = connect();
    await tick(client, WAIVING_TICK);
    slots[0]!.retake();
    expect((await refused(client)).map((e) => e.extensions)).to.deep.equal([{ code: "TOO_MANY_SUBSCRIPTIONS", limit: "connection", maximum: 1 }]);
  });

  it("ends a connection's oldest subscription that gave its slot back, past maxSubscriptionsPerConnection of them", async function () {
    const server = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
    const client = connect();
    const oldest = await tick(client, WAIVING_TICK);
    // Not through tick: the oldest feed ends as the newest starts, so the count of feeds stays at one.
    const newest = client.iterate({ query: WAIVING_TICK }).next();
    expect(await oldest.next()).to.deep.equal({ done: true, value: undefined });
    await waitUntil(() => slots.length === 2 && feeds.size === 1 && server.subscriptionCount === 1, "the newest runs alone");
    push(3);
    expect(((await newest).value as { data?: { waivingTick?: number } }).data?.waivingTick).to.equal(3);
  });

  /** The errors a subscription that fails at its start ends with, whether sent as a result or as its error. */
  async function failure(client: Client, query: string): Promise<Refusal[]> {
    return client
      .iterate({ query })
      .next()
      .then(
        (result) => (result.done === true ? [] : ((result.value as { errors?: Refusal[] }).errors ?? [])),
        (error: unknown) => (Array.isArray(error) ? (error as Refusal[]) : []),
      );
  }

  it("frees the slot of a subscription whose subscribe resolver fails outright, and keeps its connection", async function () {
    const server = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
    const client = connect();
    expect((await failure(client, "subscription { broken }")).map((e) => e.extensions?.code)).to.deep.equal(["INTERNAL_SERVER_ERROR"]);
    const events = await tick(client);
    push(5);
    expect(await value(events)).to.equal(5);
    expect(connections.get(client)).to.equal(1);
    expect(server.subscriptionCount).to.equal(1);
  });

  it("frees the slot of a subscription whose event stream fails at its first step, and keeps its connection", async function () {
    const server = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
    const client = connect();
    expect((await failure(client, "subscription { brokenLater }")).map((e) => e.extensions?.code)).to.deep.equal(["INTERNAL_SERVER_ERROR"]);
    const events = await tick(client);
    push(6);
    expect(await value(events)).to.equal(6);
    expect(connections.get(client)).to.equal(1);
    expect(server.subscriptionCount).to.equal(1);
  });

  it("refuses a subscription over maxSubscriptions of the whole server, whichever connection asks", async function () {
    await start({ maxConnections: 10, maxSubscriptionsPerConnection: 5, maxSubscriptions: 3 });
    const first = connect();
    await tick(first);
    await tick(first);
    const second = connect();
    await tick(second);
    const errors = await refused(second);
    expect(errors.map((e) => e.extensions)).to.deep.equal([{ code: "TOO_MANY_SUBSCRIPTIONS", limit: "server", maximum: 3 }]);
    expect(errors[0]?.message).to.contain("at most 3");
  });

  it("gives the slots of a connection that closed to the others", async function () {
    const server = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 5, maxSubscriptions: 2 });
    const leaving = connect();
    await tick(leaving);
    await tick(leaving);
    await leaving.dispose();
    await waitUntil(() => server.subscriptionCount === 0, "the closed connection holds no subscription");
    const staying = connect();
    const a = await tick(staying);
    const b = await tick(staying);
    push(9);
    expect([await value(a), await value(b)]).to.deep.equal([9, 9]);
  });

  it("closes a WebSocket connection over maxConnections with 1013 and a reason that names the limit", async function () {
    const server = await start({ maxConnections: 1, maxSubscriptionsPerConnection: 5, maxSubscriptions: 100 });
    const held = await tick(connect());
    await waitUntil(() => server.clientCount === 1, "the first connection is open");
    const extra = new WebSocket(url, "graphql-transport-ws");
    const [code, reason] = await new Promise<[number, string]>((resolve) => extra.on("close", (c, r) => resolve([c, r.toString()])));
    expect(code).to.equal(1013);
    expect(reason).to.contain("at most 1");
    push(3);
    expect(await value(held)).to.equal(3);
  });

  it("accepts a connection again once one has closed under maxConnections", async function () {
    const server = await start({ maxConnections: 1, maxSubscriptionsPerConnection: 5, maxSubscriptions: 100 });
    const leaving = connect();
    await tick(leaving);
    await leaving.dispose();
    await waitUntil(() => server.clientCount === 0, "the first connection has closed");
    const events = await tick(connect());
    push(4);
    expect(await value(events)).to.equal(4);
  });

  it("ends a subscription the client completed while it started and whose id it then reused, once the connection closes", async function () {
    const server = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 5, maxSubscriptions: 100 });
    const socket = new WebSocket(url, "graphql-transport-ws");
    const messages: { id?: string; type: string }[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data)) as { id?: string; type: string }));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init" }));
    await waitUntil(() => messages.some((m) => m.type === "connection_ack"), "the connection is acknowledged");
    const subscribe = JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { gatedTick }" } });
    socket.send(subscribe);
    await waitUntil(() => gates.length === 1, "the first start waits");
    // The protocol frees an id once its subscription is completed, even one still starting.
    socket.send(JSON.stringify({ id: "1", type: "complete" }));
    socket.send(subscribe);
    await waitUntil(() => gates.length === 2 || messages.some((m) => m.id === "1" && m.type === "error"), "the second start is run or refused");
    const starts = gates.length;
    for (const open of gates.splice(0)) open();
    await waitUntil(() => started === starts, "the starts have run");
    socket.close();
    await waitUntil(() => server.clientCount === 0 && server.subscriptionCount === 0, "the connection is gone");
    expect(feeds.size).to.equal(0);
  });

  it("answers a query over the WebSocket of a connection whose subscription slots are all taken: queries take none", async function () {
    await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 1 });
    const client = connect();
    const held = await tick(client);
    const answer = await client.iterate({ query: "{ ok }" }).next();
    expect(answer.value).to.deep.equal({ data: { ok: true } });
    push(4);
    expect(await value(held)).to.equal(4);
  });

  it("refuses a query over the WebSocket while maxSubscriptionsPerConnection of the connection's queries are unanswered", async function () {
    await start({ maxConnections: 10, maxSubscriptionsPerConnection: 2, maxSubscriptions: 100 });
    const socket = new WebSocket(url, "graphql-transport-ws");
    const messages: { id?: string; type: string; payload?: Refusal[] }[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data)) as { id?: string; type: string; payload?: Refusal[] }));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init" }));
    await waitUntil(() => messages.some((m) => m.type === "connection_ack"), "the connection is acknowledged");
    for (const id of ["1", "2", "3"]) socket.send(JSON.stringify({ id, type: "subscribe", payload: { query: "{ gatedOk }" } }));
    await waitUntil(() => gates.length === 3 || messages.some((m) => m.id === "3"), "the third query is run or refused");
    const third = messages.find((m) => m.id === "3");
    for (const open of gates.splice(0)) open();
    await waitUntil(() => messages.filter((m) => m.type === "complete").length === 2 || third === undefined, "the first two are answered");
    socket.close();
    expect(third?.type).to.equal("error");
    expect(third?.payload?.map((e) => e.extensions)).to.deep.equal([{ code: "TOO_MANY_SUBSCRIPTIONS", limit: "connection", maximum: 2 }]);
  });

  it("names in each event's extensions.block the block that event read, and no block on an event that read none", async function () {
    await start({ maxConnections: 10, maxSubscriptionsPerConnection: 2, maxSubscriptions: 100 });
    const client = connect();
    const blocks = await tick(client, "subscription Blocks { blockTick }");
    const plain = await tick(client);
    push(7);
    const [atSeven, unpinned] = [(await blocks.next()).value, (await plain.next()).value];
    push(9);
    const atNine = (await blocks.next()).value;
    expect(atSeven).to.deep.equal({ data: { blockTick: 7 }, extensions: { block: { number: 7, hash: blockHash(7) } } });
    expect(atNine).to.deep.equal({ data: { blockTick: 9 }, extensions: { block: { number: 9, hash: blockHash(9) } } });
    expect(unpinned).to.deep.equal({ data: { tick: 7 } });
  });

  describe("log lines", function () {
    /** The lines logged as `msg`, without what differs from one run to the next (the time, the duration). */
    function logged(msg: string): Record<string, unknown>[] {
      return lines.filter((line) => line.msg === msg).map(({ time: _time, durationMs: _durationMs, ...fields }) => fields);
    }

    /** The end lines, once there are `count` of them. */
    async function ends(count: number): Promise<Record<string, unknown>[]> {
      await waitUntil(() => logged("graphql subscription end").length >= count, `${count} subscription end lines are logged`);
      return logged("graphql subscription end");
    }

    const TICKS = "subscription Ticks { tick }";
    const started = { level: "info", msg: "graphql subscription start", transport: "ws", operation: "Ticks", accepted: true };
    const ended = { level: "info", msg: "graphql subscription end", transport: "ws", operation: "Ticks", errors: 0, codes: [] };

    it("logs a subscription's start and, once its client completes it, its end with the events sent", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 2, maxSubscriptions: 100 });
      const events = await tick(connect(), TICKS);
      push(1);
      push(2);
      expect([await value(events), await value(events)]).to.deep.equal([1, 2]);
      await events.return?.();
      expect(await ends(1)).to.deep.equal([{ ...ended, events: 2, end: "client-completed" }]);
      expect(logged("graphql subscription start")).to.deep.equal([started]);
      expect(lines.filter((line) => line.msg === "graphql subscription end").map((line) => typeof line.durationMs)).to.deep.equal(["number"]);
    });

    it("names in a subscription's end line the block its last event read", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 2, maxSubscriptions: 100 });
      const events = await tick(connect(), "subscription Blocks { blockTick }");
      push(7);
      push(9);
      const read = [await events.next(), await events.next()].map((result) => (result.value as { data?: { blockTick?: number } }).data?.blockTick);
      expect(read).to.deep.equal([7, 9]);
      await events.return?.();
      expect(await ends(1)).to.deep.equal([
        { ...ended, operation: "Blocks", events: 2, end: "client-completed", block: { number: 9, hash: blockHash(9) } },
      ]);
    });

    it("logs a subscription refused at its start with the code it was refused with, and no end", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      const client = connect();
      await tick(client, TICKS);
      expect((await refused(client)).map((e) => e.extensions?.code)).to.deep.equal(["TOO_MANY_SUBSCRIPTIONS"]);
      expect(logged("graphql subscription start")).to.deep.equal([
        started,
        { level: "info", msg: "graphql subscription start", transport: "ws", operation: null, accepted: false, codes: ["TOO_MANY_SUBSCRIPTIONS"] },
      ]);
      expect(logged("graphql subscription end")).to.deep.equal([]);
    });

    it("logs a subscription whose subscribe resolver fails as refused, INTERNAL_SERVER_ERROR", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      await failure(connect(), "subscription Broken { broken }");
      expect(logged("graphql subscription start")).to.deep.equal([
        { level: "info", msg: "graphql subscription start", transport: "ws", operation: "Broken", accepted: false, codes: ["INTERNAL_SERVER_ERROR"] },
      ]);
      expect(logged("graphql subscription end")).to.deep.equal([]);
    });

    it("logs the end of a subscription whose feed failed as failed, with the code its client got", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      await failure(connect(), "subscription Failing { brokenLater }");
      expect(await ends(1)).to.deep.equal([
        { ...ended, operation: "Failing", events: 0, end: "failed", errors: 1, codes: ["INTERNAL_SERVER_ERROR"] },
      ]);
    });

    it("logs the end of each subscription of a connection that closed as connection-closed", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 2, maxSubscriptions: 100 });
      const client = connect();
      await tick(client, TICKS);
      await tick(client, TICKS);
      await client.dispose();
      expect(await ends(2)).to.deep.equal([
        { ...ended, events: 0, end: "connection-closed" },
        { ...ended, events: 0, end: "connection-closed" },
      ]);
    });

    it("logs the end of a subscription whose feed ended as feed-ended", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      const events = await tick(connect(), TICKS);
      push(4);
      for (const feed of feeds) feed.end();
      expect(await value(events)).to.equal(4);
      expect(await events.next()).to.deep.equal({ done: true, value: undefined });
      expect(await ends(1)).to.deep.equal([{ ...ended, events: 1, end: "feed-ended" }]);
    });

    it("logs the end of a subscription the server ended for maxSubscriptionsPerConnection as server-limit", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      const client = connect();
      const oldest = await tick(client, "subscription Oldest { waivingTick }");
      void client.iterate({ query: "subscription Newest { waivingTick }" }).next();
      expect(await oldest.next()).to.deep.equal({ done: true, value: undefined });
      expect(await ends(1)).to.deep.equal([{ ...ended, operation: "Oldest", events: 0, end: "server-limit" }]);
    });

    it("logs the end of a subscription running as the server stops as server-stopped", async function () {
      const stopping = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      // Without onNonLazyError, the client would write the server's going away to the console.
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
      clients.push(client);
      const events = await tick(client, TICKS);
      // The client's subscription ends with the SHUTTING_DOWN error, sent before its socket closes.
      const closed = events.next().catch((event: unknown) => event);
      subscriptions = null;
      await stopping.close();
      await closed;
      expect(await ends(1)).to.deep.equal([{ ...ended, events: 0, end: "server-stopped", errors: 1, codes: ["SHUTTING_DOWN"] }]);
    });

    it("logs a subscription still starting as the server stops as refused SHUTTING_DOWN, and no end line for it", async function () {
      const stopping = await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => undefined });
      clients.push(client);
      const refusal = client
        .iterate({ query: "subscription Gated { gatedTick }" })
        .next()
        .then(
          () => [],
          (error: unknown) => (Array.isArray(error) ? (error as Refusal[]).map((e) => e.extensions?.code) : []),
        );
      await waitUntil(() => gates.length > 0, "the subscription's start waits at its gate");
      subscriptions = null;
      await stopping.close();
      expect(await refusal).to.deep.equal(["SHUTTING_DOWN"]);
      expect(logged("graphql subscription start")).to.deep.equal([
        { level: "info", msg: "graphql subscription start", transport: "ws", operation: "Gated", accepted: false, codes: ["SHUTTING_DOWN"] },
      ]);
      expect(logged("graphql subscription end")).to.deep.equal([]);
    });

    it("logs a query refused before it ran as a graphql request, with its code and the transport", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      await failure(connect(), "query Typo { okk }");
      expect(logged("graphql request")).to.deep.equal([
        { level: "info", msg: "graphql request", transport: "ws", operation: "Typo", errors: 1, codes: ["GRAPHQL_VALIDATION_FAILED"] },
      ]);
    });

    it("logs one graphql request line per query, without its variables' values", async function () {
      await start({ maxConnections: 10, maxSubscriptionsPerConnection: 1, maxSubscriptions: 100 });
      const client = connect();
      const answer = await client.iterate({ query: "query Ok($secret: String) { okWith(text: $secret) }", variables: { secret: "s3cret-key" } }).next();
      expect(answer.value).to.deep.equal({ data: { okWith: true } });
      expect(logged("graphql request")).to.deep.equal([{ level: "info", msg: "graphql request", transport: "ws", operation: "Ok", errors: 0 }]);
      expect(JSON.stringify(lines)).not.to.contain("s3cret-key");
    });
  });
});
