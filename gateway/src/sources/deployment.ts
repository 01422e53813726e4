// deployments/<network>.json as scripts/deploy.ts writes it: where the contracts are and from which block.
import * as fs from "node:fs";
import { isAddress } from "ethers";

export interface DeploymentRecord {
  network: string;
  chainId: number;
  contracts: Record<string, { address: string; blockNumber: number }>;
}

/** The deployment record cannot be read or is not one; the message names the file. */
export class DeploymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeploymentError";
  }
}

export function readDeployment(deployment: DeploymentRecord | string): DeploymentRecord {
  if (typeof deployment !== "string") return deployment;
  // fs and JSON.parse name neither the file nor what it is for (a bare ENOENT, "Unexpected token").
  let text: string;
  try {
    text = fs.readFileSync(deployment, "utf8");
  } catch (error) {
    throw new DeploymentError(`cannot read the deployment record ${deployment}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let record: DeploymentRecord;
  try {
    record = JSON.parse(text) as DeploymentRecord;
  } catch {
    throw new DeploymentError(`the deployment record ${deployment} is not JSON`);
  }
  if (typeof record !== "object" || record === null || typeof record.contracts !== "object" || record.contracts === null) {
    throw new DeploymentError(`${deployment} is not a deployment record ({ network, chainId, contracts })`);
  }
  // Query.deployment serves both as they are: a record without them would be read, then fail every such query.
  if (typeof record.network !== "string" || !Number.isSafeInteger(record.chainId) || record.chainId <= 0) {
    throw new DeploymentError(`the deployment record ${deployment} has no network name or no chain id (a positive whole number)`);
  }
  // Query.deployment's contracts and the chain reader take each address as it is: a malformed one would start the
  // gateway, then fail both. A mixed-case address must carry its checksum (a typo in one is refused, not read).
  for (const [name, entry] of Object.entries(record.contracts)) {
    const address: unknown = typeof entry === "object" && entry !== null ? entry.address : undefined;
    if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address) || !isAddress(address)) {
      throw new DeploymentError(
        `the deployment record ${deployment} has a malformed ${name} address ${JSON.stringify(address) ?? "(none)"} (a 20-byte 0x address, checksummed when mixed-case)`,
      );
    }
  }
  return record;
}

/**
 * The address of one contract of the deployment; throws DeploymentError naming it (and `file`, the record's path
 * when it was read from one) when missing, so that the CLI reports it in one line like any other broken record.
 */
export function contractAddress(record: DeploymentRecord, name: string, file?: string): string {
  const entry = record.contracts[name];
  if (entry === undefined || typeof entry.address !== "string") {
    throw new DeploymentError(`the deployment record ${file ?? `of ${record.network}`} has no ${name} address`);
  }
  return entry.address;
}
