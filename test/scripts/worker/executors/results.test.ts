import { expect } from "chai";
import { keccak256 } from "ethers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  RESULT_DATA_URI_PREFIX,
  ResultStore,
  ResultUriTooLongError,
} from "../../../../scripts/worker/executors/results";

describe("result store", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-results-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("inlines a result whose data: URI fits the escrow's URI limit", async () => {
    const bytes = Buffer.alloc(150, 7);
    const published = await new ResultStore({ dir, maxUriBytes: 256 }).publish(bytes);
    expect(published.resultURI).to.equal(RESULT_DATA_URI_PREFIX + bytes.toString("base64"));
    expect(published.resultURI.length).to.be.at.most(256);
    expect(published.resultHash).to.equal(keccak256(bytes));
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("writes a larger result to the results directory under its hash", async () => {
    const bytes = Buffer.alloc(200, 7);
    const published = await new ResultStore({ dir, maxUriBytes: 256 }).publish(bytes);
    const file = path.join(dir, `${keccak256(bytes).slice(2)}.bin`);
    expect(published.resultURI).to.equal(`file://${file}`);
    expect(fs.readFileSync(file).equals(bytes)).to.equal(true);
  });

  it("names a file by the public base URL when the directory is served", async () => {
    const bytes = Buffer.alloc(300, 1);
    const store = new ResultStore({ dir, maxUriBytes: 256, publicBaseUrl: "https://worker.example.org/results/" });
    const published = await store.publish(bytes);
    expect(published.resultURI).to.equal(`https://worker.example.org/results/${keccak256(bytes).slice(2)}.bin`);
  });

  it("hashes a result above a megabyte off the event loop to the same keccak256", async () => {
    const bytes = new Uint8Array(1024 * 1024 + 3).map((_, index) => index % 251);
    const published = await new ResultStore({ dir, maxUriBytes: 256 }).publish(bytes);
    expect(published.resultHash).to.equal(keccak256(bytes));
  });

  it("refuses a file URI longer than the limit instead of letting the escrow revert", async () => {
    const deep = path.join(dir, "x".repeat(200));
    const error = await new ResultStore({ dir: deep, maxUriBytes: 256 }).publish(Buffer.alloc(300)).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(ResultUriTooLongError);
  });
});
