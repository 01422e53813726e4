// availableCompute: the offers that can run a job now, ranked by price then reputation (or an explicit order), with
// a quote each. graph-node sorts by one field (ties by id), so the default two-key ranking is assembled here:
//  - the rows at the cursor's price that come after it by (reputation desc, id asc), and
//  - the rows at higher prices, sorted by price, a little more than a page;
// if the page ends inside a price group that the fetch may have cut, that group is fetched too (its best-ranked
// thousand rows or more, see bestOfOnePrice). Every row the page shows is therefore ranked against all rows of its
// price, and pages never overlap or skip. Every read of a page is made at the block of its sequence (keyset.ts).
// A provider whose free stake does not cover the collateral the job would lock is no offer (acceptJob would revert in
// Staking.lock): the source cannot compare two columns, so those rows are dropped as they are read (coveredRows), and
// every ranking and page above sees the covered rows alone; each read asks for the free stake the least price it can
// return needs, so that short rows are mostly never read.
import type { ComputeRequirements, OfferOrder, QueryAvailableComputeArgs } from "../generated/graphql";
import { badUserInput } from "../errors";
import { cursorScope, decodeCursor, encodeCursor, type CursorPosition, type CursorScope, type PinnedBlock } from "../model/cursor";
import { TIER_TO_SUBGRAPH } from "../model/enums";
import { JOB_LIMITS } from "../model/job-limits";
import { bpsOfUp, computeCost } from "../model/money";
import { PARAMETER_SPECS } from "../model/parameters";
import { toConnection, type OfferConnectionModel, type OfferModel, type OfferTermsBasis } from "../model/models";
import type { ProtocolEntity, ProviderEntity } from "../subgraph/entities";
import type { IndexedHead } from "../sources/head-watcher";
import { SOURCE_MAX_FIRST, UNKNOWN_BLOCK, type BlockClock, type ListArgs, type ListPage, type ReadAt, type SubgraphReader } from "../subgraph/reader";
import { allOf, anyOf, keysetAfter, type Where } from "../subgraph/where";
import { timeAt } from "./clock";
import { gpuModelList, intInRange, regionList } from "./inputs";
import { requireKnownModelsAndRegions } from "./known-models";
import { activeWhere } from "./provider-filters";
import { decodeKeysetCursor, keysetPage, pageReadAt, readAt, type KeysetSort, type SortKeyType } from "./keyset";

interface ParsedRequirements {
  /** The provider columns the requirements filter on (the active-provider filter is added at the page's block). */
  where: Where;
  gpuCount: number;
  durationSeconds: number;
  /** What ComputeOffer.jobTerms takes from the requirements (the page's block time is added per page). */
  terms: Omit<OfferTermsBasis, "blockTime">;
}

/**
 * `hours` in whole seconds, as JobEscrow's uint32 maxDuration holds it, refused outside the lengths createJob takes
 * (constants of the contract, which the subgraph does not hold: a quote for another length would price a job that
 * cannot be created).
 */
function durationSeconds(hours: number): number {
  const seconds = Math.round(hours * 3600);
  const { minDurationSeconds: min, maxDurationSeconds: max } = JOB_LIMITS;
  if (!Number.isFinite(hours) || seconds < min || seconds > max) {
    throw badUserInput(
      "requirements.hours",
      `must be a job length JobEscrow.createJob takes, from ${min} s (MIN_DURATION, 1 minute) to ${max} s ` +
        `(MAX_DURATION, ${max / 3600} hours) (got ${hours} hours: ${seconds} s)`,
      // `minimum` and `maximum` in hours, as `value` is, as every range refusal states them; the seconds besides.
      { value: hours, minimum: min / 3600, maximum: max / 3600, minSeconds: min, maxSeconds: max },
    );
  }
  return seconds;
}

/**
 * The most GPUs a job can ask of one provider: ProviderRegistry.MAX_GPUS_PER_PROVIDER_LIMIT, the bound governance's
 * maxGpusPerProvider is held under, not maxGpusPerProvider itself. Lowering that bounds new listings only: a provider
 * listed before keeps its GPUs, and JobEscrow reserves all of them for one job.
 */
const MAX_GPU_COUNT = Number(PARAMETER_SPECS["ProviderRegistry.maxGpusPerProvider"]?.max ?? 0n);

/** Checks every requirement before anything is read, so that a bad one is refused even where no offer exists. */
export function parseRequirements(r: ComputeRequirements): ParsedRequirements {
  const column: Where = {};
  const gpuCount = intInRange(r.gpuCount ?? 1, 1, MAX_GPU_COUNT, "requirements.gpuCount");
  column.gpusFree_gte = gpuCount;
  const seconds = durationSeconds(r.hours ?? 1);
  const models = gpuModelList(r.gpuModels, "requirements.gpuModels");
  if (models !== null) column.gpuModelKey_in = models;
  const regions = regionList(r.regions, "requirements.regions");
  if (regions !== null) column.regionKey_in = regions;
  const terms: ParsedRequirements["terms"] = {
    listedModels: models !== null,
    listedRegions: regions !== null,
    minVramGiB: 0,
    tier: "Any",
    minCompletedJobs: 0,
    minSlashRewardBps: 0,
  };
  if (r.minVramGiB !== null && r.minVramGiB !== undefined) {
    // No provider lists more (ProviderRegistry.MAX_VRAM_GIB), and createJob refuses a job asking for more.
    column.vramGiB_gte = terms.minVramGiB = intInRange(r.minVramGiB, 0, JOB_LIMITS.maxMinVramGiB, "requirements.minVramGiB");
  }
  if (r.tier !== null && r.tier !== undefined && r.tier !== "ANY") column.tier = terms.tier = TIER_TO_SUBGRAPH[r.tier];
  if (r.maxPricePerGpuHour !== null && r.maxPricePerGpuHour !== undefined) column.pricePerGpuHour_lte = r.maxPricePerGpuHour.toString();
  if (r.minReputation !== null && r.minReputation !== undefined) {
    column.reputationScore_gte = intInRange(r.minReputation, 0, 10_000, "requirements.minReputation");
  }
  if (r.minCompletedJobs !== null && r.minCompletedJobs !== undefined) {
    column.jobsCompleted_gte = terms.minCompletedJobs = intInRange(r.minCompletedJobs, 0, 2 ** 31 - 1, "requirements.minCompletedJobs");
  }
  if (r.minSlashRewardBps !== null && r.minSlashRewardBps !== undefined) {
    column.maxSlashRewardBps_gte = terms.minSlashRewardBps = intInRange(r.minSlashRewardBps, 0, 10_000, "requirements.minSlashRewardBps");
  }
  return { where: column, gpuCount, durationSeconds: seconds, terms };
}

/** What JobEscrow.acceptJob locks for the job posted at `price`: bpsUp of its escrow (computeCost). */
function collateralAt(price: bigint, req: ParsedRequirements, protocol: ProtocolEntity): bigint {
  return bpsOfUp(computeCost(price, req.gpuCount, req.durationSeconds), protocol.collateralRatioBps);
}

/** The provider reads availableCompute ranks and pages. */
type ProviderRows = Pick<SubgraphReader, "providers" | "providerPage">;

/** What coveredRows reads through: provider pages, with the cheapest row of their filter beside them where asked. */
type CoverableRows = Pick<SubgraphReader, "providerPage" | "providerPageAndCheapest">;

/** The price range a filter confines its rows to: `floor` the least price, `ceiling` the greatest, null where unbounded. */
export interface PriceBounds {
  floor: bigint;
  ceiling: bigint | null;
}

/** The bounds of rows that pass any one of several filters: the least floor, the greatest ceiling. */
function widest(a: PriceBounds, b: PriceBounds): PriceBounds {
  const ceiling = a.ceiling === null || b.ceiling === null ? null : a.ceiling > b.ceiling ? a.ceiling : b.ceiling;
  return { floor: a.floor < b.floor ? a.floor : b.floor, ceiling };
}

/** What each price filter of graph-node's dialect bounds the price to. */
const PRICE_BOUND = new Map<string, (price: bigint) => PriceBounds>([
  ["pricePerGpuHour", (price) => ({ floor: price, ceiling: price })],
  ["pricePerGpuHour_gte", (price) => ({ floor: price, ceiling: null })],
  ["pricePerGpuHour_gt", (price) => ({ floor: price + 1n, ceiling: null })],
  ["pricePerGpuHour_lte", (price) => ({ floor: 0n, ceiling: price })],
  ["pricePerGpuHour_lt", (price) => ({ floor: 0n, ceiling: price - 1n })],
]);

/**
 * The price range a row of `where` can have by the price bounds it states, through `and` (every part narrows it)
 * and `or` (the widest of its parts): floor 0 and ceiling null where it states none.
 */
export function priceBounds(where: Where): PriceBounds {
  let floor = 0n;
  let ceiling: bigint | null = null;
  const narrow = (bounds: PriceBounds) => {
    if (bounds.floor > floor) floor = bounds.floor;
    if (bounds.ceiling !== null && (ceiling === null || bounds.ceiling < ceiling)) ceiling = bounds.ceiling;
  };
  for (const [key, value] of Object.entries(where)) {
    if (key === "and") for (const part of value as Where[]) narrow(priceBounds(part));
    else if (key === "or") {
      const parts = (value as Where[]).map(priceBounds);
      if (parts.length > 0) narrow(parts.reduce(widest));
    } else {
      const bound = PRICE_BOUND.get(key);
      if (bound !== undefined) narrow(bound(BigInt(value as string | number)));
    }
  }
  return { floor, ceiling };
}

/**
 * `reader`'s provider lists with only the rows whose free stake covers the collateral at their price: `first` of
 * them in the list's order where that many exist, fewer only at its end, so that a page of covered rows is read as a
 * page of all rows is. graph-node cannot compare two columns, but collateral grows with the price, so a row priced at
 * least P is covered only if its free stake is at least the collateral at P: every read asks for that much free stake
 * (freeStake_gte), P the price floor its filter states. Where the rows read drop some, the list is read on after the
 * last row read (keysetAfter), at the first read's block; in price order that row's price is the floor. In another
 * order each read asks in the same request for the cheapest row of its own filter (providerPageAndCheapest), whose
 * price bounds every covered row after it (they pass that filter), so that reading on costs one request, not a
 * 1-row read for the floor and then the rows; a filter that fixes the price (a price group) asks for none. A query no
 * provider can cover then reads about a page of rows, not the whole table.
 */
function coveredRows(reader: CoverableRows, head: IndexedHead | null, collateralAtPrice: (price: bigint) => bigint): ProviderRows {
  const covers = (p: ProviderEntity) => BigInt(p.freeStake) >= collateralAtPrice(BigInt(p.pricePerGpuHour));
  const bounded = (where: Where, floor: bigint): Where => {
    const collateral = collateralAtPrice(floor);
    return collateral === 0n ? where : allOf(where, { freeStake_gte: collateral.toString() });
  };
  const byPrice = (args: ListArgs) => args.orderBy === "pricePerGpuHour" && args.orderDirection === "asc";
  const providerPage = async (args: ListArgs): Promise<ListPage<ProviderEntity>> => {
    const kept: ProviderEntity[] = [];
    // Where the filter fixes the price (or orders by it), the floor is known without the cheapest row.
    const stated = priceBounds(args.where);
    const floorKnown = byPrice(args) || stated.floor === stated.ceiling;
    let read: ListArgs = { ...args, where: bounded(args.where, stated.floor) };
    for (;;) {
      const { rows, block, cheapest } = floorKnown ? { ...(await reader.providerPage(read)), cheapest: null } : await reader.providerPageAndCheapest(read);
      kept.push(...rows.filter(covers));
      const last = rows[rows.length - 1];
      if (kept.length >= args.first || rows.length < read.first || last === undefined) return { rows: kept.slice(0, args.first), block };
      const at = args.at ?? { ...readAt(block, head), fromCursor: false };
      const rest = allOf(args.where, keysetAfter(args.orderBy, args.orderDirection, last[args.orderBy as keyof ProviderEntity] as string | number, last.id));
      const { floor } = priceBounds(rest);
      // The cheapest row of `read`'s filter: every covered row of `rest` passes that filter (its freeStake_gte too).
      const least = cheapest === null ? floor : BigInt(cheapest.pricePerGpuHour);
      read = { ...args, where: bounded(rest, least > floor ? least : floor), first: SOURCE_MAX_FIRST, at };
    }
  };
  return { providerPage, providers: async (args) => (await providerPage(args)).rows };
}

function offer(provider: ProviderEntity, req: ParsedRequirements, protocol: ProtocolEntity, blockTime: number): OfferModel {
  const cost = computeCost(BigInt(provider.pricePerGpuHour), req.gpuCount, req.durationSeconds);
  const collateral = collateralAt(BigInt(provider.pricePerGpuHour), req, protocol);
  return {
    provider,
    quote: {
      gpuCount: req.gpuCount,
      durationSeconds: req.durationSeconds,
      cost,
      protocolFee: bpsOfUp(cost, protocol.protocolFeeBps),
      collateral,
      collateralAvailable: BigInt(provider.freeStake) >= collateral,
    },
    basis: { ...req.terms, blockTime },
  };
}

/** price asc, reputation desc, address asc. */
function compareRanking(a: ProviderEntity, b: ProviderEntity): number {
  const pa = BigInt(a.pricePerGpuHour);
  const pb = BigInt(b.pricePerGpuHour);
  if (pa !== pb) return pa < pb ? -1 : 1;
  if (a.reputationScore !== b.reputationScore) return b.reputationScore - a.reputationScore;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const RANKED_TAG = "offers:PRICE_THEN_REPUTATION";

const decodeRankedCursor = (after: string | null | undefined, scope: CursorScope) => decodeCursor(after, scope, ["integer", "int"], "hex");

/**
 * The best-ranked rows of `where` (all of one price) by reputation desc, address asc: all of them, or a thousand or
 * more that rank before every row left out. graph-node sorts by one field, with ties by id in the same direction
 * (here: address desc), so where a thousand rows by reputation end inside a reputation, that reputation's rows are
 * fetched again by address. Fetching the group by address alone would miss better reputations at higher addresses.
 */
async function bestOfOnePrice(reader: ProviderRows, where: Where, at: ReadAt | undefined): Promise<ProviderEntity[]> {
  const pin = at === undefined ? {} : { at };
  const rows = await reader.providers({ where, orderBy: "reputationScore", orderDirection: "desc", first: SOURCE_MAX_FIRST, ...pin });
  const last = rows[rows.length - 1];
  if (rows.length < SOURCE_MAX_FIRST || last === undefined) return rows;
  const cut = last.reputationScore;
  const atCut = await reader.providers({
    where: allOf(where, { reputationScore: cut }),
    orderBy: "id",
    orderDirection: "asc",
    first: SOURCE_MAX_FIRST,
    ...pin,
  });
  return [...rows.filter((p) => p.reputationScore > cut), ...atCut];
}

async function rankedPage(
  reader: ProviderRows,
  head: IndexedHead | null,
  where: Where,
  first: number,
  position: CursorPosition | null,
  start: ReadAt | undefined,
): Promise<{ rows: ProviderEntity[]; hadCursor: boolean; block: PinnedBlock }> {
  const pinned = position === null ? start : readAt(position.block, head);
  const wanted = first + 1;
  // Extra rows make it likely that the page ends before the last fetched price, so that its groups are complete.
  const fetchCount = Math.min(SOURCE_MAX_FIRST, wanted + Math.max(5, Math.ceil(first / 2)));
  const [price, reputation] = position === null ? [null, null] : (position.keys as [string, string]);
  const [tieRest, { rows: higher, block }] = await Promise.all([
    position === null
      ? Promise.resolve([] as ProviderEntity[])
      : bestOfOnePrice(
          reader,
          allOf(
            where,
            { pricePerGpuHour: price },
            anyOf({ reputationScore_lt: Number(reputation) }, { reputationScore: Number(reputation), id_gt: position.id }),
          ),
          pinned,
        ),
    // On a first page this read (of the latest block) says which block the sequence reads.
    reader.providerPage({
      where: price === null ? where : allOf(where, { pricePerGpuHour_gt: price }),
      orderBy: "pricePerGpuHour",
      orderDirection: "asc",
      first: fetchCount,
      ...(pinned === undefined ? {} : { at: pinned }),
    }),
  ]);
  let candidates = [...tieRest, ...higher];
  candidates.sort(compareRanking);
  if (higher.length === fetchCount && candidates.length >= wanted) {
    const lastPrice = higher[higher.length - 1]?.pricePerGpuHour;
    const boundaryPrice = candidates[wanted - 1]?.pricePerGpuHour;
    if (lastPrice !== undefined && boundaryPrice === lastPrice) {
      // The page ends in the last fetched price group, which the fetch limit may have cut: take all of it.
      const group = await bestOfOnePrice(reader, allOf(where, { pricePerGpuHour: lastPrice }), pinned ?? { ...readAt(block, head), fromCursor: false });
      candidates = [...candidates.filter((p) => p.pricePerGpuHour !== lastPrice), ...group];
      candidates.sort(compareRanking);
    }
  }
  return { rows: candidates.slice(0, wanted), hadCursor: position !== null, block };
}

const EMPTY_QUOTE = { gpuCount: 0, durationSeconds: 0, cost: 0n, protocolFee: 0n, collateral: 0n, collateralAvailable: false };
// The rows of an empty page: never made into an offer.
const EMPTY_BASIS: OfferTermsBasis = {
  listedModels: false,
  listedRegions: false,
  minVramGiB: 0,
  tier: "Any",
  minCompletedJobs: 0,
  minSlashRewardBps: 0,
  blockTime: 0,
};

const ORDER_FIELDS: Record<OfferOrder["field"], { field: keyof ProviderEntity & string; type: SortKeyType }> = {
  PRICE: { field: "pricePerGpuHour", type: "BigInt" },
  REPUTATION: { field: "reputationScore", type: "Int" },
  FREE_GPUS: { field: "gpusFree", type: "Int" },
  VRAM: { field: "vramGiB", type: "Int" },
};

function offerSort(orderBy: OfferOrder, requirements: QueryAvailableComputeArgs["requirements"]): KeysetSort<ProviderEntity> {
  const { field, type } = ORDER_FIELDS[orderBy.field];
  const direction = orderBy.direction === "DESC" ? "desc" : "asc";
  return {
    scope: cursorScope(`offers:${orderBy.field}:${direction.toUpperCase()}`, { requirements }),
    field,
    direction,
    keyType: type,
    idKind: "hex",
    keyOf: (p) => String(p[field]),
  };
}

/**
 * One page of offers. `pageAt` says which block a page at a position reads: in a GraphQL request RequestBlock.pageAt
 * (its cursor's, else the request's); by default its cursor's, else the latest (which the first page fixes).
 * `clockAt` tells a block's time where the page's block carries none: in a request, the loaders' blockClock.
 */
export async function availableCompute(
  reader: SubgraphReader,
  head: IndexedHead | null,
  args: Omit<QueryAvailableComputeArgs, "first"> & { first: number },
  pageAt: (position: CursorPosition | null) => Promise<ReadAt | undefined> = async (position) => pageReadAt(position, head),
  clockAt: (at: ReadAt | undefined) => Promise<BlockClock> = (at) => reader.blockClock(at),
): Promise<OfferConnectionModel> {
  const sort = args.orderBy === null || args.orderBy === undefined ? null : offerSort(args.orderBy, args.requirements);
  const ranked = cursorScope(RANKED_TAG, { requirements: args.requirements });
  // Refused before anything is read at a forged cursor's block, and before an empty answer could skip the page.
  const position = sort === null ? decodeRankedCursor(args.after, ranked) : decodeKeysetCursor(args.after, sort);
  const parsed = parseRequirements(args.requirements);
  // The protocol's minimum stake filters the offers: read at the page's block.
  const { protocol, at } = await reader.protocolOfPage(await pageAt(position));
  await requireKnownModelsAndRegions(
    reader,
    { values: args.requirements.gpuModels, argument: "requirements.gpuModels" },
    { values: args.requirements.regions, argument: "requirements.regions" },
    at,
  );
  // Nothing indexed yet: no protocol, no providers.
  // An empty page still names the block it was judged at (PageInfo.blockNumber), as every other page does.
  const judgedAt = at?.block.number ?? null;
  if (protocol === null) return toConnection([] as ProviderEntity[], args.first, false, (p): OfferModel => ({ provider: p, quote: EMPTY_QUOTE, basis: EMPTY_BASIS }), () => "", judgedAt);
  const req = { ...parsed, where: { ...activeWhere(protocol.minStakePerGpu), ...parsed.where } };
  // While the guardian's pause lasts, JobEscrow.createJob and acceptJob revert: no offer can run a job. Judged at the
  // page's block time, as openJobs judges it, so that every page of a sequence agrees.
  const now = await timeAt(at?.block ?? UNKNOWN_BLOCK, () => clockAt(at));
  if (BigInt(protocol.pausedUntil) > BigInt(now)) {
    return toConnection([] as ProviderEntity[], args.first, position !== null, (p): OfferModel => ({ provider: p, quote: EMPTY_QUOTE, basis: EMPTY_BASIS }), () => "", judgedAt);
  }
  const toOffer = (p: ProviderEntity) => offer(p, req, protocol, now);
  const covered = coveredRows(reader, head, (price) => collateralAt(price, req, protocol));
  if (sort === null) {
    const { rows, hadCursor, block } = await rankedPage(covered, head, req.where, args.first, position, at);
    return toConnection(
      rows,
      args.first,
      hadCursor,
      toOffer,
      (p) => encodeCursor(ranked, { keys: [p.pricePerGpuHour, String(p.reputationScore)], id: p.id, block }),
      block.number,
    );
  }
  return keysetPage((a) => covered.providerPage(a), head, req.where, sort, args.first, position, toOffer, at);
}
