// The indexer's view of its transport (ScopedRpc): its abort() and close() end the requests made through it only.
import { expect } from "chai";
import type { RequestOptions, RpcCall, RpcTransport } from "../../../../subgraph/indexer/chain/rpc";
import { ScopedRpc } from "../../../../subgraph/indexer/chain/scoped-rpc";
import { RpcAbortedError } from "../../../../subgraph/indexer/errors";

/** A transport whose requests wait until the test answers them; it records the signal each came with, and its close(). */
class HeldTransport implements RpcTransport {
  readonly description = "held";
  readonly signals: Array<AbortSignal | undefined> = [];
  private readonly answers: Array<(result: unknown) => void> = [];
  closed = false;

  request<T>(_method: string, _params: readonly unknown[], options?: RequestOptions): Promise<T> {
    this.signals.push(options?.signal);
    return new Promise<T>((resolve) => this.answers.push(resolve as (result: unknown) => void));
  }

  batch<T>(calls: readonly RpcCall[], options?: RequestOptions): Promise<T[]> {
    return this.request<T[]>(calls[0]!.method, [], options);
  }

  answerAll(result: unknown): void {
    for (const answer of this.answers.splice(0)) answer(result);
  }

  close(): void {
    this.closed = true;
  }
}

describe("embedded indexer: the indexer's view of its transport", function () {
  it("abort() ends at once its requests in flight, even on a transport that ignores their signal, and sends later ones", async function () {
    const transport = new HeldTransport();
    const scoped = new ScopedRpc(transport, false);
    const mine = scoped.request("eth_blockNumber", []).catch((e: unknown) => e);
    const batch = scoped.batch([{ method: "eth_getBlockByNumber", params: ["0x1", false] }]).catch((e: unknown) => e);
    const others = transport.request("eth_gasPrice", []);
    scoped.abort();
    expect(await mine).to.be.instanceOf(RpcAbortedError);
    expect(await batch).to.be.instanceOf(RpcAbortedError);
    // The signal went with them, aborted: a transport that honours it ends them too.
    expect(transport.signals.slice(0, 2).map((s) => s?.aborted)).to.deep.equal([true, true]);
    expect(transport.signals[2]).to.equal(undefined);
    const later = scoped.request("eth_blockNumber", []);
    transport.answerAll("0x2");
    expect(await others).to.equal("0x2");
    expect(await later).to.equal("0x2");
  });

  it("close() refuses its later requests and closes the transport only when it owns it", async function () {
    const shared = new HeldTransport();
    const sharedView = new ScopedRpc(shared, false);
    sharedView.close();
    expect(shared.closed).to.equal(false);
    expect(await sharedView.request("eth_blockNumber", []).catch((e: unknown) => e)).to.be.instanceOf(RpcAbortedError);
    const owned = new HeldTransport();
    new ScopedRpc(owned, true).close();
    expect(owned.closed).to.equal(true);
  });
});
