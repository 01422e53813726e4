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
    const built: number[] = [];
    let release: () => void = () => undefined;
    const first = sender.send(async ({ nonce }) => {
      built.push(nonce);
      await new Promise<void>((resolve) => (release = resolve));
      return nonce;
    });
    const second = sender.send(async ({ nonce }) => {
      built.push(nonce);
      return nonce;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(built).to.deep.equal([0]);
    release();
    expect([await first, await second]).to.deep.equal([0, 1]);
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
});
