import type { Resolvers } from "../generated/graphql";
import type { SubscriptionHub } from "../feeds/subscription-hub";
import { AddressScalar, BigIntScalar, BytesScalar, TimestampScalar } from "../schema/scalars";
import { activityResolvers } from "./activity";
import { tokenAmountResolvers } from "./common";
import { deploymentResolvers } from "./deployment";
import { governanceResolvers } from "./governance";
import { jobResolvers } from "./job";
import { offerResolvers } from "./offer";
import { providerResolvers } from "./provider";
import { queryResolvers } from "./query";
import { subscriptionResolvers } from "./subscription";

export function createResolvers(hub: SubscriptionHub): Resolvers {
  return {
    BigInt: BigIntScalar,
    Address: AddressScalar,
    Timestamp: TimestampScalar,
    Bytes: BytesScalar,
    ...tokenAmountResolvers,
    ...subscriptionResolvers(hub),
    ...providerResolvers,
    ...jobResolvers,
    ...offerResolvers,
    ...governanceResolvers,
    ...activityResolvers,
    ...deploymentResolvers,
    Query: { ...queryResolvers.Query, ...activityResolvers.Query, ...deploymentResolvers.Query },
  };
}
