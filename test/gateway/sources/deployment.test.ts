// readDeployment: a deployment record file the gateway cannot serve (Query.deployment gives its network and chain id
// as they are) is refused as it starts, with a DeploymentError naming the file.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DeploymentError, readDeployment } from "../../../gateway/src/sources/deployment";

describe("readDeployment", function () {
  let dir: string;
  const contracts = { JobEscrow: { address: `0x${"11".repeat(20)}`, blockNumber: 3 } };
  const write = (name: string, record: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(record));
    return file;
  };

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gateway-deployment-"));
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads a record with its network, chain id and contracts", function () {
    const record = { network: "localhost", chainId: 31337, contracts };
    expect(readDeployment(write("good.json", record))).to.deep.equal(record);
  });

  it("refuses a record without a network name, or without a positive whole-number chain id, naming the file", function () {
    for (const [name, record] of [
      ["no-network.json", { chainId: 31337, contracts }],
      ["no-chain.json", { network: "localhost", contracts }],
      ["text-chain.json", { network: "localhost", chainId: "31337", contracts }],
      ["zero-chain.json", { network: "localhost", chainId: 0, contracts }],
    ] as const) {
      const file = write(name, record);
      expect(() => readDeployment(file), name)
        .to.throw(DeploymentError)
        .with.property("message", `the deployment record ${file} has no network name or no chain id (a positive whole number)`);
    }
  });

  it("refuses a record with a malformed contract address, naming the file, the contract and the value", function () {
    const good = contracts.JobEscrow;
    for (const [name, address, shown] of [
      ["short.json", "0x1234", '"0x1234"'],
      ["no-prefix.json", "11".repeat(20), `"${"11".repeat(20)}"`],
      ["not-hex.json", `0x${"zz".repeat(20)}`, `"0x${"zz".repeat(20)}"`],
      ["bad-checksum.json", "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", '"0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"'],
      ["number.json", 17, "17"],
      ["missing.json", undefined, "(none)"],
    ] as const) {
      const file = write(name, { network: "localhost", chainId: 31337, contracts: { JobEscrow: good, Staking: { address, blockNumber: 3 } } });
      expect(() => readDeployment(file), name)
        .to.throw(DeploymentError)
        .with.property(
          "message",
          `the deployment record ${file} has a malformed Staking address ${shown} (a 20-byte 0x address, checksummed when mixed-case)`,
        );
    }
  });

  it("reads lower-case and checksummed addresses alike", function () {
    const record = {
      network: "localhost",
      chainId: 31337,
      contracts: {
        JobEscrow: { address: "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", blockNumber: 3 },
        Staking: { address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", blockNumber: 3 },
      },
    };
    expect(readDeployment(write("cases.json", record))).to.deep.equal(record);
  });
});
