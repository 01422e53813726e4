import type { JobFeedFilter, Resolvers } from "../generated/graphql";
import type { GatewayContext } from "../context";
import { badUserInput, subscriptionOverHttp } from "../errors";
import type { SubscriptionHub } from "../feeds/subscription-hub";
import { dayCount } from "../limits/page-size";
import { MAX_AT_BLOCK_AHEAD } from "../limits/subscription-limits";
import { ZERO_ADDRESS, parseAddress, parseJobId } from "../model/ids";
import { MAX_UINT96 } from "../services/inputs";
import { parseFeedFilter, type FeedMatcher } from "../services/job-filters";
import { requireKnownModelsAndRegions } from "../services/known-models";
import type { NetworkStatsModel } from "../services/network-stats";
import type { JobEntity } from "../subgraph/entities";
import { readAtOf } from "../subgraph/reader";

/**
 * Each event is resolved with a context of its own (see fresh-context-subscribe): pinned to the block the hub read the
 * event at, the block its `extensions.block` names.
 */
function atEventBlock<T extends object>(event: T | null | undefined, ctx: GatewayContext, field: string): T {
  // Only a subscription sent over HTTP resolves without an event: graphql-js runs it once as a query there.
  if (event === null || event === undefined) throw subscriptionOverHttp(field);
  const at = readAtOf(event);
  if (at !== undefined) ctx.block.pinEvent(at);
  return event;
}

/**
 * A block argument (jobUpdated's atBlock, jobOpened's sinceBlock): a block number at most MAX_AT_BLOCK_AHEAD above the
 * indexed head. `advice` says what to do instead of a block further ahead.
 */
async function checkBlockAhead(argument: string, block: number, advice: string, ctx: GatewayContext): Promise<void> {
  if (block < 0) throw badUserInput(argument, `must be a block number, 0 or more (got ${block})`, { value: block, minimum: 0 });
  const head = await ctx.head.ensureHead();
  const maximum = head.number + MAX_AT_BLOCK_AHEAD;
  if (block > maximum) {
    throw badUserInput(
      argument,
      `block ${block} is more than ${MAX_AT_BLOCK_AHEAD} blocks above the indexed head (block ${head.number}): ${advice}`,
      { value: block, maximum, indexedBlock: head.number },
    );
  }
}

/**
 * Refuses a jobOpened filter that no job could ever pass, which would otherwise subscribe and send nothing, ever: a
 * `provider` that never registered (refused as openJobs refuses it), a GPU model or region the network has never
 * seen (as jobs refuses them: a typo), a `minPricePerGpuHour` above what a job can offer (JobTerms' uint96). Judged
 * at the indexed head; nothing is read for a filter without provider, models or regions.
 */
async function refuseUnmatchable(requirements: JobFeedFilter | null | undefined, matcher: FeedMatcher, ctx: GatewayContext): Promise<void> {
  if (matcher.minPricePerGpuHour !== null && matcher.minPricePerGpuHour > MAX_UINT96) {
    throw badUserInput(
      "requirements.minPricePerGpuHour",
      `${matcher.minPricePerGpuHour} is above the most a job can pay per GPU-hour (2^96 - 1 wei, JobTerms.maxPricePerGpuHour): no job can match`,
      { value: matcher.minPricePerGpuHour.toString(), maximum: MAX_UINT96.toString() },
    );
  }
  if (matcher.provider === null && matcher.gpuModels === null && matcher.regions === null) return;
  const at = await ctx.block.readAt();
  await requireKnownModelsAndRegions(
    ctx.reader,
    { values: requirements?.gpuModels, argument: "requirements.gpuModels" },
    { values: requirements?.regions, argument: "requirements.regions" },
    at,
  );
  if (matcher.provider === null) return;
  const provider = await ctx.loaders.at(at).provider.load(matcher.provider);
  // As openJobs: one that deregistered was a provider (its feed is quiet while it is not active); one that never
  // registered is most likely a typo or the wrong network, whose feed would stay silent for good.
  if (provider === null || provider.registeredAt === null) {
    throw badUserInput("requirements.provider", `${matcher.provider} is not a registered provider (at block ${at.block.number})`, {
      value: matcher.provider,
      provider: matcher.provider,
      indexedBlock: at.block.number,
    });
  }
}

export function subscriptionResolvers(hub: SubscriptionHub): Resolvers {
  return {
    Subscription: {
      jobOpened: {
        subscribe: async (_root, args, ctx) => {
          const matcher = parseFeedFilter(args.requirements);
          await refuseUnmatchable(args.requirements, matcher, ctx);
          const since = args.sinceBlock ?? null;
          // Live jobs up to sinceBlock are not sent (the client has them): one far above the head (a unix time passed
          // for a block) would silence the feed until the chain got there.
          if (since !== null) {
            const advice = "pass the createdAtBlock of the last job received, minus 1 (a block number, not a time)";
            await checkBlockAhead("sinceBlock", since, advice, ctx);
          }
          return hub.jobOpened(matcher, since, ctx.reader);
        },
        resolve: (job: JobEntity | undefined, _args: unknown, ctx: GatewayContext) => atEventBlock(job, ctx, "jobOpened"),
      },
      jobUpdated: {
        subscribe: async (_root, args, ctx) => {
          const id = parseJobId(args.id, "id");
          const atBlock = args.atBlock ?? null;
          if (atBlock !== null) await checkBlockAhead("atBlock", atBlock, "wait for indexingStatus.indexedBlock to come closer, then subscribe", ctx);
          // The block each read was at is named where the job is missing: with the block of its createJob receipt, the
          // client tells a job not indexed yet (its block above this one) from one that does not exist.
          const read = await ctx.reader.jobsByIdsRead([id]);
          let current = read.rows[0];
          if (current === undefined && atBlock !== null) {
            // Not indexed yet: once the index has reached the block the client knows the job from, it holds the job,
            // unless a reorg dropped it. Given up (ctx.signal) when the client leaves or the server stops.
            const reached = await ctx.head.reached(atBlock, ctx.signal);
            const again = await ctx.reader.jobsByIdsRead([id]);
            current = again.rows[0];
            if (current === undefined) {
              const indexedBlock = Math.max(again.block.number, reached.number);
              throw badUserInput("id", `there is no job ${id} at block ${indexedBlock}, which is at or above atBlock ${atBlock}`, { value: id, atBlock, indexedBlock });
            }
          }
          if (current === undefined) {
            const indexedBlock = read.block.number;
            throw badUserInput("id", `there is no job ${id} at the indexed block ${indexedBlock} (yet: subscribe once it is indexed, or name its block as atBlock)`, {
              value: id,
              indexedBlock,
            });
          }
          return hub.jobUpdated(current, ctx.subscriptionSlot ?? null, ctx.reader);
        },
        resolve: (job: JobEntity | undefined, _args: unknown, ctx: GatewayContext) => atEventBlock(job, ctx, "jobUpdated"),
      },
      clientJobsUpdated: {
        subscribe: async (_root, args) => {
          const client = parseAddress(args.client, "client");
          // Every job's client is the createJob sender, never the zero address (an unset wallet's): such a feed
          // would send nothing, ever.
          if (client === ZERO_ADDRESS) throw badUserInput("client", `${client} is the zero address, which posts no job: pass the client's own address`, { value: client });
          return hub.clientJobsUpdated(client);
        },
        resolve: (job: JobEntity | undefined, _args: unknown, ctx: GatewayContext) => atEventBlock(job, ctx, "clientJobsUpdated"),
      },
      networkStats: {
        subscribe: async (_root, args, ctx) => hub.networkStats(dayCount(args.days, 7, ctx.limits), ctx.reader),
        resolve: (stats: NetworkStatsModel | undefined, _args: unknown, ctx: GatewayContext) => atEventBlock(stats, ctx, "networkStats"),
      },
    },
  };
}
