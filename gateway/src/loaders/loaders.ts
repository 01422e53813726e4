// Per-request DataLoaders: every relation a page of results can ask for (a provider's jobs, a job's provider, a
// job's timeline...) is fetched for the whole page in one source query, so a page costs a constant number of
// source queries whatever its size.
import DataLoader from "dataloader";
import type {
  JobEntity,
  JobEventEntity,
  ProviderEntity,
  SlashEntity,
  ThawRequestEntity,
  VoteEntity,
} from "../subgraph/entities";
import type { BlockClock, DayWindow, NestedListArgs, NestedPageArgs, ProviderDays, ReadAt, SubgraphReader } from "../subgraph/reader";

/** Most keys per batch: graph-node's `id_in` and nested queries stay small and fast. */
const MAX_BATCH = 100;

/** One DataLoader per distinct argument set (e.g. `jobs(first: 5)` and `jobs(first: 10)` batch separately). */
class LoaderFamily<TArgs, TKey, TValue> {
  private readonly loaders = new Map<string, DataLoader<TKey, TValue>>();

  constructor(private readonly make: (args: TArgs) => DataLoader<TKey, TValue>) {}

  get(args: TArgs): DataLoader<TKey, TValue> {
    const key = JSON.stringify(args);
    let loader = this.loaders.get(key);
    if (loader === undefined) {
      loader = this.make(args);
      this.loaders.set(key, loader);
    }
    return loader;
  }
}

function byKey<TValue>(keys: readonly string[], found: Map<string, TValue>, missing: TValue): TValue[] {
  return keys.map((k) => found.get(k) ?? missing);
}

export interface Loaders {
  provider: DataLoader<string, ProviderEntity | null>;
  job: DataLoader<string, JobEntity | null>;
  jobsOfProvider: LoaderFamily<NestedListArgs, string, JobEntity[]>;
  slashesOfProvider: LoaderFamily<NestedPageArgs, string, SlashEntity[]>;
  thawRequestsOfProvider: LoaderFamily<NestedPageArgs, string, ThawRequestEntity[]>;
  daysOfProvider: LoaderFamily<DayWindow, string, ProviderDays>;
  eventsOfJob: DataLoader<string, JobEventEntity[]>;
  votesOfProposal: LoaderFamily<NestedPageArgs, string, VoteEntity[]>;
  /** The block's time as the source knows it, read once however many rows ask. */
  blockClock(): Promise<BlockClock>;
  /**
   * The loaders that read at `at`'s block (these when undefined): what is read under a row of a page reads the
   * page's block (readAtOf), batched with the rest of that page.
   */
  at(at: ReadAt | undefined): Loaders;
}

export function createLoaders(reader: SubgraphReader): Loaders {
  const pinned = new Map<string, Loaders>();
  const latest: Loaders = loadersAt(reader, undefined, (at) => {
    if (at === undefined) return latest;
    const key = JSON.stringify(at);
    let loaders = pinned.get(key);
    if (loaders === undefined) {
      loaders = loadersAt(reader, at, latest.at);
      pinned.set(key, loaders);
    }
    return loaders;
  });
  return latest;
}

function loadersAt(reader: SubgraphReader, at: ReadAt | undefined, atBlock: (at: ReadAt | undefined) => Loaders): Loaders {
  const options = { maxBatchSize: MAX_BATCH };
  let clock: Promise<BlockClock> | null = null;
  return {
    provider: new DataLoader(async (ids) => {
      const rows = await reader.providersByIds(ids, at);
      return byKey(ids, new Map(rows.map((r) => [r.id, r])), null);
    }, options),
    job: new DataLoader(async (ids) => {
      const rows = await reader.jobsByIds(ids, at);
      return byKey(ids, new Map(rows.map((r) => [r.id, r])), null);
    }, options),
    jobsOfProvider: new LoaderFamily(
      (args) => new DataLoader(async (ids) => byKey(ids, await reader.jobsOfProviders(ids, args, at), []), options),
    ),
    slashesOfProvider: new LoaderFamily(
      (page) => new DataLoader(async (ids) => byKey(ids, await reader.slashesOfProviders(ids, page, at), []), options),
    ),
    thawRequestsOfProvider: new LoaderFamily(
      (page) => new DataLoader(async (ids) => byKey(ids, await reader.thawRequestsOfProviders(ids, page, at), []), options),
    ),
    daysOfProvider: new LoaderFamily(
      (window) => new DataLoader(async (ids) => byKey(ids, await reader.daysOfProviders(ids, window, at), { days: [], before: null }), options),
    ),
    eventsOfJob: new DataLoader(async (ids) => byKey(ids, await reader.eventsOfJobs(ids, at), []), options),
    votesOfProposal: new LoaderFamily(
      (page) => new DataLoader(async (ids) => byKey(ids, await reader.votesOfProposals(ids, page, at), []), options),
    ),
    blockClock: () => (clock ??= reader.blockClock(at)),
    at: atBlock,
  };
}
