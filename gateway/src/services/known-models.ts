// A GPU model id that the network has never seen (a typo: "h1oo") matches no provider and no job, so a list filtered
// by it would be empty, which reads as "all busy" or "none posted". Every query that takes GPU models refuses such an
// id instead, naming it and the ids the network knows, at the block the query's page reads.
import { badUserInput } from "../errors";
import { parseGpuModel } from "../model/ids";
import type { ReadAt, SubgraphReader } from "../subgraph/reader";

/**
 * Refuses the first of `values` (as the client wrote them, in `argument`) that no provider has listed and no job has
 * required at `at`'s block, with BAD_USER_INPUT: `argument` with its index, `value` (the normalised id),
 * `unknownModels` (every unknown one) and `knownModels` (the network's, sorted). Nothing is read where none is given.
 */
export async function requireKnownGpuModels(
  reader: SubgraphReader,
  values: readonly string[] | null | undefined,
  argument: string,
  at: ReadAt | undefined,
): Promise<void> {
  if (values === null || values === undefined || values.length === 0) return;
  const known = await reader.gpuModelIds(at);
  const knownSet = new Set(known);
  const ids = values.map((v, i) => parseGpuModel(v, `${argument}[${i}]`));
  const unknown = [...new Set(ids.filter((id) => !knownSet.has(id)))];
  const first = ids.findIndex((id) => !knownSet.has(id));
  if (first === -1) return;
  const id = ids[first] as string;
  const names = known.length === 0 ? "none yet" : known.join(", ");
  throw badUserInput(
    `${argument}[${first}]`,
    `no provider has listed GPU model "${id}" and no job has required it; the models the network knows: ${names}`,
    { value: id, unknownModels: unknown, knownModels: known },
  );
}
