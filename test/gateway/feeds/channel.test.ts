import { expect } from "chai";
import type { GraphQLError } from "graphql";
import { Channel } from "../../../gateway/src/feeds/channel";

describe("subscription channels", function () {
  it("hands values to a waiting reader and queues them for a later one", async function () {
    const channel = new Channel<number>(() => undefined);
    const waiting = channel.next();
    channel.push(1);
    channel.push(2);
    expect(await waiting).to.deep.equal({ value: 1, done: false });
    expect(await channel.next()).to.deep.equal({ value: 2, done: false });
  });

  it("runs onClose once when the reader stops", async function () {
    let closed = 0;
    const channel = new Channel<number>(() => (closed += 1));
    const waiting = channel.next();
    await channel.return();
    await channel.return();
    expect(await waiting).to.deep.equal({ value: undefined, done: true });
    expect(closed).to.equal(1);
    channel.push(3);
    expect(await channel.next()).to.deep.equal({ value: undefined, done: true });
  });

  it("delivers a failure after the values already queued", async function () {
    const channel = new Channel<number>(() => undefined);
    channel.push(1);
    channel.fail(new Error("source down"));
    expect(await channel.next()).to.deep.equal({ value: 1, done: false });
    let error: unknown = null;
    await channel.next().catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal("source down");
  });

  it("ends after the values already queued, running onClose, when ended", async function () {
    let closed = 0;
    const channel = new Channel<number>(() => (closed += 1));
    channel.push(1);
    channel.end();
    channel.push(2);
    expect(closed).to.equal(1);
    expect(await channel.next()).to.deep.equal({ value: 1, done: false });
    expect(await channel.next()).to.deep.equal({ value: undefined, done: true });
  });

  it("ends a reader already waiting when ended", async function () {
    const channel = new Channel<number>(() => undefined);
    const waiting = channel.next();
    channel.end();
    expect(await waiting).to.deep.equal({ value: undefined, done: true });
  });

  it("cuts off a reader that falls too far behind", async function () {
    let closed = false;
    const channel = new Channel<number>(() => (closed = true), 3);
    for (let i = 0; i < 5; i++) channel.push(i);
    expect(closed).to.equal(true);
    const values: number[] = [];
    let error: unknown = null;
    try {
      for (;;) {
        const r = await channel.next();
        if (r.done === true) break;
        values.push(r.value);
      }
    } catch (e) {
      error = e;
    }
    expect(values).to.deep.equal([0, 1, 2]);
    expect((error as Error).message).to.contain("too slow");
    expect((error as GraphQLError).extensions).to.deep.equal({ code: "SUBSCRIBER_TOO_SLOW", maxQueued: 3 });
  });

  it("holds up to 1000 undelivered values by default, and cuts off the reader at the 1001st", function () {
    let closed = false;
    const channel = new Channel<number>(() => (closed = true));
    for (let i = 0; i < 1000; i++) channel.push(i);
    expect(closed, "after 1000").to.equal(false);
    channel.push(1000);
    expect(closed, "after 1001").to.equal(true);
  });
});
