import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ContractAddressesError, DeploymentFileError, resolveContractAddresses } from "../../../scripts/worker/contracts";

const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

describe("contract addresses", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-deploy-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function deploymentFile(json: unknown): string {
    const file = path.join(dir, "localhost.json");
    fs.writeFileSync(file, JSON.stringify(json));
    return file;
  }

  it("returns the addresses given in the config", () => {
    expect(
      resolveContractAddresses({ kind: "addresses", jobEscrow: ESCROW, providerRegistry: REGISTRY }),
    ).to.deep.equal({
      jobEscrow: ESCROW,
      providerRegistry: REGISTRY,
    });
  });

  it("reads {contracts: {Name: {address}}} deployment files", () => {
    const file = deploymentFile({
      chainId: 31337,
      contracts: { JobEscrow: { address: ESCROW.toLowerCase() }, ProviderRegistry: { address: REGISTRY } },
    });
    expect(resolveContractAddresses({ kind: "deploymentFile", path: file })).to.deep.equal({
      jobEscrow: ESCROW,
      providerRegistry: REGISTRY,
      chainId: 31337,
    });
  });

  it("names a deployment file whose chainId is not a positive integer", () => {
    const file = deploymentFile({ chainId: "31337", JobEscrow: ESCROW, ProviderRegistry: REGISTRY });
    expect(() => resolveContractAddresses({ kind: "deploymentFile", path: file })).to.throw(
      DeploymentFileError,
      "has a chainId that is not a positive integer",
    );
  });

  it("reads flat {Name: address} deployment files", () => {
    const file = deploymentFile({ JobEscrow: ESCROW, ProviderRegistry: REGISTRY });
    expect(resolveContractAddresses({ kind: "deploymentFile", path: file })).to.deep.equal({
      jobEscrow: ESCROW,
      providerRegistry: REGISTRY,
    });
  });

  it("names a deployment file's address that is not 20 bytes, without quoting it", () => {
    const file = deploymentFile({ JobEscrow: ESCROW.slice(0, -1), ProviderRegistry: REGISTRY });
    expect(() => resolveContractAddresses({ kind: "deploymentFile", path: file })).to.throw(
      DeploymentFileError,
      `deployment file ${file} (config.contracts.deploymentFile): has JobEscrow's address as a string of 41 characters, not a 0x-prefixed 20-byte address`,
    );
  });

  it("names a deployment file's address with a bad checksum", () => {
    const bad = ESCROW.replace("F", "f");
    const file = deploymentFile({ contracts: { JobEscrow: { address: bad }, ProviderRegistry: { address: REGISTRY } } });
    expect(() => resolveContractAddresses({ kind: "deploymentFile", path: file })).to.throw(
      DeploymentFileError,
      `has JobEscrow's address ${bad} with a bad EIP-55 checksum`,
    );
  });

  it("refuses a deployment file giving both contracts the same address", () => {
    const file = deploymentFile({ JobEscrow: ESCROW, ProviderRegistry: ESCROW.toLowerCase() });
    expect(() => resolveContractAddresses({ kind: "deploymentFile", path: file })).to.throw(
      DeploymentFileError,
      `has the same address for JobEscrow and ProviderRegistry, ${ESCROW}`,
    );
  });

  it("refuses config addresses giving both contracts the same address", () => {
    expect(() => resolveContractAddresses({ kind: "addresses", jobEscrow: ESCROW, providerRegistry: ESCROW })).to.throw(
      ContractAddressesError,
      `config.contracts.jobEscrow and config.contracts.providerRegistry are the same address, ${ESCROW}`,
    );
  });

  it("names the contract a deployment file lacks", () => {
    const file = deploymentFile({ contracts: { JobEscrow: { address: ESCROW } } });
    expect(() => resolveContractAddresses({ kind: "deploymentFile", path: file })).to.throw(
      DeploymentFileError,
      "has no address for ProviderRegistry",
    );
  });

  it("names the line and column of a syntax error in a deployment file, without quoting the file", () => {
    const file = path.join(dir, "localhost.json");
    // A hand-edited record with the RPC provider's key written without its quotes: V8's message would quote its start.
    fs.writeFileSync(file, `{\n  "chainId": 31337,\n  "rpcApiKey": sEcReTkEy0123456789\n}`);
    expect(() => resolveContractAddresses({ kind: "deploymentFile", path: file }))
      .to.throw(DeploymentFileError)
      .with.property(
        "message",
        `deployment file ${file} (config.contracts.deploymentFile): is not valid JSON at line 3, column 16: unexpected token`,
      );
    // Comments are for the worker config only: a deployment file is plain JSON, as the deploy script writes it.
    fs.writeFileSync(file, `// hardhat\n{"JobEscrow": "${ESCROW}", "ProviderRegistry": "${REGISTRY}"}`);
    expect(() => resolveContractAddresses({ kind: "deploymentFile", path: file })).to.throw(
      DeploymentFileError,
      "is not valid JSON at line 1, column 1: unexpected token",
    );
  });

  describe("a relative deployment file: the field, the path as written and the resolved path", () => {
    /** `json` written to <dir>/deployments/dev.json, as the config's "deployments/dev.json" names it from its directory. */
    function relativeSource(text: string): { kind: "deploymentFile"; path: string; written: { value: string; configDir: string } } {
      const file = path.join(dir, "deployments", "dev.json");
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return { kind: "deploymentFile", path: file, written: { value: "deployments/dev.json", configDir: dir } };
    }
    const named = (): string =>
      `deployment file ${path.join(dir, "deployments", "dev.json")} (config.contracts.deploymentFile is "deployments/dev.json", ` +
      `a relative path, resolved against the config file's directory ${dir}, not the current directory): `;

    it("for one that is not valid JSON", () => {
      const source = relativeSource(`{"JobEscrow": "${ESCROW}",}`);
      expect(() => resolveContractAddresses(source))
        .to.throw(DeploymentFileError)
        .with.property("message", `${named()}is not valid JSON at line 1, column 60: expected double-quoted property name`);
    });

    it("for one that lacks a contract's address", () => {
      const source = relativeSource(JSON.stringify({ contracts: { JobEscrow: { address: ESCROW } } }));
      expect(() => resolveContractAddresses(source))
        .to.throw(DeploymentFileError)
        .with.property("message", `${named()}has no address for ProviderRegistry`);
    });

    it("for one that is not a JSON object", () => {
      const source = relativeSource(JSON.stringify([ESCROW, REGISTRY]));
      expect(() => resolveContractAddresses(source))
        .to.throw(DeploymentFileError)
        .with.property("message", `${named()}is not a JSON object`);
    });

    it("for one whose chainId is not a positive integer", () => {
      const source = relativeSource(JSON.stringify({ chainId: 0, JobEscrow: ESCROW, ProviderRegistry: REGISTRY }));
      expect(() => resolveContractAddresses(source))
        .to.throw(DeploymentFileError)
        .with.property("message", `${named()}has a chainId that is not a positive integer`);
    });
  });

  it("names a deployment file that does not exist", () => {
    const file = path.join(dir, "absent.json");
    expect(() => resolveContractAddresses({ kind: "deploymentFile", path: file })).to.throw(DeploymentFileError, file);
  });
});
