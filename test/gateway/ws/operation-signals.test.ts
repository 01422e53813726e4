import { expect } from "chai";
import { EventEmitter, getEventListeners } from "node:events";
import { OperationSignals, type ClientSocket } from "../../../gateway/src/ws/operation-signals";

/** A connection's socket the test speaks for: `send` is a message from its client, `close` its close. */
function fakeSocket(): { socket: ClientSocket; send(message: unknown): void; close(): void } {
  const emitter = new EventEmitter();
  return {
    socket: emitter,
    send: (message) => void emitter.emit("message", Buffer.from(JSON.stringify(message))),
    close: () => void emitter.emit("close"),
  };
}

describe("gateway WebSocket OperationSignals", function () {
  it("aborts an operation's signal when its client sends complete for its id, and says its client left", function () {
    const signals = new OperationSignals();
    const { socket, send } = fakeSocket();
    const connection = {};
    signals.watch(connection, socket);
    const payload = {};
    const signal = signals.open(connection, "1", payload, new AbortController().signal);
    send({ id: "1", type: "complete" });
    expect(signal.aborted).to.equal(true);
    expect(signals.clientLeft(payload)).to.equal(true);
  });

  it("leaves the connection's other operations running when its client completes one", function () {
    const signals = new OperationSignals();
    const { socket, send } = fakeSocket();
    const connection = {};
    signals.watch(connection, socket);
    const other = signals.open(connection, "2", {}, new AbortController().signal);
    signals.open(connection, "1", {}, new AbortController().signal);
    send({ id: "1", type: "complete" });
    expect(other.aborted).to.equal(false);
  });

  it("does not abort an operation that took an id its client had completed before", function () {
    const signals = new OperationSignals();
    const { socket, send } = fakeSocket();
    const connection = {};
    signals.watch(connection, socket);
    signals.open(connection, "1", {}, new AbortController().signal);
    send({ id: "1", type: "complete" });
    const again = signals.open(connection, "1", {}, new AbortController().signal);
    expect(again.aborted).to.equal(false);
  });

  it("aborts every operation of a connection when its socket closes", function () {
    const signals = new OperationSignals();
    const { socket, close } = fakeSocket();
    const connection = {};
    signals.watch(connection, socket);
    const payloads = [{}, {}];
    const opened = payloads.map((payload, i) => signals.open(connection, String(i), payload, new AbortController().signal));
    close();
    expect(opened.map((signal) => signal.aborted)).to.deep.equal([true, true]);
    expect(payloads.map((payload) => signals.clientLeft(payload))).to.deep.equal([true, true]);
  });

  it("aborts an operation's signal when the stop's aborts, and does not say its client left", function () {
    const signals = new OperationSignals();
    const { socket, close } = fakeSocket();
    const connection = {};
    signals.watch(connection, socket);
    const stop = new AbortController();
    const payload = {};
    const signal = signals.open(connection, "1", payload, stop.signal);
    stop.abort();
    close();
    expect(signal.aborted).to.equal(true);
    expect(signals.clientLeft(payload)).to.equal(false);
  });

  it("removes an ended operation's listener from the stop's signal, which lives as long as the server", function () {
    const signals = new OperationSignals();
    const { socket } = fakeSocket();
    const connection = {};
    signals.watch(connection, socket);
    const stop = new AbortController();
    for (const id of ["1", "2", "3"]) {
      const payload = {};
      signals.open(connection, id, payload, stop.signal);
      signals.end(connection, id, payload);
    }
    expect(getEventListeners(stop.signal, "abort")).to.have.length(0);
  });

  it("removes the listener on the stop's signal of an operation whose client left", function () {
    const signals = new OperationSignals();
    const { socket, close } = fakeSocket();
    const connection = {};
    signals.watch(connection, socket);
    const stop = new AbortController();
    signals.open(connection, "1", {}, stop.signal);
    close();
    expect(getEventListeners(stop.signal, "abort")).to.have.length(0);
  });
});
