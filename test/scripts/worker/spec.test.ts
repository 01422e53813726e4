import { expect } from "chai";
import { keccak256 } from "ethers";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { SpecFormatError, SpecHashMismatchError, encodeJobSpec, parseJobSpec } from "../../../scripts/worker/spec";
import {
  SpecFetchError,
  SpecFetcher,
  SpecHostRefusedError,
  SpecTooLargeError,
  SpecUriError,
  refusedRange,
} from "../../../scripts/worker/spec-fetch";

const SEED = `0x${"ab".repeat(32)}`;
const MATMUL_DOC = `{"version":1,"kind":"matmul","params":{"n":8,"seed":"${SEED}","rounds":2}}`;
const bytesOf = (text: string) => new TextEncoder().encode(text);
const hashOf = (text: string) => keccak256(bytesOf(text));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: Error) => error,
  );
}

function formatError(text: string): SpecFormatError {
  try {
    parseJobSpec(bytesOf(text));
  } catch (error) {
    if (error instanceof SpecFormatError) return error;
    throw error;
  }
  throw new Error("expected a SpecFormatError");
}

describe("job spec", () => {
  describe("format", () => {
    it("parses a matmul document", () => {
      expect(parseJobSpec(bytesOf(MATMUL_DOC))).to.deep.equal({
        version: 1,
        kind: "matmul",
        params: { n: 8, seed: SEED, rounds: 2 },
      });
    });

    it("defaults rounds to 1 and lowercases the seed", () => {
      const spec = parseJobSpec(
        bytesOf(`{"version":1,"kind":"matmul","params":{"n":4,"seed":"0x${"AB".repeat(32)}"}}`),
      );
      expect(spec).to.deep.equal({ version: 1, kind: "matmul", params: { n: 4, seed: SEED, rounds: 1 } });
    });

    it("parses a command document, keeping its args as data", () => {
      const spec = parseJobSpec(
        bytesOf('{"version":1,"kind":"command","params":{"input":"hello","args":["--rm -rf /","$(id)"]}}'),
      );
      expect(spec).to.deep.equal({
        version: 1,
        kind: "command",
        params: { input: "hello", args: ["--rm -rf /", "$(id)"] },
      });
    });

    it("names an out-of-range matrix size", () => {
      const error = formatError(`{"version":1,"kind":"matmul","params":{"n":4096,"seed":"${SEED}"}}`);
      expect(error.path).to.equal("spec.params.n");
      expect(error.message).to.equal("spec.params.n: must be an integer between 1 and 2048, got 4096");
    });

    it("takes 1 to 32 matmul rounds and nothing outside", () => {
      const doc = (rounds: number) => `{"version":1,"kind":"matmul","params":{"n":4,"seed":"${SEED}","rounds":${rounds}}}`;
      expect(parseJobSpec(bytesOf(doc(32)))).to.deep.include({ params: { n: 4, seed: SEED, rounds: 32 } });
      expect(formatError(doc(33)).message).to.equal("spec.params.rounds: must be an integer between 1 and 32, got 33");
      expect(formatError(doc(0)).path).to.equal("spec.params.rounds");
    });

    it("takes a command input of up to 1 MiB", () => {
      const doc = (bytes: number) => `{"version":1,"kind":"command","params":{"input":"${"x".repeat(bytes)}"}}`;
      expect(() => parseJobSpec(bytesOf(doc(1024 * 1024)))).not.to.throw();
      expect(formatError(doc(1024 * 1024 + 1)).path).to.equal("spec.params.input");
    });

    it("takes up to 64 command arguments", () => {
      const doc = (count: number) => JSON.stringify({ version: 1, kind: "command", params: { args: Array.from({ length: count }, (_, i) => `a${i}`) } });
      expect(() => parseJobSpec(bytesOf(doc(64)))).not.to.throw();
      expect(formatError(doc(65)).path).to.equal("spec.params.args");
    });

    it("rejects a seed that is not 32 bytes of hex", () => {
      expect(formatError('{"version":1,"kind":"matmul","params":{"n":4,"seed":"0x1234"}}').path).to.equal(
        "spec.params.seed",
      );
    });

    it("rejects an unknown version", () => {
      expect(formatError(`{"version":2,"kind":"matmul","params":{"n":4,"seed":"${SEED}"}}`).message).to.contain(
        "spec.version: must be 1",
      );
    });

    it("rejects an unknown kind", () => {
      expect(formatError('{"version":1,"kind":"docker","params":{}}').message).to.equal(
        'spec.kind: must be one of: matmul, command, got "docker"',
      );
    });

    it("rejects an unknown field, which another reader might interpret", () => {
      expect(
        formatError(`{"version":1,"kind":"matmul","params":{"n":4,"seed":"${SEED}","dtype":"f16"}}`).path,
      ).to.equal("spec.params.dtype");
    });

    it("rejects a command argument longer than 4096 bytes", () => {
      const error = formatError(`{"version":1,"kind":"command","params":{"args":["${"x".repeat(4097)}"]}}`);
      expect(error.path).to.equal("spec.params.args[0]");
    });

    it("rejects bytes that are not UTF-8", () => {
      expect(() => parseJobSpec(new Uint8Array([0x7b, 0xff, 0x7d]))).to.throw(
        SpecFormatError,
        "spec: is not valid UTF-8",
      );
    });

    it("rejects text that is not JSON", () => {
      expect(() => parseJobSpec(bytesOf("{version:1}"))).to.throw(SpecFormatError, "spec: is not valid JSON");
    });

    it("says where a document is not JSON by line and column, as a config file's error does, never quoting it", () => {
      const lines = ["{", '  "version": 1,', '  "kind": matmulWithAnUnquotedName,', `  "params": {"n": 8, "seed": "${SEED}"}`, "}"];
      for (const [text, message] of [
        [lines.join("\n"), "spec: is not valid JSON at line 3, column 11: unexpected token"],
        [lines.join("\r\n"), "spec: is not valid JSON at line 3, column 11: unexpected token"],
        ['{"version":1,"kind":', "spec: is not valid JSON at line 1, column 21: unexpected end of JSON input"],
        // The decoder skips one byte-order mark; a second is no JSON, as it was before, at the column an editor shows.
        [`\uFEFF\uFEFF${MATMUL_DOC}`, "spec: is not valid JSON at line 1, column 1: unexpected token"],
      ]) {
        const error = formatError(text);
        expect(error.message, text).to.equal(message);
        expect(error.path).to.equal("spec");
      }
      expect(parseJobSpec(bytesOf(`\uFEFF${MATMUL_DOC}`)).kind).to.equal("matmul");
    });

    it("encodes a spec to bytes that parse back to it", () => {
      const spec = parseJobSpec(bytesOf(MATMUL_DOC));
      expect(parseJobSpec(encodeJobSpec(spec))).to.deep.equal(spec);
    });
  });

  describe("fetching", () => {
    const fetcher = (overrides: Partial<ConstructorParameters<typeof SpecFetcher>[0]> = {}) =>
      new SpecFetcher({ maxBytes: 1024, timeoutMs: 2000, allowHttp: true, ...overrides });

    it("loads a base64 data: URI and checks its hash", async () => {
      const uri = `data:application/json;base64,${Buffer.from(MATMUL_DOC).toString("base64")}`;
      const loaded = await fetcher().load(uri, hashOf(MATMUL_DOC));
      expect(loaded.hash).to.equal(hashOf(MATMUL_DOC));
      expect(Buffer.from(loaded.bytes).toString()).to.equal(MATMUL_DOC);
      expect(loaded.spec.kind).to.equal("matmul");
    });

    it("loads a percent-encoded data: URI byte for byte", async () => {
      const uri = `data:application/json,${encodeURIComponent(MATMUL_DOC)}`;
      const loaded = await fetcher().load(uri, hashOf(MATMUL_DOC));
      expect(Buffer.from(loaded.bytes).toString()).to.equal(MATMUL_DOC);
    });

    it("rejects a document whose hash differs from the job's specHash, before parsing it", async () => {
      const uri = `data:,${encodeURIComponent("not even json")}`;
      const error = await rejection(fetcher().load(uri, hashOf(MATMUL_DOC)));
      expect(error).to.be.instanceOf(SpecHashMismatchError);
      expect((error as SpecHashMismatchError).actualHash).to.equal(hashOf("not even json"));
    });

    it("rejects a data: URI larger than the limit", async () => {
      const uri = `data:;base64,${Buffer.alloc(2048).toString("base64")}`;
      expect(await rejection(fetcher().fetchBytes(uri))).to.be.instanceOf(SpecTooLargeError);
    });

    it("rejects base64 with characters outside the alphabet", async () => {
      const error = await rejection(fetcher().fetchBytes("data:;base64,eyJ2!!!!"));
      expect(error).to.be.instanceOf(SpecUriError);
      expect(error.message).to.contain("base64 payload is malformed");
    });

    it("rejects an unsupported scheme by name", async () => {
      const error = await rejection(
        fetcher().fetchBytes("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"),
      );
      expect(error).to.be.instanceOf(SpecUriError);
      expect(error.message).to.contain('unsupported scheme "ipfs:"');
    });

    it("quotes a spec URI with no scheme, so that an empty one or one of spaces still reads as a URI in the reason", async () => {
      const error = await rejection(fetcher().fetchBytes("   "));
      expect(error).to.be.instanceOf(SpecUriError);
      expect(error.message).to.equal('cannot fetch spec "   ": not a URI');
      expect((await rejection(fetcher().fetchBytes(""))).message).to.equal('cannot fetch spec "": not a URI');
    });

    it("tells public addresses from loopback, private, link-local and mapped ones", () => {
      expect(refusedRange("93.184.216.34")).to.equal(undefined);
      expect(refusedRange("2606:4700:4700::1111")).to.equal(undefined);
      expect(refusedRange("127.8.9.1")).to.equal("a loopback address");
      expect(refusedRange("::1")).to.equal("a loopback address");
      expect(refusedRange("0.0.0.0")).to.equal('a "this network" address');
      expect(refusedRange("fe80::1")).to.equal("a link-local address");
      expect(refusedRange("::ffff:a9fe:a9fe")).to.contain("link-local");
      expect(refusedRange("64:ff9b::10.0.0.1")).to.equal("a private address");
      expect(refusedRange("::ffff:8.8.8.8")).to.equal(undefined);
    });

    describe("file: URIs", () => {
      let root: string;
      let outside: string;
      beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "latent-specs-"));
        outside = fs.mkdtempSync(path.join(os.tmpdir(), "latent-outside-"));
      });
      afterEach(() => {
        fs.rmSync(root, { recursive: true, force: true });
        fs.rmSync(outside, { recursive: true, force: true });
      });

      it("reads a file under the configured root", async () => {
        fs.writeFileSync(path.join(root, "job.json"), MATMUL_DOC);
        const loaded = await fetcher({ fileRoot: root }).load(
          pathToFileURL(path.join(root, "job.json")).href,
          hashOf(MATMUL_DOC),
        );
        expect(loaded.spec.kind).to.equal("matmul");
      });

      it("refuses a file outside the root", async () => {
        fs.writeFileSync(path.join(outside, "secret.json"), "{}");
        const error = await rejection(
          fetcher({ fileRoot: root }).fetchBytes(pathToFileURL(path.join(outside, "secret.json")).href),
        );
        expect(error).to.be.instanceOf(SpecUriError);
        expect(error.message).to.contain("not inside specs.fileRoot");
      });

      it("refuses a symlink inside the root that points outside it", async () => {
        fs.writeFileSync(path.join(outside, "secret.json"), "{}");
        fs.symlinkSync(path.join(outside, "secret.json"), path.join(root, "link.json"));
        const error = await rejection(
          fetcher({ fileRoot: root }).fetchBytes(pathToFileURL(path.join(root, "link.json")).href),
        );
        expect(error).to.be.instanceOf(SpecUriError);
      });

      it("refuses file: URIs when no root is configured", async () => {
        fs.writeFileSync(path.join(root, "job.json"), MATMUL_DOC);
        const error = await rejection(fetcher().fetchBytes(pathToFileURL(path.join(root, "job.json")).href));
        expect(error.message).to.contain("no specs.fileRoot configured");
      });

      it("rejects a file larger than the limit", async () => {
        fs.writeFileSync(path.join(root, "big.json"), Buffer.alloc(1025, 0x20));
        const error = await rejection(
          fetcher({ fileRoot: root }).fetchBytes(pathToFileURL(path.join(root, "big.json")).href),
        );
        expect(error).to.be.instanceOf(SpecTooLargeError);
      });
    });

    describe("http: URIs", () => {
      let server: http.Server;
      let base: string;
      let port: number;
      const asked: string[] = [];
      // The test server is on loopback, which the worker refuses unless told otherwise.
      const fetcher = (overrides: Partial<ConstructorParameters<typeof SpecFetcher>[0]> = {}) =>
        new SpecFetcher({ maxBytes: 1024, timeoutMs: 2000, allowHttp: true, allowHosts: ["127.0.0.1"], ...overrides });
      before(async () => {
        server = http.createServer((request, response) => {
          asked.push(request.url ?? "");
          if (request.url === "/job.json") {
            response.end(MATMUL_DOC);
          } else if (request.url === "/moved") {
            // To a document that would pass the hash check: only the redirect itself is refused.
            response.writeHead(302, { location: "/job.json" });
            response.end();
          } else if (request.url === "/flood") {
            // Chunked, no Content-Length: the limit must hold while streaming.
            response.write(Buffer.alloc(800, 0x20));
            response.write(Buffer.alloc(800, 0x20));
            response.end();
          } else if (request.url === "/unavailable") {
            response.statusCode = 503;
            response.end();
          } else if (request.url === "/hang") {
            // Never answers: only the fetch timeout ends this request.
          } else {
            response.statusCode = 404;
            response.end();
          }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as AddressInfo).port;
        base = `http://127.0.0.1:${port}`;
      });
      after(async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      });

      it("fetches and verifies a document over http", async () => {
        const loaded = await fetcher().load(`${base}/job.json`, hashOf(MATMUL_DOC));
        expect(loaded.spec).to.deep.equal(parseJobSpec(bytesOf(MATMUL_DOC)));
      });

      it("reports a 404 as a permanent failure", async () => {
        const error = await rejection(fetcher().fetchBytes(`${base}/missing`));
        expect(error).to.be.instanceOf(SpecFetchError);
        expect(error).to.include({ status: 404, transient: false });
      });

      it("reports a 503 as a transient failure", async () => {
        const error = await rejection(fetcher().fetchBytes(`${base}/unavailable`));
        expect(error).to.include({ status: 503, transient: true });
      });

      it("stops reading a streamed body past the limit", async () => {
        expect(await rejection(fetcher().fetchBytes(`${base}/flood`))).to.be.instanceOf(SpecTooLargeError);
      });

      it("gives up on a server that does not answer in time", async () => {
        const error = await rejection(fetcher({ timeoutMs: 200 }).fetchBytes(`${base}/hang`));
        expect(error).to.be.instanceOf(SpecFetchError);
        expect(error.message).to.contain("timed out after 200 ms");
        expect(error).to.include({ transient: true });
      });

      it("refuses a redirect as a permanent failure naming its status, without following it", async () => {
        asked.length = 0;
        const error = await rejection(fetcher().fetchBytes(`${base}/moved`));
        expect(error).to.be.instanceOf(SpecFetchError);
        expect(error).to.include({ status: 302, transient: false });
        expect(error.message).to.contain("HTTP 302, a redirect, which is not followed");
        expect(asked).to.deep.equal(["/moved"]);
      });

      it("refuses http when the config disables it", async () => {
        const error = await rejection(fetcher({ allowHttp: false }).fetchBytes(`${base}/job.json`));
        expect(error).to.be.instanceOf(SpecUriError);
      });

      it("refuses a loopback address by default, naming the URL and the range, without connecting", async () => {
        asked.length = 0;
        const error = await rejection(fetcher({ allowHosts: undefined }).fetchBytes(`${base}/job.json`));
        expect(error).to.be.instanceOf(SpecHostRefusedError);
        expect(error).to.be.instanceOf(SpecUriError);
        expect(error).to.include({ uri: `${base}/job.json`, host: "127.0.0.1", range: "a loopback address" });
        expect(error.message).to.contain(`${base}/job.json`).and.contain('specs.allowHosts lists "127.0.0.1"');
        expect(asked).to.deep.equal([]);
      });

      it("refuses a host name that resolves to loopback, naming the address, without sending the request", async () => {
        asked.length = 0;
        const uri = `http://localhost:${port}/job.json`;
        const error = await rejection(fetcher({ allowHosts: ["127.0.0.1"] }).fetchBytes(uri));
        expect(error).to.be.instanceOf(SpecHostRefusedError);
        expect(error).to.include({ uri, host: "localhost" });
        expect(error.message).to.match(/its host localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
        expect(asked).to.deep.equal([]);
      });

      it("refuses an IPv4-mapped IPv6 literal of a loopback address", async () => {
        const error = await rejection(fetcher({ allowHosts: undefined }).fetchBytes(`http://[::ffff:127.0.0.1]:${port}/job.json`));
        expect(error).to.be.instanceOf(SpecHostRefusedError);
        expect(error).to.include({ range: "a loopback address" });
      });

      it("refuses the cloud metadata address as link-local", async () => {
        const uri = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
        const error = await rejection(fetcher({ allowHosts: undefined }).fetchBytes(uri));
        expect(error).to.be.instanceOf(SpecHostRefusedError);
        expect(error.message).to.contain(uri).and.contain("a link-local address");
      });

      it("refuses private addresses over https too", async () => {
        for (const host of ["10.1.2.3", "172.20.0.1", "192.168.1.10", "[fd00:ec2::254]"]) {
          const error = await rejection(fetcher({ allowHosts: undefined }).fetchBytes(`https://${host}/job.json`));
          expect(error, host).to.be.instanceOf(SpecHostRefusedError);
        }
      });

      it("fetches from a host name specs.allowHosts lists", async () => {
        const loaded = await fetcher({ allowHosts: ["localhost"] }).load(`http://localhost:${port}/job.json`, hashOf(MATMUL_DOC));
        expect(loaded.spec.kind).to.equal("matmul");
      });
    });
  });
});
