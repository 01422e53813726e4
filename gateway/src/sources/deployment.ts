// deployments/<network>.json as scripts/deploy.ts writes it: where the contracts are and from which block.
import * as fs from "node:fs";

export interface DeploymentRecord {
  network: string;
  chainId: number;
  contracts: Record<string, { address: string; blockNumber: number }>;
}

export function readDeployment(deployment: DeploymentRecord | string): DeploymentRecord {
  if (typeof deployment !== "string") return deployment;
  const record = JSON.parse(fs.readFileSync(deployment, "utf8")) as DeploymentRecord;
  if (typeof record !== "object" || record === null || typeof record.contracts !== "object") {
    throw new Error(`${deployment} is not a deployment record ({ network, chainId, contracts })`);
  }
  return record;
}

/** The address of one contract of the deployment; throws naming it when missing. */
export function contractAddress(record: DeploymentRecord, name: string): string {
  const entry = record.contracts[name];
  if (entry === undefined) throw new Error(`the deployment record has no ${name}`);
  return entry.address;
}
