import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { OperatorKeyError, loadOperatorKey } from "../../../scripts/worker/operator-key";

// Hardhat's well-known account #1: public test material, never a real secret.
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("operator key", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-key-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads the key from the named environment variable", () => {
    const { wallet } = loadOperatorKey({ kind: "env", variable: "MY_KEY" }, { MY_KEY: KEY });
    expect(wallet.address).to.equal(ADDRESS);
  });

  it("names the environment variable when it is unset", () => {
    expect(() => loadOperatorKey({ kind: "env", variable: "MY_KEY" }, {})).to.throw(
      OperatorKeyError,
      "environment variable MY_KEY (config.operatorKey.env) is not set",
    );
  });

  it("reads a key file with a trailing newline and no 0x prefix", () => {
    const file = path.join(dir, "operator.key");
    fs.writeFileSync(file, `${KEY.slice(2)}\n`, { mode: 0o600 });
    const key = loadOperatorKey({ kind: "file", path: file });
    expect(key.wallet.address).to.equal(ADDRESS);
    expect(key.looseFilePermissions).to.equal(undefined);
  });

  it("flags a key file other users can read", () => {
    const file = path.join(dir, "operator.key");
    fs.writeFileSync(file, KEY);
    fs.chmodSync(file, 0o644);
    expect(loadOperatorKey({ kind: "file", path: file }).looseFilePermissions).to.contain("mode 644");
  });

  it("rejects a file that holds no key, without quoting its content", () => {
    const file = path.join(dir, "operator.key");
    fs.writeFileSync(file, "correct horse battery staple");
    expect(() => loadOperatorKey({ kind: "file", path: file }))
      .to.throw(OperatorKeyError, "does not hold a 32-byte hex private key")
      .with.property("message")
      .that.does.not.contain("horse");
  });

  it("rejects an environment variable that holds no key (one digit short), naming it without quoting its value", () => {
    const short = KEY.slice(0, -1);
    expect(() => loadOperatorKey({ kind: "env", variable: "MY_KEY" }, { MY_KEY: short }))
      .to.throw(OperatorKeyError, "environment variable MY_KEY does not hold a 32-byte hex private key")
      .with.property("message")
      .that.does.not.contain(short.slice(2, 12));
  });

  it("rejects a zero key as not a valid secp256k1 key", () => {
    expect(() => loadOperatorKey({ kind: "env", variable: "K" }, { K: `0x${"0".repeat(64)}` })).to.throw(
      OperatorKeyError,
      "not hold a valid secp256k1 private key",
    );
  });
});
