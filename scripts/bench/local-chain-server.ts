// An empty Hardhat chain served over HTTP on 127.0.0.1, run as a child process by the gateway benchmark. Prints
// `READY <url>` once listening; stops on SIGTERM.
import { serveChainUntilSignal } from "./serve-chain";

async function main(): Promise<void> {
  const portFlag = process.argv.indexOf("--port");
  const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 0;
  process.stdout.write(`READY ${await serveChainUntilSignal(port)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
