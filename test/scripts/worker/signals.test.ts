import { expect } from "chai";
import { EventEmitter } from "node:events";
import { silentLogger } from "../../../scripts/worker/logger";
import { handleShutdownSignals } from "../../../scripts/worker/signals";

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

  it("aborts running jobs at once on a second signal", () => {
    const signals = new EventEmitter();
    const target = new RecordingStoppable();
    handleShutdownSignals(signals, target, silentLogger);
    signals.emit("SIGINT");
    signals.emit("SIGINT");
    expect(target.calls).to.deep.equal(["stop", "abortNow"]);
  });

  it("removes its handlers when disposed", () => {
    const signals = new EventEmitter();
    const dispose = handleShutdownSignals(signals, new RecordingStoppable(), silentLogger);
    dispose();
    expect(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM")).to.equal(0);
  });
});
