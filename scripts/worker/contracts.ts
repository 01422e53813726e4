// Where the worker finds the escrow and the registry: addresses given in the config, or the deployment file the
// deploy script writes (deployments/<network>.json).

import * as fs from "node:fs";
import { getAddress, isAddress } from "ethers";
import { type ConfigFilePath, type ContractsSource, describeConfigFile } from "./config";
import { JsonSyntaxError, parseJsonText } from "./jsonc";
import { isJsonObject } from "./validate";

export interface ContractAddresses {
  jobEscrow: string;
  providerRegistry: string;
  /** The chain the deployment file says the contracts are on, when it says so. */
  chainId?: number;
}

export class DeploymentFileError extends Error {
  readonly file: string;

  /** `file` as the config gave it: a relative path's error says what was written and where it led, whatever failed. */
  constructor(file: ConfigFilePath, message: string) {
    super(`deployment file ${describeConfigFile(file, "config.contracts.deploymentFile")}: ${message}`);
    this.name = "DeploymentFileError";
    this.file = file.path;
  }
}

/** The addresses given in the config cannot be the contracts'. */
export class ContractAddressesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContractAddressesError";
  }
}

// Not quoted: what a hand-edited file holds there may be anything, a private key included.
function describeValue(value: unknown): string {
  if (typeof value === "string") return `a string of ${value.length} characters`;
  return value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

const CONTRACT_NAMES: Record<"jobEscrow" | "providerRegistry", string> = {
  jobEscrow: "JobEscrow",
  providerRegistry: "ProviderRegistry",
};

/**
 * A deployment file is a JSON object naming each contract by its Solidity name, either at the top level or under
 * `contracts`, with either the address itself or an object holding it as `address`:
 * `{"contracts": {"JobEscrow": {"address": "0x…"}, …}}` or `{"JobEscrow": "0x…", …}`. A top-level `chainId` (as
 * the deploy script writes it) is returned too, so the worker can refuse an RPC endpoint on another chain.
 */
export function resolveContractAddresses(source: ContractsSource): ContractAddresses {
  if (source.kind === "addresses") {
    // Both hold code, so the check at start would pass, and every call to one of them would fail as a revert.
    if (source.jobEscrow === source.providerRegistry) {
      throw new ContractAddressesError(
        `config.contracts.jobEscrow and config.contracts.providerRegistry are the same address, ${source.jobEscrow}`,
      );
    }
    return { jobEscrow: source.jobEscrow, providerRegistry: source.providerRegistry };
  }
  let json: unknown;
  let text: string;
  try {
    text = fs.readFileSync(source.path, "utf8");
  } catch (error) {
    throw new DeploymentFileError(source, (error as Error).message);
  }
  try {
    json = parseJsonText(text, { comments: false });
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new DeploymentFileError(source, `is ${error.message}`);
    throw error;
  }
  if (!isJsonObject(json)) throw new DeploymentFileError(source, "is not a JSON object");
  const table = isJsonObject(json.contracts) ? json.contracts : json;
  const read = (name: string): string => {
    const entry = table[name];
    const address = isJsonObject(entry) ? entry.address : entry;
    if (address === undefined) throw new DeploymentFileError(source, `has no address for ${name}`);
    // Present but unusable is not the same mistake as missing: a hand-edited record with a digit dropped, or its case.
    if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
      throw new DeploymentFileError(source, `has ${name}'s address as ${describeValue(address)}, not a 0x-prefixed 20-byte address`);
    }
    if (!isAddress(address)) {
      throw new DeploymentFileError(source, `has ${name}'s address ${address} with a bad EIP-55 checksum (check its mixed case)`);
    }
    return getAddress(address);
  };
  const addresses: ContractAddresses = {
    jobEscrow: read(CONTRACT_NAMES.jobEscrow),
    providerRegistry: read(CONTRACT_NAMES.providerRegistry),
  };
  if (addresses.jobEscrow === addresses.providerRegistry) {
    throw new DeploymentFileError(source, `has the same address for JobEscrow and ProviderRegistry, ${addresses.jobEscrow}`);
  }
  if (json.chainId !== undefined) {
    if (typeof json.chainId !== "number" || !Number.isSafeInteger(json.chainId) || json.chainId < 1) {
      throw new DeploymentFileError(source, `has a chainId that is not a positive integer`);
    }
    addresses.chainId = json.chainId;
  }
  return addresses;
}
