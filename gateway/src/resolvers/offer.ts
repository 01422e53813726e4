import type { Resolvers } from "../generated/graphql";
import { badFieldArgument, badUserInput } from "../errors";
import { TIER_ABI, TIER_FROM_SUBGRAPH } from "../model/enums";
import { encodeIdentifier, ZERO_ADDRESS } from "../model/ids";
import { JOB_LIMITS } from "../model/job-limits";
import { intInRange } from "../services/inputs";

/** type(uint96).max: the most JobEscrow holds for one job. */
const MAX_ESCROW = 2n ** 96n - 1n;

export const offerResolvers: Resolvers = {
  ComputeOffer: {
    provider: (o) => o.provider,
    // Offers come only from active (hence registered) providers, which always have a model, region and tier.
    gpuModel: (o) => o.provider.gpuModelKey,
    gpuModelName: (o) => o.provider.gpuModelName,
    vramGiB: (o) => o.provider.vramGiB,
    freeGpus: (o) => o.provider.gpusFree,
    region: (o) => o.provider.regionKey,
    tier: (o) => TIER_FROM_SUBGRAPH[o.provider.tier ?? "Any"],
    pricePerGpuHour: (o) => BigInt(o.provider.pricePerGpuHour),
    reputation: (o) => o.provider.reputationScore,
    quote: (o) => o.quote,
    jobTerms: (o, { acceptWithinSeconds, specHash, directed }) => {
      const window = intInRange(acceptWithinSeconds, 1, JOB_LIMITS.maxAcceptWindowSeconds, "acceptWithinSeconds");
      if (specHash.length !== 66) {
        throw badUserInput("specHash", `must be 32 bytes, the keccak256 of the workload document (got ${(specHash.length - 2) / 2} bytes)`, {
          value: specHash,
        });
      }
      const { basis, quote, provider } = o;
      // createJob reverts (JobEscrowInvalidMaxPrice) on an escrow of 0, or of more than a uint96 holds. No argument of
      // jobTerms sets the escrow: availableCompute's requirements (GPUs, hours) do, so `field` says whose they are.
      if (quote.cost === 0n || quote.cost > MAX_ESCROW) {
        throw badFieldArgument(
          "Query.availableCompute",
          "requirements",
          `the escrow at this offer's price (${provider.pricePerGpuHour} wei per GPU-hour) for ${quote.gpuCount} GPUs for ` +
            `${quote.durationSeconds} s is ${quote.cost} wei, which JobEscrow.createJob refuses (1 to ${MAX_ESCROW} wei): ` +
            `ask for ${quote.cost === 0n ? "more" : "fewer"} GPUs or hours`,
          { value: quote.cost.toString(), minimum: "1", maximum: MAX_ESCROW.toString(), escrow: quote.cost.toString() },
        );
      }
      return {
        terms: {
          requirements: {
            gpuModel: encodeIdentifier(basis.listedModels ? provider.gpuModelKey : null, 32),
            region: encodeIdentifier(basis.listedRegions ? provider.regionKey : null, 16),
            minVramGiB: basis.minVramGiB,
            gpuCount: quote.gpuCount,
            tier: TIER_ABI[basis.tier],
            minCompletedJobs: BigInt(basis.minCompletedJobs),
            minSlashRewardBps: basis.minSlashRewardBps,
          },
          maxPricePerGpuHour: BigInt(provider.pricePerGpuHour),
          maxDuration: BigInt(quote.durationSeconds),
          acceptDeadline: BigInt(basis.blockTime + window),
          targetProvider: directed === true ? provider.id : ZERO_ADDRESS,
          specHash,
        },
        escrow: quote.cost,
      };
    },
  },
};
