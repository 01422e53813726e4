// The local chain's stop with a client still connected: Node's server.close() ends only idle connections, and serves
// on a kept-alive one for as long as its client sends requests (the gateway's indexer polls every 250 ms), so a stop
// that waited for the server's close waited for ever.
import * as net from "node:net";
import hre from "hardhat";
import { startLocalChain } from "../../../scripts/devnet/chain";
import { waitUntil } from "../../helpers/wait";

describe("scripts/devnet/chain", function () {
  it("stops with a kept-alive connection in the middle of a request, closing it rather than waiting for its client", async function () {
    const chain = await startLocalChain(hre, "127.0.0.1", 0);
    const client = net.connect(chain.port, "127.0.0.1");
    let clientClosed = false;
    client.on("close", () => (clientClosed = true));
    client.on("error", () => undefined);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    // A request begun, its body still to come: the connection is not idle, as one whose request the chain is
    // answering at the stop is not.
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
    client.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    client.write(body.slice(0, 5));
    // Answered on another connection, sent after them: the server has read the headers by then, as it reads each
    // socket's data as it comes.
    await fetch(chain.url, { method: "POST", headers: { "content-type": "application/json" }, body });
    let stopped = false;
    const stopping = chain.stop().then(() => (stopped = true));
    try {
      await waitUntil(() => stopped, "the chain stopped");
      // The chain closed the connection: its client hears of it.
      await waitUntil(() => clientClosed, "the connection was closed");
    } finally {
      client.destroy();
      await stopping;
    }
  });
});
