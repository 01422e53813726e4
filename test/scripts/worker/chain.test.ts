// The worker's RPC transport against a loopback server: eth_chainId at start (readChainId) and every later call
// (pinnedProvider). A redirect is refused on both, as the gateway's HTTP path refuses one: a redirected POST may come
// back a GET without its body, and Location may name another host that would receive the call and its headers.
import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { RPC_REQUEST_TIMEOUT_MS, RpcEndpointError, pinnedProvider, readChainId } from "../../../scripts/worker/chain";
import { HttpStatusError, isTransientError } from "../../../scripts/worker/retry";

interface RpcServer {
  origin: string;
  /** Requests to /rpc, the path Location names. */
  followed: number;
  /** The Authorization header of each request, in order. */
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

/**
 * Answers eth_chainId (31337) on /rpc, and `status` with Location naming /rpc on any other path: absolute, as ethers
 * follows only those (and fetch either).
 */
async function rpcServer(status: number): Promise<RpcServer> {
  const state = { followed: 0, authorizations: [] as Array<string | undefined> };
  const server = http.createServer((request, response) => {
    state.authorizations.push(request.headers.authorization);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.url !== "/rpc") {
        response.statusCode = status;
        response.setHeader("location", `${origin}/rpc`);
        response.end();
        return;
      }
      state.followed += 1;
      let body: { id: number } | Array<{ id: number }>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        // A 301 or 302 followed by fetch: a GET without the call.
        response.statusCode = 400;
        response.end();
        return;
      }
      const answer = (call: { id: number }): unknown => ({ jsonrpc: "2.0", id: call.id, result: "0x7a69" });
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    get followed() {
      return state.followed;
    },
    authorizations: state.authorizations,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const caught = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe("the worker's RPC transport", function () {
  for (const status of [301, 307]) {
    describe(`against an endpoint that answers ${status}`, function () {
      let server: RpcServer;
      beforeEach(async () => {
        server = await rpcServer(status);
      });
      afterEach(() => server.close());

      it(`refuses it on eth_chainId as HttpStatusError ${status}, not transient, naming the URL without credentials`, async () => {
        const error = await caught(readChainId(`http://operator:s3cret@${server.origin.slice("http://".length)}/old`, 10_000));
        expect(error).to.be.instanceOf(HttpStatusError);
        expect(error).to.include({ url: `${server.origin}/old`, status });
        expect((error as Error).message).to.equal(`${server.origin}/old answered HTTP ${status}`);
        expect(isTransientError(error)).to.equal(false);
        expect(server.followed).to.equal(0);
      });

      it(`refuses it on the provider's calls as HttpStatusError ${status}, not transient, naming the URL without credentials`, async () => {
        const rpc = pinnedProvider(`http://operator:s3cret@${server.origin.slice("http://".length)}/old`, 31337);
        try {
          const error = await caught(rpc.getBlockNumber());
          expect(error).to.be.instanceOf(HttpStatusError);
          expect(error).to.include({ url: `${server.origin}/old`, status });
          expect(isTransientError(error)).to.equal(false);
          expect(server.followed).to.equal(0);
        } finally {
          rpc.destroy();
        }
      });
    });
  }

  it("sends eth_chainId to a URL with credentials as Authorization: Basic to the URL without them, as the provider sends its calls", async () => {
    // fetch refuses a URL with credentials outright: a node behind basic authentication failed every start.
    const server = await rpcServer(301);
    const url = `http://operator:s3cret@${server.origin.slice("http://".length)}/rpc`;
    const rpc = pinnedProvider(url, 31337);
    try {
      expect(await readChainId(url, 10_000)).to.equal(31337);
      await rpc.getBlockNumber();
      const basic = `Basic ${Buffer.from("operator:s3cret").toString("base64")}`;
      expect(server.authorizations).to.deep.equal([basic, basic]);
    } finally {
      rpc.destroy();
      await server.close();
    }
  });

  describe("against a node that takes calls and never answers", function () {
    let server: http.Server;
    let origin: string;
    beforeEach(async () => {
      server = http.createServer((request) => request.resume());
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it("gives up a call after its request timeout with ethers' TIMEOUT, which the worker retries as transient", async () => {
      const rpc = pinnedProvider(`${origin}/rpc`, 31337, 200);
      try {
        const error = await caught(rpc.getBlockNumber());
        expect(error).to.include({ code: "TIMEOUT" });
        expect(isTransientError(error)).to.equal(true);
      } finally {
        rpc.destroy();
      }
    });

    it("times each call out after 30 s by default, not ethers' 5 minutes, which would outlast a submission's last minute", () => {
      const rpc = pinnedProvider(`${origin}/rpc`, 31337);
      try {
        expect(RPC_REQUEST_TIMEOUT_MS).to.equal(30_000);
        expect(rpc._getConnection().timeout).to.equal(30_000);
      } finally {
        rpc.destroy();
      }
    });
  });

  it("names a URL with credentials without them when the endpoint's answer is not a chain id (RpcEndpointError)", async () => {
    const server = http.createServer((request, response) => {
      request.resume();
      response.end("<html>a login page</html>");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const bare = `127.0.0.1:${(server.address() as AddressInfo).port}/rpc`;
      const error = await caught(readChainId(`http://operator:s3cret@${bare}`, 10_000));
      expect(error).to.be.instanceOf(RpcEndpointError);
      expect(error).to.include({
        url: `http://${bare}`,
        message: `the RPC endpoint http://${bare} (config.chain.rpcUrl) answered eth_chainId with something that is not JSON`,
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
