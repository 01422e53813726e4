// A "node" on 127.0.0.1 that accepts connections and never answers, for the tests of a stop asked for while a
// program's start waits on its node: the start can only end by being given up.
import * as net from "node:net";

export interface SilentNode {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections accepted and not yet closed (by either side). */
  readonly open: number;
  /** Ends the connections it holds and stops listening. */
  close(): Promise<void>;
}

export async function startSilentNode(): Promise<SilentNode> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // Read and dropped: a socket never read never sees its client's end, and `open` would count it for ever.
    socket.resume();
    // A client's reset must not end the test process as an unhandled "error".
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
