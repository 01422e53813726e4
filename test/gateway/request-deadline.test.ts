// RequestDeadline: how an outgoing request ended unanswered, at its timeout or given up, is decided by what came first.
import { expect } from "chai";
import { setTimeout as delay } from "node:timers/promises";
import { RequestDeadline } from "../../gateway/src/request-deadline";

describe("RequestDeadline", function () {
  it("is timed out, not given up, once its timeout passes", async () => {
    const deadline = new RequestDeadline(1, [new AbortController().signal]);
    try {
      await new Promise((resolve) => deadline.signal.addEventListener("abort", resolve, { once: true }));
      expect({ timedOut: deadline.timedOut, givenUp: deadline.givenUp }).to.deep.equal({ timedOut: true, givenUp: false });
    } finally {
      deadline.dispose();
    }
  });

  it("stays given up, not timed out, when its timer fires after a giver gave it up and before it is disposed", async () => {
    const giver = new AbortController();
    const deadline = new RequestDeadline(1, [giver.signal]);
    try {
      giver.abort();
      // A timer due later than the deadline's runs after it (Node runs due timers in order of their due time).
      await delay(20);
      expect({ timedOut: deadline.timedOut, givenUp: deadline.givenUp }).to.deep.equal({ timedOut: false, givenUp: true });
    } finally {
      deadline.dispose();
    }
  });
});
