// Validation of the product inputs shared by several queries. Each failure is BAD_USER_INPUT naming the argument.
import { badUserInput } from "../errors";
import { parseGpuModel, parseRegion } from "../model/ids";

const MAX_LIST = 50;

/** Refused with the value and the range in its extensions (`value`, `minimum`, `maximum`), as `first` and `hours` are. */
export function intInRange(value: number, min: number, max: number, argument: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badUserInput(argument, `must be an integer from ${min} to ${max} (got ${value})`, { value, minimum: min, maximum: max });
  }
  return value;
}

function parseList(values: readonly string[], parse: (v: string, arg: string) => string, argument: string): string[] {
  if (values.length === 0) throw badUserInput(argument, "must not be empty (omit it to match any)", { value: values });
  if (values.length > MAX_LIST) {
    throw badUserInput(argument, `at most ${MAX_LIST} values (got ${values.length})`, { value: values.length, maximum: MAX_LIST });
  }
  return [...new Set(values.map((v, i) => parse(v, `${argument}[${i}]`)))];
}

export function gpuModelList(values: readonly string[] | null | undefined, argument: string): string[] | null {
  return values === null || values === undefined ? null : parseList(values, parseGpuModel, argument);
}

export function regionList(values: readonly string[] | null | undefined, argument: string): string[] | null {
  return values === null || values === undefined ? null : parseList(values, parseRegion, argument);
}

/** The most a uint96 price can be: larger maxima are the same as none. */
export const MAX_UINT96 = 2n ** 96n - 1n;
