// graph-node's answer for a subgraph that failed (graphql/src/store/resolver.rs, post_process). graph-node records a
// deterministic error at the failing block and moves the deployment's head onto it, so every read of the head sees
// the error: the answer carries `indexing_error`, and under `subgraphError: deny` (the default) only `_meta`, `_logs`,
// `__schema` and `__type` keep their data. The embedded indexer's checkpoint moves onto the failing block too (its
// writes discarded, as graph-node discards all but its PoI), so its head reads are the ones graph-node answers so; a
// read at an earlier block, by number or hash, is answered as it is.
import { GraphQLError, type ExecutionResult } from "graphql";
import type { RootField } from "./api-schema";

/** What graph-node keeps of a group's data under `deny` (response keys, aliases and all, as graph-node looks them up). */
const KEPT_UNDER_DENY = new Set(["_meta", "_logs", "__schema", "__type"]);
/** A group of only these is answered without the error: they are how a failed subgraph is looked into. */
const DEBUGGING_FIELDS = new Set(["_meta", "_logs"]);
/** Introspection fields and `__typename`, which have no resolver here: graph-node groups them as head reads under deny. */
const HEAD_DENY: RootField = { constraint: "latest", block: null, policy: "deny" };

/**
 * `result` as graph-node answers it for a subgraph that failed at `failedAt`. graph-node runs consecutive top-level
 * fields with one block constraint as one group, `deny` if any of them is, and checks each group on its own: one
 * `indexing_error` for each group that reads at or above the failure, none for a group that failed otherwise.
 */
export function withIndexingErrors(result: ExecutionResult, rootFields: ReadonlyMap<string, RootField>, failedAt: number): ExecutionResult {
  // A query that failed for its own reasons gets those errors only (post_process leaves a result with errors alone).
  if ((result.errors?.length ?? 0) > 0 || result.data === null || result.data === undefined) return result;
  const data = result.data;
  const groups: Array<{ constraint: string; block: number | null; deny: boolean; keys: string[] }> = [];
  for (const key of Object.keys(data)) {
    const field = rootFields.get(key) ?? HEAD_DENY;
    const last = groups[groups.length - 1];
    if (last !== undefined && last.constraint === field.constraint) {
      last.keys.push(key);
      last.deny ||= field.policy === "deny";
    } else {
      groups.push({ constraint: field.constraint, block: field.block, deny: field.policy === "deny", keys: [key] });
    }
  }
  const errors: GraphQLError[] = [];
  const kept: Record<string, unknown> = {};
  for (const group of groups) {
    const failed = (group.block === null || group.block >= failedAt) && !group.keys.every((key) => DEBUGGING_FIELDS.has(key));
    if (failed) errors.push(new GraphQLError("indexing_error"));
    for (const key of group.keys) if (!failed || !group.deny || KEPT_UNDER_DENY.has(key)) kept[key] = data[key];
  }
  if (errors.length === 0) return result;
  // graph-node's answer has a `data` key only where some group kept data.
  return Object.keys(kept).length === 0 ? { errors } : { data: kept, errors };
}
