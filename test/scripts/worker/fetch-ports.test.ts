import { expect } from "chai";
import { FETCH_BAD_PORTS, fetchRefusedPort } from "../../../scripts/worker/fetch-ports";

/** What the running Node's fetch says of a port on 127.0.0.1: whether it refused it as a bad port before connecting. */
async function fetchRefuses(port: number): Promise<boolean> {
  try {
    // Whatever listens there (or nothing) does not matter: a bad port is refused before any connection is made.
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) });
    return false;
  } catch (error) {
    return error instanceof TypeError && error.cause instanceof Error && error.cause.message === "bad port";
  }
}

describe("worker fetch-ports", () => {
  it("lists exactly the ports this Node's fetch refuses among them and their neighbours", async () => {
    const neighbours = [...FETCH_BAD_PORTS].flatMap((port) => [port - 1, port + 1]).filter((port) => port > 0 && !FETCH_BAD_PORTS.has(port));
    const refused = await Promise.all([...FETCH_BAD_PORTS].map(fetchRefuses));
    const neighboursRefused = await Promise.all(neighbours.map(fetchRefuses));
    expect([...FETCH_BAD_PORTS].filter((_port, index) => !refused[index])).to.deep.equal([]);
    expect(neighbours.filter((_port, index) => neighboursRefused[index])).to.deep.equal([]);
  });

  it("names the refused port of an http(s) URL, and none for a default port or a WebSocket URL, which ws connects to", () => {
    expect(fetchRefusedPort(new URL("http://127.0.0.1:6000/graphql"))).to.equal(6000);
    expect(fetchRefusedPort(new URL("https://user:pw@rpc.example.org:10080/v2/key"))).to.equal(10080);
    expect(fetchRefusedPort(new URL("http://127.0.0.1:8545"))).to.equal(undefined);
    expect(fetchRefusedPort(new URL("https://rpc.example.org/v2/key"))).to.equal(undefined);
    expect(fetchRefusedPort(new URL("ws://127.0.0.1:6000/graphql"))).to.equal(undefined);
  });
});
