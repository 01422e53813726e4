import type { Resolvers } from "../generated/graphql";
import { TIER_FROM_SUBGRAPH } from "../model/enums";

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
  },
};
