import type { Resolvers } from "../generated/graphql";
import { badUserInput } from "../errors";
import { TIER_ABI, TIER_FROM_SUBGRAPH } from "../model/enums";
import { encodeIdentifier, ZERO_ADDRESS } from "../model/ids";
import { JOB_LIMITS } from "../model/job-limits";
import { intInRange } from "../services/inputs";

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
        throw badUserInput("specHash", `must be 32 bytes, the keccak256 of the workload document (got ${(specHash.length - 2) / 2} bytes)`);
      }
      const { basis, quote, provider } = o;
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
