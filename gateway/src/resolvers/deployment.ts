// Query.deployment: the deployment record the gateway was started with, and JobEscrow's job limits (model/job-limits.ts).
// Nothing here reads the index or the chain: the record and the contract's constants do not change while it runs.
import type { DeployedContract, Resolvers } from "../generated/graphql";
import { badUserInput } from "../errors";
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

/**
 * The record's contract named `name`. A name the record lacks is a mistake (a typo, "jobescrow"), not a contract that
 * may come to exist while the gateway runs: refused, as an unknown GPU model is, naming the record's names and, where
 * only the case or surrounding spaces differ, the one meant.
 */
function contractNamed(record: DeploymentRecord, name: string): DeployedContract {
  const contracts = deployedContracts(record);
  const found = contracts.find((c) => c.name === name);
  if (found !== undefined) return found;
  const knownNames = contracts.map((c) => c.name);
  const meant = knownNames.find((known) => known.toLowerCase() === name.trim().toLowerCase());
  throw badUserInput(
    "name",
    `the deployment has no contract named "${name}"${meant === undefined ? "" : ` (did you mean "${meant}"? names are matched exactly)`}; its contracts: ${knownNames.join(", ")}`,
    { value: name, knownNames, ...(meant === undefined ? {} : { didYouMean: meant }) },
  );
}

export const deploymentResolvers: Resolvers = {
  Query: {
    deployment: (_root, _args, ctx) => ctx.deployment,
  },
  Deployment: {
    network: (d) => d.network,
    chainId: (d) => BigInt(d.chainId),
    contracts: (d) => deployedContracts(d),
    contract: (d, args) => contractNamed(d, args.name),
    jobLimits: () => ({ ...JOB_LIMITS }),
    tasks: (_d, _args, ctx) => ctx.taskReach ?? null,
  },
};
