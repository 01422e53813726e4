// followSignal: a piece of work's own signal, following its parents' and leaving no listener on them once released.
import { expect } from "chai";
import { getEventListeners } from "node:events";
import { followSignal } from "../../gateway/src/follow-signal";

describe("followSignal", function () {
  it("aborts as soon as any of its parents aborts, and then listens on none of them", function () {
    const [first, second] = [new AbortController(), new AbortController()];
    const { signal } = followSignal([first.signal, undefined, second.signal]);
    expect(signal.aborted).to.equal(false);
    second.abort();
    expect(signal.aborted).to.equal(true);
    expect(getEventListeners(first.signal, "abort")).to.have.length(0);
  });

  it("is aborted at once when a parent is aborted already, and listens on no parent", function () {
    const [live, aborted] = [new AbortController(), new AbortController()];
    aborted.abort();
    const { signal } = followSignal([live.signal, aborted.signal]);
    expect(signal.aborted).to.equal(true);
    expect(getEventListeners(live.signal, "abort")).to.have.length(0);
  });

  it("aborts on its own without aborting its parents, and then listens on none of them", function () {
    const parent = new AbortController();
    const followed = followSignal([parent.signal]);
    followed.abort();
    expect([followed.signal.aborted, parent.signal.aborted]).to.deep.equal([true, false]);
    expect(getEventListeners(parent.signal, "abort")).to.have.length(0);
  });

  it("once released, listens on no parent and no longer follows them", function () {
    const parent = new AbortController();
    const followed = followSignal([parent.signal]);
    expect(getEventListeners(parent.signal, "abort")).to.have.length(1);
    followed.release();
    expect(getEventListeners(parent.signal, "abort")).to.have.length(0);
    parent.abort();
    expect(followed.signal.aborted).to.equal(false);
  });
});
