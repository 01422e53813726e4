// The misbehaving transports of helpers/transports.ts pass abort() and close() on to the transports inside them, so
// that the tests which stop an indexer over one exercise the real abort.
import { expect } from "chai";
import { RpcAbortedError } from "../../../subgraph/indexer";
import { waitUntil } from "../../helpers/wait";
import { startFakeNode, type FakeNode } from "./helpers/fake-node";
import { LaggingLogs, LaggingNode, SwitchingNode } from "./helpers/transports";

describe("indexer test transports: abort() and close() reach the transports inside", function () {
  const nodes: FakeNode[] = [];

  after(async function () {
    for (const node of nodes) await node.close();
  });

  /** A node that answers nothing: a request to it ends only by an abort (or its 30 s timeout). */
  async function silentNode(): Promise<FakeNode> {
    const node = await startFakeNode(() => "no-answer");
    nodes.push(node);
    return node;
  }

  /** `send`'s request, in flight once `node` has it, ended by `end` (an abort or a close): what it rejects with. */
  async function endedInFlight(node: FakeNode, send: () => Promise<unknown>, end: () => void): Promise<unknown> {
    const asked = node.methods.length;
    const request = send().catch((e: unknown) => e);
    await waitUntil(() => node.methods.length > asked, "the node has the request");
    end();
    return request;
  }

  for (const [name, make] of [
    ["LaggingNode", (url: string) => new LaggingNode(url)],
    ["LaggingLogs", (url: string) => new LaggingLogs(url)],
  ] as const) {
    it(`${name}.abort() ends its request in flight with RpcAbortedError`, async function () {
      const node = await silentNode();
      const transport = make(node.url);
      const error = await endedInFlight(node, () => transport.request("eth_blockNumber", []), () => transport.abort());
      expect(error).to.be.instanceOf(RpcAbortedError);
    });

    it(`${name}.close() ends its request in flight, and every later one, with RpcAbortedError`, async function () {
      const node = await silentNode();
      const transport = make(node.url);
      const error = await endedInFlight(node, () => transport.request("eth_blockNumber", []), () => transport.close());
      expect(error).to.be.instanceOf(RpcAbortedError);
      expect(await transport.request("eth_blockNumber", []).catch((e: unknown) => e)).to.be.instanceOf(RpcAbortedError);
    });
  }

  it("SwitchingNode.abort() ends the requests in flight to every node, those sent before `target` changed included", async function () {
    const [first, second] = [await silentNode(), await silentNode()];
    const transport = new SwitchingNode([first.url, second.url]);
    const before = transport.request("eth_blockNumber", []).catch((e: unknown) => e);
    await waitUntil(() => first.methods.length > 0, "the first node has the request");
    transport.target = 1;
    const after = await endedInFlight(second, () => transport.request("eth_blockNumber", []), () => transport.abort());
    expect(after).to.be.instanceOf(RpcAbortedError);
    expect(await before).to.be.instanceOf(RpcAbortedError);
  });

  it("SwitchingNode.close() ends its request in flight, and every later one to any node, with RpcAbortedError", async function () {
    const [first, second] = [await silentNode(), await silentNode()];
    const transport = new SwitchingNode([first.url, second.url]);
    const error = await endedInFlight(first, () => transport.request("eth_blockNumber", []), () => transport.close());
    expect(error).to.be.instanceOf(RpcAbortedError);
    transport.target = 1;
    expect(await transport.request("eth_blockNumber", []).catch((e: unknown) => e)).to.be.instanceOf(RpcAbortedError);
  });
});
