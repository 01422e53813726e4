// The dashboard's files, served at /: what becomes of a file whose client leaves before it is sent.
import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { serveStatic } from "../../../gateway/src/http/static-files";

describe("gateway static files", function () {
  let dir: string;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-static-"));
    // Far more than the socket's buffers hold: its response cannot finish while the client reads nothing.
    fs.writeFileSync(path.join(dir, "large.bin"), Buffer.alloc(32 * 1024 * 1024, 1));
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("closes the file and resolves when the client leaves before the file is sent", async function () {
    // Without it the file stays open, its response never drains, and this waits until mocha's timeout.
    this.timeout(10_000);
    let source: Readable | null = null;
    let served: Promise<boolean> | null = null;
    const server = http.createServer((req, res) => {
      res.once("pipe", (from: Readable) => (source = from));
      served = serveStatic(dir, req.url ?? "/", res, false);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const client = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
      client.write("GET /large.bin HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
      await new Promise((resolve) => client.once("data", resolve));
      client.pause();
      client.destroy();
      expect(source).to.not.equal(null);
      const file = source as unknown as Readable;
      if (!file.destroyed) await new Promise((resolve) => file.once("close", resolve));
      expect(await served).to.equal(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
