import { expect } from "chai";
import { AsyncQueue } from "../../../scripts/worker/async-queue";

async function drained<T>(queue: AsyncQueue<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of queue.drain(new AbortController().signal)) items.push(item);
  return items;
}

describe("AsyncQueue (the job feed's buffer)", () => {
  it("keeps every item pushed, in order, when it has no limit", async () => {
    const queue = new AsyncQueue<number>();
    for (let i = 1; i <= 5; i++) queue.push(i);
    queue.end();
    expect(await drained(queue)).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it("with a limit, drops the oldest item for each one pushed beyond it, handing each to onDrop, and keeps the failure", async () => {
    const dropped: number[] = [];
    const queue = new AsyncQueue<number>(2, (item) => dropped.push(item));
    for (let i = 1; i <= 5; i++) queue.push(i);
    queue.fail(new Error("closed"));
    const items: number[] = [];
    let caught: unknown;
    try {
      for await (const item of queue.drain(new AbortController().signal)) items.push(item);
    } catch (error) {
      caught = error;
    }
    expect(items).to.deep.equal([4, 5]);
    expect(dropped).to.deep.equal([1, 2, 3]);
    expect(caught).to.be.instanceOf(Error).with.property("message", "closed");
  });

  it("refuses a limit under one item", () => {
    expect(() => new AsyncQueue<number>(0)).to.throw(RangeError, /at least one item, not 0/);
  });
});
