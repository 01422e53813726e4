import { badUserInput } from "../errors";

/** Caps of the list arguments (per argument name); `first` is the page size of every list. */
export interface ListCaps {
  /** Largest `first` (default 100). */
  maxPageSize: number;
  /** Largest `days` of a history (default 365). */
  maxDays: number;
}

export const DEFAULT_LIST_CAPS: ListCaps = { maxPageSize: 100, maxDays: 365 };

/** The page size to use, or BAD_USER_INPUT saying why `first` is refused. */
export function pageSize(first: number | null | undefined, fallback: number, caps: ListCaps, argument = "first"): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 1) throw badUserInput(argument, `must be at least 1 (got ${value})`);
  if (value > caps.maxPageSize) {
    throw badUserInput(argument, `${value} is over the maximum page size of ${caps.maxPageSize}; page with \`after\` instead`, {
      maximum: caps.maxPageSize,
    });
  }
  return value;
}

export function dayCount(days: number | null | undefined, fallback: number, caps: ListCaps, argument = "days"): number {
  const value = days ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > caps.maxDays) {
    throw badUserInput(argument, `must be between 1 and ${caps.maxDays} (got ${value})`, { maximum: caps.maxDays });
  }
  return value;
}
