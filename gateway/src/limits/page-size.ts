import { badFieldArgument, badUserInput, type RefusalExtensions } from "../errors";

/** Caps of the list arguments (per argument name); `first` is the page size of every list. */
export interface ListCaps {
  /** Largest `first` (default 100). */
  maxPageSize: number;
  /** Largest `days` of a history (default 365). */
  maxDays: number;
}

export const DEFAULT_LIST_CAPS: ListCaps = { maxPageSize: 100, maxDays: 365 };

/** BAD_USER_INPUT on `argument`, of `field` where the refusal comes before the query runs (see badFieldArgument). */
function refuse(field: string | null, argument: string, problem: string, extra: RefusalExtensions) {
  return field === null ? badUserInput(argument, problem, extra) : badFieldArgument(field, argument, problem, extra);
}

/**
 * The page size to use, or BAD_USER_INPUT saying why `first` is refused, with the allowed range (`extensions.minimum`,
 * `maximum`, `value`). Every list takes `after`, nested ones included.
 */
export function pageSize(first: number | null | undefined, fallback: number, caps: ListCaps, field: string | null = null): number {
  const value = first ?? fallback;
  const range = { value, minimum: 1, maximum: caps.maxPageSize };
  if (!Number.isInteger(value) || value < 1) throw refuse(field, "first", `must be from 1 to ${caps.maxPageSize} (got ${value})`, range);
  if (value > caps.maxPageSize) {
    throw refuse(field, "first", `${value} is over the maximum page size of ${caps.maxPageSize}; page with \`after\` instead`, range);
  }
  return value;
}

export function dayCount(days: number | null | undefined, fallback: number, caps: ListCaps, field: string | null = null): number {
  const value = days ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > caps.maxDays) {
    throw refuse(field, "days", `must be between 1 and ${caps.maxDays} (got ${value})`, { value, minimum: 1, maximum: caps.maxDays });
  }
  return value;
}
