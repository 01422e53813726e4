// Query.deployment: the deployment record the gateway was started with, and JobEscrow's job limits (model/job-limits.ts).
// Nothing here reads the index or the chain: the record and the contract's constants do not change while it runs.
import type { DeployedContract, Resolvers } from "../generated/graphql";
import { JOB_LIMITS } from "../model/job-limits";
import type { DeploymentRecord } from "../sources/deployment";

/** The record's contracts in its order; a block number the record does not give as a whole number is left out. */
function deployedContracts(record: DeploymentRecord): DeployedContract[] {
  return Object.entries(record.contracts).map(([name, entry]) => ({
    name,
    address: entry.address,
    deployedAtBlock: Number.isSafeInteger(entry.blockNumber) ? entry.blockNumber : null,
  }));
}

export const deploymentResolvers: Resolvers = {
  Query: {
    deployment: (_root, _args, ctx) => ctx.deployment,
  },
  Deployment: {
    network: (d) => d.network,
    chainId: (d) => BigInt(d.chainId),
    contracts: (d) => deployedContracts(d),
    contract: (d, args) => deployedContracts(d).find((c) => c.name === args.name) ?? null,
    jobLimits: () => ({ ...JOB_LIMITS }),
  },
};
