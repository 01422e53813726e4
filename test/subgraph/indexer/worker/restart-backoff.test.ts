import { expect } from "chai";
import { RestartBackoff } from "../../../../subgraph/indexer/worker/restart-backoff";

describe("RestartBackoff", function () {
  it("waits initialDelayMs, doubling while the thread keeps dying, up to maxDelayMs", function () {
    const backoff = new RestartBackoff({ initialDelayMs: 100, maxDelayMs: 60_000 });
    backoff.started();
    const delays = [1, 2, 3, 4].map(() => backoff.next());
    expect(delays).to.deep.equal([100, 200, 400, 800]);
    const capped = new RestartBackoff({ initialDelayMs: 1000, maxDelayMs: 3000 });
    expect([1, 2, 3, 4].map(() => capped.next())).to.deep.equal([1000, 2000, 3000, 3000]);
  });

  it("starts over after a thread that ran maxDelayMs or longer, not after one that ran less", function () {
    let now = 1_000_000;
    const backoff = new RestartBackoff({ initialDelayMs: 50, maxDelayMs: 400 }, () => now);
    backoff.started();
    expect([backoff.next(), backoff.next(), backoff.next()]).to.deep.equal([50, 100, 200]);
    backoff.started();
    now += 399;
    expect(backoff.next()).to.equal(400);
    backoff.started();
    now += 400;
    expect(backoff.next()).to.equal(50);
  });

  it("defaults to 1 s doubling up to 60 s, and never has a maximum below the first delay", function () {
    const defaults = new RestartBackoff();
    expect([defaults.next(), defaults.next()]).to.deep.equal([1000, 2000]);
    const inverted = new RestartBackoff({ initialDelayMs: 5000, maxDelayMs: 10 });
    expect([inverted.next(), inverted.next()]).to.deep.equal([5000, 5000]);
  });

  it("brings the default of the delay not given to the one given, which it honours as given", function () {
    // The first delay above the default maximum: the maximum is raised to it.
    expect(new RestartBackoff({ initialDelayMs: 90_000 }).next()).to.equal(90_000);
    // The maximum below the default first delay: the first delay is lowered to it, the maximum kept.
    const low = new RestartBackoff({ maxDelayMs: 300 });
    expect([low.next(), low.next()]).to.deep.equal([300, 300]);
  });
});
