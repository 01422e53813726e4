// A GPU model id or region code that the network has never seen (a typo: "h1oo", "eu-wset") matches no provider and
// no job, so a list filtered by it would be empty, which reads as "all busy" or "none posted". Every query that takes
// GPU models or regions refuses such an id instead, naming it and the ones the network knows, at the block the
// query's page reads.
import { badUserInput } from "../errors";
import { parseGpuModel, parseRegion } from "../model/ids";
import type { ReadAt, SubgraphReader } from "../subgraph/reader";

interface Catalogue {
  /** "GPU model", "region": what the message calls one. */
  what: string;
  parse: (value: string, argument: string) => string;
  ids: (reader: SubgraphReader, at: ReadAt | undefined) => Promise<string[]>;
  /** The extensions' names for the unknown and the known ids. */
  unknownKey: string;
  knownKey: string;
}

const GPU_MODELS: Catalogue = {
  what: "GPU model",
  parse: parseGpuModel,
  ids: (reader, at) => reader.gpuModelIds(at),
  unknownKey: "unknownModels",
  knownKey: "knownModels",
};

const REGIONS: Catalogue = {
  what: "region",
  parse: parseRegion,
  ids: (reader, at) => reader.regionIds(at),
  unknownKey: "unknownRegions",
  knownKey: "knownRegions",
};

/**
 * Refuses the first of `values` (as the client wrote them, in `argument`) that no provider has listed and no job has
 * required at `at`'s block, with BAD_USER_INPUT: `argument` with its index, `value` (the normalised id), every
 * unknown one and the network's, sorted. Nothing is read where none is given.
 */
async function requireKnown(
  catalogue: Catalogue,
  reader: SubgraphReader,
  values: readonly string[] | null | undefined,
  argument: string,
  at: ReadAt | undefined,
): Promise<void> {
  if (values === null || values === undefined || values.length === 0) return;
  const known = await catalogue.ids(reader, at);
  const knownSet = new Set(known);
  const ids = values.map((v, i) => catalogue.parse(v, `${argument}[${i}]`));
  const first = ids.findIndex((id) => !knownSet.has(id));
  if (first === -1) return;
  const id = ids[first] as string;
  const unknown = [...new Set(ids.filter((i) => !knownSet.has(i)))];
  const names = known.length === 0 ? "none yet" : known.join(", ");
  throw badUserInput(
    `${argument}[${first}]`,
    `no provider has listed ${catalogue.what} "${id}" and no job has required it; the ${catalogue.what}s the network knows: ${names}`,
    { value: id, [catalogue.unknownKey]: unknown, [catalogue.knownKey]: known },
  );
}

/**
 * Refuses a GPU model (`unknownModels`, `knownModels`) or region (`unknownRegions`, `knownRegions`) the network has
 * never seen; both catalogues are read at once, and an unknown model is named before an unknown region, whichever
 * read answers first.
 */
export async function requireKnownModelsAndRegions(
  reader: SubgraphReader,
  gpuModels: { values: readonly string[] | null | undefined; argument: string },
  regions: { values: readonly string[] | null | undefined; argument: string },
  at: ReadAt | undefined,
): Promise<void> {
  const results = await Promise.allSettled([
    requireKnown(GPU_MODELS, reader, gpuModels.values, gpuModels.argument, at),
    requireKnown(REGIONS, reader, regions.values, regions.argument, at),
  ]);
  for (const result of results) if (result.status === "rejected") throw result.reason;
}
