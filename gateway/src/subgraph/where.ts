// Filters in graph-node's `where` dialect. Combinations always go through `and`/`or` lists, because graph-node
// refuses `or` next to column filters in one object.

export type Where = Record<string, unknown>;
export type SortDirection = "asc" | "desc";

/** Every part must hold; empty parts are dropped. */
export function allOf(...parts: (Where | null | undefined)[]): Where {
  const present = parts.filter((p): p is Where => p !== null && p !== undefined && Object.keys(p).length > 0);
  if (present.length === 0) return {};
  if (present.length === 1) return present[0] as Where;
  return { and: present };
}

export function anyOf(...parts: Where[]): Where {
  return { or: parts };
}

/**
 * Rows after (`key`, `id`) in `field direction, id direction` order, which is how graph-node sorts (ties on the
 * sort key are broken by id in the same direction).
 */
export function keysetAfter(field: string, direction: SortDirection, key: string | number, id: string): Where {
  const op = direction === "asc" ? "gt" : "lt";
  if (field === "id") return { [`id_${op}`]: id };
  return anyOf({ [`${field}_${op}`]: key }, { [field]: key, [`id_${op}`]: id });
}
