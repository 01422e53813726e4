// Typed reads of the subgraph. Every method is one source request (countProviders: one per thousand rows), so a
// resolver's cost in source queries can be read off the calls it makes.
import { BLOCK_GONE, BLOCK_GONE_DETAIL, BlockNotServedError, SourceError, cursorAboveHead, cursorBlockMismatch, cursorExpired, cursorTimeMismatch, type BlockGone } from "../errors";
import type { PinnedBlock } from "../model/cursor";
import type { SubgraphSource } from "../sources/source";
import type {
  BigIntText,
  EventEntity,
  GpuModelEntity,
  JobEntity,
  JobEventEntity,
  NetworkDayEntity,
  ParameterEntity,
  ProposalEntity,
  ProtocolEntity,
  ProviderDayEntity,
  ProviderEntity,
  RegionEntity,
  SlashEntity,
  ThawRequestEntity,
  VoteEntity,
} from "./entities";
import {
  EVENT_FIELDS,
  GPU_MODEL_FIELDS,
  JOB_EVENT_FIELDS,
  JOB_FIELDS,
  NETWORK_DAY_FIELDS,
  PARAMETER_FIELDS,
  PROPOSAL_FIELDS,
  PROTOCOL_FIELDS,
  PROTOCOL_ID,
  PROVIDER_DAY_FIELDS,
  PROVIDER_FIELDS,
  REGION_FIELDS,
  SLASH_FIELDS,
  THAW_REQUEST_FIELDS,
  VOTE_FIELDS,
} from "./selections";
import { allOf, type SortDirection, type Where } from "./where";

/** graph-node's largest `first`. */
export const SOURCE_MAX_FIRST = 1000;

/** A read at a page sequence's block instead of the latest. */
export interface ReadAt {
  block: PinnedBlock;
  /**
   * Ask for the block by hash (it must be known): a block that a reorg replaced is then refused instead of read at
   * its height. The embedded indexer forgets the hashes of old blocks without events, so only recent blocks are.
   */
  byHash: boolean;
  /**
   * The block came from the client's cursor (`after`): one the source no longer serves is CURSOR_EXPIRED. Else it is
   * the head a request pinned (or a first page just read), which a reorganisation replaced in the meantime:
   * BlockNotServedError, on which the request runs again at a fresh head (RequestBlock), as the client gave no
   * cursor to drop.
   */
  fromCursor?: boolean;
}

export interface ListArgs {
  where: Where;
  orderBy: string;
  orderDirection: SortDirection;
  first: number;
  at?: ReadAt;
}

/** Which of a provider's days to read: those from `fromDay` on, at most `first`. */
export interface DayWindow {
  fromDay: number;
  first: number;
}

/** A provider's days in a DayWindow, and its last day before it (null if none). */
export interface ProviderDays {
  days: ProviderDayEntity[];
  before: ProviderDayEntity | null;
}

/** What the source knows of a block's time (SubgraphReader.blockClock). */
export interface BlockClock {
  /**
   * The block's time, unix seconds; null where the source does not say: graph-node for a block asked by number (it
   * then knows no hash to look the block up by) or one missing from its block cache, the embedded indexer for a block
   * whose hash it forgot.
   */
  timestamp: number | null;
  /** The newest day a day entity (NetworkDay, ProviderDay) was written for up to the block; null before any. */
  newestDay: number | null;
  /**
   * The time of the last change the index recorded up to the block (Protocol.updatedAt: nearly every event changes
   * one of its counts), unix seconds; null before any.
   */
  newestTime: number | null;
}

/** Rows of a list and the block they were read at. */
export interface ListPage<T> {
  rows: T[];
  block: PinnedBlock;
}

interface ListQuery {
  name: string;
  plural: string;
  type: string;
  fields: string;
}

const PROVIDERS: ListQuery = { name: "Providers", plural: "providers", type: "Provider", fields: PROVIDER_FIELDS };
const JOBS: ListQuery = { name: "Jobs", plural: "jobs", type: "Job", fields: JOB_FIELDS };
const EVENTS: ListQuery = { name: "Events", plural: "events", type: "Event", fields: EVENT_FIELDS };
const PROPOSALS: ListQuery = { name: "Proposals", plural: "proposals", type: "Proposal", fields: PROPOSAL_FIELDS };

/**
 * The block each row of a page (or read by id) was read at. Whatever is read under a row (its nested lists, the
 * entities it refers to, the protocol its fields are judged against) is read at that block too, so one answer never
 * mixes two blocks; rows read so are tagged in turn. Rows of other reads of the latest block carry no tag, and what
 * is read under them reads the latest block.
 */
const rowBlocks = new WeakMap<object, ReadAt>();

/** The block `row` was read at, if it belongs to a page (see rowBlocks). */
export function readAtOf(row: object): ReadAt | undefined {
  return rowBlocks.get(row);
}

/** Tags `rows` as read at `at` (nothing when `at` is undefined); returns them. */
export function pinRows<T extends object>(rows: T[], at: ReadAt | undefined): T[] {
  if (at !== undefined) for (const row of rows) rowBlocks.set(row, at);
  return rows;
}

/** `_meta`'s block as a read of the latest block asks for it (META_BLOCK). */
type MetaBlock = { block: { number: number; hash: string | null; timestamp?: number | null } };

/** What a read of the latest block asks, in the same request, about the block it read. */
const META_BLOCK = "_meta { block { number hash timestamp } }";

/**
 * The block a read of the latest block was at where the source did not say: block 0, before anything was indexed.
 * Cursors carry it all the same, as every cursor carries a block (one without is from an older gateway).
 */
export const UNKNOWN_BLOCK: PinnedBlock = { number: 0, hash: null };

function metaBlock(meta: MetaBlock | undefined): PinnedBlock {
  const block = { number: meta?.block.number ?? UNKNOWN_BLOCK.number, hash: meta?.block.hash ?? UNKNOWN_BLOCK.hash };
  const timestamp = meta?.block.timestamp;
  return timestamp === null || timestamp === undefined ? block : { ...block, timestamp };
}

/**
 * How what follows a read of the latest block reads that block again (none where the source did not say which it
 * was): it is the head, so by hash where known.
 */
function latestAt(meta: MetaBlock | undefined): ReadAt | undefined {
  if (meta === undefined) return undefined;
  const block = metaBlock(meta);
  return { block, byHash: block.hash !== null };
}

/** A query's block variable and argument, empty when it reads the latest block. */
interface BlockClause {
  /** `, $block: Block_height` for the operation's variables. */
  variable: string;
  /** `, block: $block` for a top-level field's arguments. */
  argument: string;
}

const LATEST: BlockClause = { variable: "", argument: "" };
const PINNED: BlockClause = { variable: ", $block: Block_height", argument: ", block: $block" };

/** The response key of the cheapest row asked beside a list (providerPageAndCheapest). */
const CHEAPEST = "cheapest";

/** The response key of the block a cursor's hash names, asked beside the read (withCursorCheck). */
const CURSOR_BLOCK = "cursorBlock";

/**
 * `query` (one operation) asking also for the number and time of the block `$block` names: graph-node and the
 * embedded indexer both answer `_meta` at a `{ hash }` with that block's number (its time where they know it), in the
 * same request and so at no extra round trip. Aliased, so that it never merges with a `_meta` the query asks for itself.
 */
function withCursorCheck(query: string): string {
  return query.replace(/\}\s*$/, `  ${CURSOR_BLOCK}: _meta(block: $block) { block { number timestamp } }\n      }`);
}

export interface NestedListArgs {
  first: number;
  where?: Where;
  orderBy: string;
  orderDirection: SortDirection;
}

/** A page of a nested list in its fixed order: `where` holds what follows a cursor (keysetAfter). */
export interface NestedPageArgs {
  first: number;
  where?: Where;
}

export class SubgraphReader {
  /** `signal`: every read gives up once it aborts (see withSignal). */
  constructor(
    readonly source: SubgraphSource,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * A reader over the same source whose reads are given up (SourceRequestAbortedError) once `signal` aborts: the
   * reads of work that the gateway's stop ends (a subscription's start) must not run on until the source closes.
   */
  withSignal(signal: AbortSignal): SubgraphReader {
    return new SubgraphReader(this.source, signal);
  }

  /**
   * The Protocol at `at`'s block, or at the latest block and which one that is (`_meta` in the same request): the
   * first read of a page whose filter depends on it (minimum stake), so that the page then reads that block.
   */
  async protocolOfPage(at: ReadAt | undefined): Promise<{ protocol: ProtocolEntity | null; at: ReadAt | undefined }> {
    type Data = { protocol: ProtocolEntity | null; _meta?: MetaBlock };
    const data = await this.requestAt<Data>(
      (b) => `query ProtocolOfPage($id: ID!${b.variable}) {
        protocol(id: $id${b.argument}) { ${PROTOCOL_FIELDS} }${at === undefined ? `\n        ${META_BLOCK}` : ""}
      }`,
      { id: PROTOCOL_ID },
      at,
    );
    return { protocol: data.protocol, at: at ?? latestAt(data._meta) };
  }

  async protocol(at?: ReadAt): Promise<ProtocolEntity | null> {
    const data = await this.requestAt<{ protocol: ProtocolEntity | null }>(
      (b) => `query Protocol($id: ID!${b.variable}) { protocol(id: $id${b.argument}) { ${PROTOCOL_FIELDS} } }`,
      { id: PROTOCOL_ID },
      at,
    );
    return data.protocol;
  }

  async providers(args: ListArgs): Promise<ProviderEntity[]> {
    return (await this.list<ProviderEntity>(PROVIDERS, args, false)).rows;
  }

  /** A page of providers and the block it was read at (`args.at`'s, or the latest). */
  providerPage(args: ListArgs): Promise<ListPage<ProviderEntity>> {
    return this.list<ProviderEntity>(PROVIDERS, args, true);
  }

  /**
   * providerPage, and in the same request the cheapest provider of the same filter (one more root field, no more
   * round trip): a read in another order than price learns from it the least price the rows after it can have.
   */
  async providerPageAndCheapest(args: ListArgs): Promise<ListPage<ProviderEntity> & { cheapest: ProviderEntity | null }> {
    const page = await this.list<ProviderEntity>(PROVIDERS, args, true, true);
    return { rows: page.rows, block: page.block, cheapest: page.cheapest ?? null };
  }

  jobPage(args: ListArgs): Promise<ListPage<JobEntity>> {
    return this.list<JobEntity>(JOBS, args, true);
  }

  eventPage(args: ListArgs): Promise<ListPage<EventEntity>> {
    return this.list<EventEntity>(EVENTS, args, true);
  }

  /**
   * One list query; with `withBlock` and no `args.at`, `_meta` in the same request says which block it read; with
   * `withCheapest`, the cheapest row of the same filter is asked beside it (CHEAPEST), at the same block.
   */
  private async list<T extends object>(
    list: ListQuery,
    args: ListArgs,
    withBlock: boolean,
    withCheapest = false,
  ): Promise<ListPage<T> & { cheapest?: T | null }> {
    const { at, ...rest } = args;
    type Data = Record<string, T[]> & { _meta?: MetaBlock };
    const data = await this.requestAt<Data>(
      (b) => `query ${list.name}($where: ${list.type}_filter, $orderBy: ${list.type}_orderBy, $orderDirection: OrderDirection, $first: Int${b.variable}) {
        ${list.plural}(where: $where, orderBy: $orderBy, orderDirection: $orderDirection, first: $first${b.argument}) { ${list.fields} }${withBlock && at === undefined ? `\n        ${META_BLOCK}` : ""}${
          withCheapest ? `\n        ${CHEAPEST}: ${list.plural}(where: $where, orderBy: pricePerGpuHour, orderDirection: asc, first: 1${b.argument}) { ${list.fields} }` : ""
        }
      }`,
      { ...rest },
      at,
    );
    const cheapest = withCheapest ? { cheapest: data[CHEAPEST]?.[0] ?? null } : {};
    if (at !== undefined) return { rows: pinRows(data[list.plural] ?? [], at), block: at.block, ...cheapest };
    const block = metaBlock(data._meta);
    return { rows: pinRows(data[list.plural] ?? [], withBlock ? latestAt(data._meta) : undefined), block, ...cheapest };
  }

  /**
   * One request at `at`'s block (the latest when undefined): `query` puts the clause's variable and argument where
   * they belong (the argument on every top-level field). A block the source no longer serves is CURSOR_EXPIRED.
   */
  private async requestAt<TData>(query: (clause: BlockClause) => string, variables: Record<string, unknown>, at: ReadAt | undefined): Promise<TData> {
    if (at === undefined) return this.source.request<TData>(query(LATEST), variables, { signal: this.signal });
    const hash = at.byHash ? at.block.hash : null;
    const block = hash !== null ? { hash } : { number: at.block.number };
    // A cursor read by hash would otherwise report its own number, whatever block the hash names (cursorBlockMismatch).
    const checked = hash !== null && at.fromCursor === true;
    let data: TData & { [CURSOR_BLOCK]?: { block: { number: number; timestamp?: number | null } } };
    try {
      const text = checked ? withCursorCheck(query(PINNED)) : query(PINNED);
      data = await this.source.request<typeof data>(text, { ...variables, block }, { signal: this.signal });
    } catch (error) {
      const gone = error instanceof SourceError ? BLOCK_GONE.find(([pattern]) => pattern.test(error.detail))?.[1] : undefined;
      if (gone === "aboveHead" && at.fromCursor === true) throw cursorAboveHead(at.block.number, await this.headNumber());
      if (gone !== undefined && at.fromCursor === true) throw cursorExpired(at.block.number, BLOCK_GONE_DETAIL[gone]);
      if (gone !== undefined) throw new BlockNotServedError(at.block, gone, { cause: error });
      throw error;
    }
    if (!checked) return data;
    const { [CURSOR_BLOCK]: named, ...rest } = data;
    if (hash !== null && named !== undefined && named.block.number !== at.block.number) throw cursorBlockMismatch(at.block.number, hash, named.block.number);
    // The cursor's time is the time openJobs and governance judge its pages at: one not its block's was edited. A source
    // that tells no time for the block leaves nothing to compare.
    const told = named?.block.timestamp;
    const carried = at.block.timestamp;
    if (typeof told === "number" && carried !== undefined && told !== carried) throw cursorTimeMismatch(at.block.number, carried, told);
    return rest as TData;
  }

  /** The index's head block number, for the message of a cursor above it; null where the source cannot say. */
  private async headNumber(): Promise<number | null> {
    try {
      const query = "query IndexedHead { _meta { block { number } } }";
      const data = await this.source.request<{ _meta?: { block: { number: number } } }>(query, {}, { signal: this.signal });
      return data._meta?.block.number ?? null;
    } catch {
      // The cursor is refused all the same: failing the request over a figure in its message would hide why.
      return null;
    }
  }

  /**
   * Providers by id, in no particular order (missing ids are absent). Read at the latest block, they are tagged with
   * it all the same (readAtOf): what is read under one provider, such as its jobs' page sequence, reads its block.
   */
  async providersByIds(ids: readonly string[], at?: ReadAt): Promise<ProviderEntity[]> {
    const pin = at === undefined ? {} : { at };
    return (await this.list<ProviderEntity>(PROVIDERS, { where: { id_in: ids }, orderBy: "id", orderDirection: "asc", first: ids.length, ...pin }, true)).rows;
  }

  /** The activity feed (the Event interface, every kind of event). */
  async events(args: ListArgs): Promise<EventEntity[]> {
    return (await this.list<EventEntity>(EVENTS, args, false)).rows;
  }

  async jobs(args: ListArgs): Promise<JobEntity[]> {
    return (await this.list<JobEntity>(JOBS, args, false)).rows;
  }

  /** Jobs by id, tagged with the block they were read at as providersByIds's are. */
  async jobsByIds(ids: readonly string[], at?: ReadAt): Promise<JobEntity[]> {
    return (await this.jobsByIdsRead(ids, at)).rows;
  }

  /** jobsByIds with the block it read: where a job is missing, the block it is missing at. */
  async jobsByIdsRead(ids: readonly string[], at?: ReadAt): Promise<ListPage<JobEntity>> {
    const pin = at === undefined ? {} : { at };
    return this.list<JobEntity>(JOBS, { where: { id_in: ids }, orderBy: "jobId", orderDirection: "asc", first: ids.length, ...pin }, true);
  }

  /** Each provider's jobs, with a limit per provider: one query for the whole batch. */
  async jobsOfProviders(ids: readonly string[], args: NestedListArgs, at?: ReadAt): Promise<Map<string, JobEntity[]>> {
    const data = await this.requestAt<{ providers: { id: string; jobs: JobEntity[] }[] }>(
      (b) => `query ProviderJobs($ids: [Bytes!]!, $first: Int, $where: Job_filter, $orderBy: Job_orderBy, $orderDirection: OrderDirection${b.variable}) {
        providers(where: { id_in: $ids }, first: ${ids.length}${b.argument}) {
          id jobs(first: $first, where: $where, orderBy: $orderBy, orderDirection: $orderDirection) { ${JOB_FIELDS} }
        }
      }`,
      { ids, first: args.first, where: args.where ?? {}, orderBy: args.orderBy, orderDirection: args.orderDirection },
      at,
    );
    return new Map(data.providers.map((p) => [p.id, pinRows(p.jobs, at)]));
  }

  /** Newest first (timestamp, then id, descending: the order a cursor's `where` pages on, see keysetAfter). */
  async slashesOfProviders(ids: readonly string[], page: NestedPageArgs, at?: ReadAt): Promise<Map<string, SlashEntity[]>> {
    const data = await this.requestAt<{ providers: { id: string; slashes: SlashEntity[] }[] }>(
      (b) => `query ProviderSlashes($ids: [Bytes!]!, $first: Int, $where: Slash_filter${b.variable}) {
        providers(where: { id_in: $ids }, first: ${ids.length}${b.argument}) {
          id slashes(first: $first, where: $where, orderBy: timestamp, orderDirection: desc) { ${SLASH_FIELDS} }
        }
      }`,
      { ids, first: page.first, where: page.where ?? {} },
      at,
    );
    return new Map(data.providers.map((p) => [p.id, p.slashes]));
  }

  /** Newest first (requestIndex descending). */
  async thawRequestsOfProviders(ids: readonly string[], page: NestedPageArgs, at?: ReadAt): Promise<Map<string, ThawRequestEntity[]>> {
    const data = await this.requestAt<{ providers: { id: string; thawRequests: ThawRequestEntity[] }[] }>(
      (b) => `query ProviderThawRequests($ids: [Bytes!]!, $first: Int, $where: ThawRequest_filter${b.variable}) {
        providers(where: { id_in: $ids }, first: ${ids.length}${b.argument}) {
          id thawRequests(first: $first, where: $where, orderBy: requestIndex, orderDirection: desc) { ${THAW_REQUEST_FIELDS} }
        }
      }`,
      { ids, first: page.first, where: page.where ?? {} },
      at,
    );
    return new Map(data.providers.map((p) => [p.id, p.thawRequests]));
  }

  /**
   * Each provider's days from `window.fromDay` on (up to `window.first`, newest first) and its last day before them
   * (null if none), from which a quiet day's snapshot is carried (providerHistory).
   */
  async daysOfProviders(ids: readonly string[], window: DayWindow, at?: ReadAt): Promise<Map<string, ProviderDays>> {
    type Row = { id: string; days: ProviderDayEntity[]; before: ProviderDayEntity[] };
    const data = await this.requestAt<{ providers: Row[] }>(
      (b) => `query ProviderDays($ids: [Bytes!]!, $fromDay: Int!, $first: Int${b.variable}) {
        providers(where: { id_in: $ids }, first: ${ids.length}${b.argument}) {
          id
          days(where: { day_gte: $fromDay }, first: $first, orderBy: day, orderDirection: desc) { ${PROVIDER_DAY_FIELDS} }
          before: days(where: { day_lt: $fromDay }, first: 1, orderBy: day, orderDirection: desc) { ${PROVIDER_DAY_FIELDS} }
        }
      }`,
      { ids, fromDay: window.fromDay, first: window.first },
      at,
    );
    return new Map(data.providers.map((p) => [p.id, { days: p.days, before: p.before[0] ?? null }]));
  }

  /** Each job's timeline (up to 1000 events, in no particular order). */
  async eventsOfJobs(ids: readonly string[], at?: ReadAt): Promise<Map<string, JobEventEntity[]>> {
    const data = await this.requestAt<{ jobs: { id: string; events: JobEventEntity[] }[] }>(
      (b) => `query JobEvents($ids: [ID!]!${b.variable}) {
        jobs(where: { id_in: $ids }, first: ${ids.length}${b.argument}) {
          id events(first: ${SOURCE_MAX_FIRST}, orderBy: blockNumber, orderDirection: asc) { ${JOB_EVENT_FIELDS} }
        }
      }`,
      { ids },
      at,
    );
    return new Map(data.jobs.map((j) => [j.id, j.events]));
  }

  /** Newest first (timestamp, then id, descending). */
  async votesOfProposals(ids: readonly string[], page: NestedPageArgs, at?: ReadAt): Promise<Map<string, VoteEntity[]>> {
    const data = await this.requestAt<{ proposals: { id: string; votes: VoteEntity[] }[] }>(
      (b) => `query ProposalVotes($ids: [ID!]!, $first: Int, $where: Vote_filter${b.variable}) {
        proposals(where: { id_in: $ids }, first: ${ids.length}${b.argument}) {
          id votes(first: $first, where: $where, orderBy: timestamp, orderDirection: desc) { ${VOTE_FIELDS} }
        }
      }`,
      { ids, first: page.first, where: page.where ?? {} },
      at,
    );
    return new Map(data.proposals.map((p) => [p.id, p.votes]));
  }

  /** Every GPU model and region that ever had a registered provider (a catalogue: tens of rows). */
  async inventory(at?: ReadAt): Promise<{ gpuModels: GpuModelEntity[]; regions: RegionEntity[] }> {
    return this.requestAt<{ gpuModels: GpuModelEntity[]; regions: RegionEntity[] }>(
      (b) => `query Inventory${b.variable === "" ? "" : `(${b.variable.slice(2)})`} {
        gpuModels(first: ${SOURCE_MAX_FIRST}, orderBy: id${b.argument}) { ${GPU_MODEL_FIELDS} }
        regions(first: ${SOURCE_MAX_FIRST}, orderBy: id${b.argument}) { ${REGION_FIELDS} }
      }`,
      {},
      at,
    );
  }

  /**
   * The ids of every GPU model the index has seen at `at`'s block (the latest when undefined): listed by a provider or
   * required by a job, ever. A catalogue, tens of rows: what a model a query asks for is checked against.
   */
  async gpuModelIds(at?: ReadAt): Promise<string[]> {
    return this.catalogueIds("gpuModels", at);
  }

  /** The codes of every region the index has seen at `at`'s block: a provider's, or one a job required, ever. */
  async regionIds(at?: ReadAt): Promise<string[]> {
    return this.catalogueIds("regions", at);
  }

  private async catalogueIds(list: "gpuModels" | "regions", at: ReadAt | undefined): Promise<string[]> {
    const name = list === "gpuModels" ? "GpuModelIds" : "RegionIds";
    const data = await this.requestAt<Record<string, { id: string }[]>>(
      (b) => `query ${name}${b.variable === "" ? "" : `(${b.variable.slice(2)})`} {
        ${list}(first: ${SOURCE_MAX_FIRST}, orderBy: id${b.argument}) { id }
      }`,
      {},
      at,
    );
    return (data[list] ?? []).map((m) => m.id);
  }

  /** The time of `at`'s block (the latest when undefined), as far as the source knows it: one request. */
  async blockClock(at?: ReadAt): Promise<BlockClock> {
    type Data = {
      _meta?: { block: { timestamp?: number | null } };
      networkDays: { day: number }[];
      providerDays: { day: number }[];
      protocol: { updatedAt: BigIntText } | null;
    };
    const data = await this.requestAt<Data>(
      (b) => `query BlockClock($id: ID!${b.variable}) {
        _meta${b.argument === "" ? "" : "(block: $block)"} { block { timestamp } }
        networkDays(orderBy: day, orderDirection: desc, first: 1${b.argument}) { day }
        providerDays(orderBy: day, orderDirection: desc, first: 1${b.argument}) { day }
        protocol(id: $id${b.argument}) { updatedAt }
      }`,
      { id: PROTOCOL_ID },
      at,
    );
    const days = [...data.networkDays, ...data.providerDays].map((d) => d.day);
    return {
      timestamp: data._meta?.block.timestamp ?? null,
      newestDay: days.length === 0 ? null : Math.max(...days),
      newestTime: data.protocol === null ? null : Number(data.protocol.updatedAt),
    };
  }

  /** Daily rollups from `fromDay` on, oldest first. */
  async networkDays(fromDay: number, at?: ReadAt): Promise<NetworkDayEntity[]> {
    const data = await this.requestAt<{ networkDays: NetworkDayEntity[] }>(
      (b) => `query NetworkDays($fromDay: Int!${b.variable}) {
        networkDays(where: { day_gte: $fromDay }, orderBy: day, orderDirection: asc, first: ${SOURCE_MAX_FIRST}${b.argument}) { ${NETWORK_DAY_FIELDS} }
      }`,
      { fromDay },
      at,
    );
    return data.networkDays;
  }

  /** The last rollup before `day`, to carry its snapshot into a chart that starts on a quiet day. */
  async networkDayBefore(day: number, at?: ReadAt): Promise<NetworkDayEntity | null> {
    const data = await this.requestAt<{ networkDays: NetworkDayEntity[] }>(
      (b) => `query NetworkDayBefore($day: Int!${b.variable}) {
        networkDays(where: { day_lt: $day }, orderBy: day, orderDirection: desc, first: 1${b.argument}) { ${NETWORK_DAY_FIELDS} }
      }`,
      { day },
      at,
    );
    return data.networkDays[0] ?? null;
  }

  /** The parameters, with LAT's supply from the same block: the proposal threshold's bound is a share of it. */
  async parameters(at?: ReadAt): Promise<{ parameters: ParameterEntity[]; totalSupply: bigint | null }> {
    const data = await this.requestAt<{ parameters: ParameterEntity[]; protocol: { totalSupply: string } | null }>(
      (b) => `query Parameters($id: ID!${b.variable}) {
        parameters(first: ${SOURCE_MAX_FIRST}, orderBy: id${b.argument}) { ${PARAMETER_FIELDS} }
        protocol(id: $id${b.argument}) { totalSupply }
      }`,
      { id: PROTOCOL_ID },
      at,
    );
    return { parameters: data.parameters, totalSupply: data.protocol === null ? null : BigInt(data.protocol.totalSupply) };
  }

  /** A page of proposals and the block it was read at (`args.at`'s, or the latest). */
  proposalPage(args: ListArgs): Promise<ListPage<ProposalEntity>> {
    return this.list<ProposalEntity>(PROPOSALS, args, true);
  }

  /** One proposal, tagged with `at` (readAtOf) so that its votes read that block too. */
  async proposal(id: string, at?: ReadAt): Promise<ProposalEntity | null> {
    const data = await this.requestAt<{ proposal: ProposalEntity | null }>(
      (b) => `query Proposal($id: ID!${b.variable}) { proposal(id: $id${b.argument}) { ${PROPOSAL_FIELDS} } }`,
      { id },
      at,
    );
    return data.proposal === null ? null : (pinRows([data.proposal], at)[0] ?? null);
  }

  /**
   * Protocol.onlineProviderCount and the ids of the first thousand providers matching `where` (by id), in one request
   * and hence of one block; null before the Protocol exists.
   */
  async onlineCountAndProviderIds(where: Where, at?: ReadAt): Promise<{ onlineProviderCount: number; ids: string[] } | null> {
    const data = await this.requestAt<{ protocol: { onlineProviderCount: number } | null; providers: { id: string }[] }>(
      (b) => `query OnlineCountAndProviders($id: ID!, $where: Provider_filter${b.variable}) {
        protocol(id: $id${b.argument}) { onlineProviderCount }
        providers(where: $where, orderBy: id, orderDirection: asc, first: ${SOURCE_MAX_FIRST}${b.argument}) { id }
      }`,
      { id: PROTOCOL_ID, where },
      at,
    );
    if (data.protocol === null) return null;
    return { onlineProviderCount: data.protocol.onlineProviderCount, ids: data.providers.map((p) => p.id) };
  }

  /** Counts the providers matching `where` by walking their ids, a thousand per request (graph-node has no count). */
  async countProviders(where: Where, at?: ReadAt): Promise<number> {
    let count = 0;
    let lastId: string | null = null;
    for (;;) {
      const pageWhere: Where = lastId === null ? where : allOf(where, { id_gt: lastId });
      const data: { providers: { id: string }[] } = await this.requestAt<{ providers: { id: string }[] }>(
        (b) => `query CountProviders($where: Provider_filter${b.variable}) {
          providers(where: $where, orderBy: id, orderDirection: asc, first: ${SOURCE_MAX_FIRST}${b.argument}) { id }
        }`,
        { where: pageWhere },
        at,
      );
      count += data.providers.length;
      if (data.providers.length < SOURCE_MAX_FIRST) return count;
      lastId = data.providers[data.providers.length - 1]?.id ?? null;
    }
  }
}
