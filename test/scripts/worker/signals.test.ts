import { expect } from "chai";
import { EventEmitter } from "node:events";
import { silentLogger } from "../../../scripts/worker/logger";
import { REPEAT_WINDOW_MS, handleShutdownSignals } from "../../../scripts/worker/signals";

class RecordingStoppable {
  readonly calls: string[] = [];
  async stop(): Promise<void> {
    this.calls.push("stop");
  }
  abortNow(): void {
    this.calls.push("abortNow");
  }
}

describe("shutdown signals", () => {
  it("starts a graceful stop on SIGTERM", () => {
    const signals = new EventEmitter();
    const target = new RecordingStoppable();
    handleShutdownSignals(signals, target, silentLogger);
    signals.emit("SIGTERM");
    expect(target.calls).to.deep.equal(["stop"]);
  });

  it("aborts running jobs at once on a second signal a second or more after the first", () => {
    const signals = new EventEmitter();
    const target = new RecordingStoppable();
    let clock = 5_000;
    handleShutdownSignals(signals, target, silentLogger, () => clock);
    signals.emit("SIGINT");
    clock += REPEAT_WINDOW_MS;
    signals.emit("SIGINT");
    expect(target.calls).to.deep.equal(["stop", "abortNow"]);
  });

  it("takes a signal repeated within a second as the same request (npm run forwards the terminal's Ctrl-C)", () => {
    const signals = new EventEmitter();
    const target = new RecordingStoppable();
    let clock = 5_000;
    handleShutdownSignals(signals, target, silentLogger, () => clock);
    signals.emit("SIGINT");
    clock += REPEAT_WINDOW_MS - 1;
    signals.emit("SIGINT");
    expect(target.calls).to.deep.equal(["stop"]);
  });

  it("removes its handlers when disposed", () => {
    const signals = new EventEmitter();
    const dispose = handleShutdownSignals(signals, new RecordingStoppable(), silentLogger);
    dispose();
    expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).to.equal(0);
  });
});
