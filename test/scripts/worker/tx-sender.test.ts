import { expect } from "chai";
import { TransactionSender, type TxOverrides } from "../../../scripts/worker/tx-sender";

const OPERATOR = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

/** A node whose transaction count for the operator the test sets; counts how often it is asked. */
class NodeCount {
  reads = 0;

  constructor(public pending: number) {}

  async getTransactionCount(): Promise<number> {
    this.reads += 1;
    return this.pending;
  }
}

/** A broadcast the node takes: its nonce is counted there, as a node counts its pool. */
function taken(node: NodeCount): (overrides: TxOverrides) => Promise<number> {
  return async ({ nonce }) => {
    node.pending = nonce + 1;
    return nonce;
  };
}

describe("transaction sender", () => {
  it("gives transactions sent at once consecutive nonces, counted locally after one read from the node", async () => {
    const node = new NodeCount(7);
    const sender = new TransactionSender(node, OPERATOR);
    const nonces = await Promise.all([sender.send(taken(node)), sender.send(taken(node)), sender.send(taken(node))]);
    expect(nonces).to.deep.equal([7, 8, 9]);
    expect(node.reads).to.equal(1);
  });

  it("builds a transaction only once the one before it has been broadcast", async () => {
    const node = new NodeCount(0);
    const sender = new TransactionSender(node, OPERATOR);
    let firstBroadcast = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = sender.send(async ({ nonce }) => {
      await gate;
      firstBroadcast = true;
      return nonce;
    });
    // What the second build saw of the first when it was called: built alongside, it would see it still unbroadcast.
    const second = sender.send(async ({ nonce }) => ({ nonce, afterFirst: firstBroadcast }));
    // The first build is held for one turn of the event loop: the fake node answers in microtasks, all run by then, so a
    // second build started alongside the first would have been called.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await first).to.equal(0);
    expect(await second).to.deep.equal({ nonce: 1, afterFirst: true });
  });

  it("reads the node's count again after a failed broadcast, which may have reached the node or not", async () => {
    const node = new NodeCount(3);
    const sender = new TransactionSender(node, OPERATOR);
    expect(await sender.send(taken(node))).to.equal(3);
    // The answer was lost, but the node took it: nonce 4 is used.
    const lost = sender.send(async ({ nonce }) => {
      node.pending = nonce + 1;
      throw new Error("socket hang up");
    });
    await lost.then(
      () => expect.fail("the broadcast should have failed"),
      () => undefined,
    );
    expect(await sender.send(taken(node))).to.equal(5);
    // A build that failed before reaching the node (a revert in gas estimation) leaves no gap either.
    await sender
      .send(async () => {
        throw new Error("execution reverted");
      })
      .catch(() => undefined);
    expect(await sender.send(taken(node))).to.equal(6);
  });

  it("reads the node's count again before the next transaction once told one of ours may have been dropped", async () => {
    const node = new NodeCount(0);
    const sender = new TransactionSender(node, OPERATOR);
    expect(await sender.send(taken(node))).to.equal(0);
    // The node dropped the unmined transaction 0: its count goes back.
    node.pending = 0;
    sender.resync();
    expect(await sender.send(taken(node))).to.equal(0);
  });

  it("runs an exclusive task in the queue's turn and reads the node's count again after it (it may have used nonces)", async () => {
    const node = new NodeCount(4);
    const sender = new TransactionSender(node, OPERATOR);
    expect(await sender.send(taken(node))).to.equal(4);
    const order: string[] = [];
    const task = sender.exclusive(async () => {
      order.push("task");
      // A transaction of the key sent outside the queue, e.g. a replacement at a nonce of its own.
      node.pending = 9;
    });
    const next = sender.send(async (overrides) => {
      order.push("send");
      return taken(node)(overrides);
    });
    await task;
    expect(await next).to.equal(9);
    expect(order).to.deep.equal(["task", "send"]);
  });
});
