// Serves the in-process Hardhat network over HTTP JSON-RPC on 127.0.0.1 until SIGTERM or SIGINT: the benchmarks'
// chains run in processes of their own so that the node and what it serves each get a core.
import hre from "hardhat";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";

/** Starts serving on `port` (0: one the system picks) and returns the URL. */
export async function serveChainUntilSignal(port: number): Promise<string> {
  const server = new JsonRpcServer({ hostname: "127.0.0.1", port, provider: hre.network.provider });
  const { address, port: actual } = await server.listen();
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return `http://${address}:${actual}`;
}
