// A Hardhat chain served over HTTP on 127.0.0.1, run as a child process by the indexer benchmark so that the
// chain and the indexer each get a core. Prints `READY <url>` once listening; stops on SIGTERM.
import hre from "hardhat";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";

async function main(): Promise<void> {
  const portFlag = process.argv.indexOf("--port");
  const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 0;
  const server = new JsonRpcServer({ hostname: "127.0.0.1", port, provider: hre.network.provider });
  const { address, port: actual } = await server.listen();
  process.stdout.write(`READY http://${address}:${actual}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
