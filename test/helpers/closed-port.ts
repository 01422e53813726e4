// A port on 127.0.0.1 that nothing listens on, for tests of a refused connection: bound, then released, so that no
// other program of this machine is likely to take it before the test asks for it.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
