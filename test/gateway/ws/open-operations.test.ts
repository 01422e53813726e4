// OpenOperations: what the subscription server's stop waits for.
import { expect } from "chai";
import { OpenOperations } from "../../../gateway/src/ws/open-operations";

/** Whether `promise` has settled once the pending callbacks have run. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("OpenOperations", function () {
  it("resolves whenNone at once when no subscription is open", async function () {
    expect(await settled(new OpenOperations().whenNone())).to.equal(true);
  });

  it("resolves whenNone once every subscription is completed or its connection forgotten, not before", async function () {
    const open = new OpenOperations();
    const [first, second] = [{}, {}];
    const [a, b] = [{}, {}];
    open.add(first, a);
    open.add(first, b);
    open.add(second, {});
    const none = open.whenNone();
    open.delete(first, a);
    open.forget(second);
    expect(await settled(none)).to.equal(false);
    open.delete(first, b);
    expect(await settled(none)).to.equal(true);
  });
});
