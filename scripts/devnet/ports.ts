// Ports are checked before the slow steps, so a second devnet fails in a second instead of after the seed.
import * as net from "node:net";
import { PortInUseError } from "./errors";

/** Resolves when `port` can be bound on `host` (port 0 always can); throws PortInUseError otherwise. */
export async function assertPortFree(host: string, port: number, what: string, option: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "EADDRINUSE" || error.code === "EACCES" ? new PortInUseError(host, port, what, option) : error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
