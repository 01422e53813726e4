// Field-by-field comparison of indexed entities with what the chain says. Every difference is collected (entity,
// field, expected, actual) and reported together, so one run shows every disagreement, not just the first.
import { expect } from "chai";

/** A value as graph-node's GraphQL API returns it: BigInt as a decimal string, Bytes as lowercase 0x hex. */
export type GqlScalar = string | number | boolean | null;

/** What a comparison accepts as expected: bigints and mixed-case addresses are normalised to GqlScalar. */
export type Expected = GqlScalar | bigint;

export type ExpectedRecord = Record<string, Expected>;

export function normalise(value: Expected): GqlScalar {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value)) return value.toLowerCase();
  return value;
}

/**
 * An entity as a flat record: nested references (`gpuModel { id raw }`) become dotted keys (`gpuModel.id`,
 * `gpuModel.raw`); a null reference stays one key holding null.
 */
export function flatten(entity: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      Object.assign(out, flatten(value as Record<string, unknown>, `${prefix}${key}.`));
    } else {
      out[`${prefix}${key}`] = value;
    }
  }
  return out;
}

function show(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  return value === undefined ? "undefined (field not queried?)" : JSON.stringify(value);
}

export class Mismatches {
  private readonly found: string[] = [];
  /** Comparisons made: a check that compared nothing must not pass. */
  compared = 0;

  constructor(private readonly context: string) {}

  field(entity: string, field: string, expected: Expected, actual: unknown): void {
    this.compared += 1;
    const want = normalise(expected);
    // Actual values come from GraphQL, or from a view call made on them (bigints, mixed-case addresses).
    const got = typeof actual === "bigint" || (typeof actual === "string" && /^0x[0-9a-fA-F]*$/.test(actual)) ? normalise(actual) : actual;
    if (want !== got) this.found.push(`${entity}.${field}: expected ${show(want)}, actual ${show(actual)}`);
  }

  /** Compares every field of `expected` with the same (dotted) field of the entity. */
  record(entity: string, expected: ExpectedRecord, actual: Record<string, unknown> | null | undefined): void {
    if (actual === null || actual === undefined) {
      this.compared += 1;
      this.found.push(`${entity}: expected an entity, found none`);
      return;
    }
    const flat = flatten(actual);
    for (const [field, value] of Object.entries(expected)) this.field(entity, field, value, flat[field]);
  }

  /**
   * The entity ids must be exactly the expected ids, and unless `allowEmpty` (earlier blocks of the scenario) there
   * must be some: two empty lists prove nothing.
   */
  ids(kind: string, expected: Iterable<string>, actual: Iterable<string>, allowEmpty = false): void {
    const want = new Set([...expected].map((id) => String(normalise(id))));
    const got = new Set([...actual].map((id) => String(normalise(id))));
    this.compared += 1;
    if (want.size === 0 && !allowEmpty) this.found.push(`${kind}: the chain has none to compare (the scenario should create some)`);
    const missing = [...want].filter((id) => !got.has(id));
    const extra = [...got].filter((id) => !want.has(id));
    if (missing.length > 0) this.found.push(`${kind}: missing entities ${missing.join(", ")}`);
    if (extra.length > 0) this.found.push(`${kind}: unexpected entities ${extra.join(", ")}`);
  }

  fail(message: string): void {
    this.compared += 1;
    this.found.push(message);
  }

  /** Fails the test with every mismatch; also fails when nothing at all was compared. */
  assertNone(minimumComparisons = 1): void {
    expect(this.compared, `${this.context}: only ${this.compared} comparisons made`).to.be.at.least(minimumComparisons);
    expect(this.found, `${this.context}:\n  ${this.found.join("\n  ")}`).to.deep.equal([]);
  }
}
