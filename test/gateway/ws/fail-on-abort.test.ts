// failOnAbort: a subscription's stream that the subscription server's stop ends with an error, even mid-wait.
import { expect } from "chai";
import { Channel } from "../../../gateway/src/feeds/channel";
import { failOnAbort } from "../../../gateway/src/ws/fail-on-abort";

const STOPPED = new Error("stopped");

describe("failOnAbort", function () {
  it("fails a next() waiting for an event with the reason once the signal aborts, and ends the stream it wraps", async function () {
    let ended = false;
    const source = new Channel<number>(() => (ended = true));
    const stopping = new AbortController();
    const stream = failOnAbort(source, stopping.signal, () => STOPPED);
    const waiting = stream.next().catch((error: unknown) => error);
    stopping.abort();
    expect(await waiting).to.equal(STOPPED);
    expect(ended).to.equal(true);
  });

  it("fails the next() after the abort even where the stream still holds events", async function () {
    const source = new Channel<number>(() => undefined);
    const stopping = new AbortController();
    const stream = failOnAbort(source, stopping.signal, () => STOPPED);
    source.push(1);
    source.push(2);
    expect(await stream.next()).to.deep.equal({ done: false, value: 1 });
    stopping.abort();
    expect(await stream.next().catch((error: unknown) => error)).to.equal(STOPPED);
  });

  it("passes events and the stream's end through while the signal is not aborted", async function () {
    const source = new Channel<number>(() => undefined);
    const stream = failOnAbort(source, new AbortController().signal, () => STOPPED);
    source.push(1);
    source.end();
    expect([await stream.next(), await stream.next()]).to.deep.equal([
      { done: false, value: 1 },
      { done: true, value: undefined },
    ]);
  });
});
