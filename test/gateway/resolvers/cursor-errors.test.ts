// Every paged field refuses a cursor it cannot continue (garbled, forged, of another list, from an earlier version of
// the list, pinning a block the source does not serve) with BAD_USER_INPUT or CURSOR_EXPIRED naming `after`: never
// SOURCE_UNAVAILABLE or INTERNAL_SERVER_ERROR, and never an answer that skips the check.
import { expect } from "chai";
import { cursorScope } from "../../../gateway/src/model/cursor";
import type { Environment } from "../helpers/environment";
import { describeEachSource } from "../helpers/environment";

const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");
/** A cursor as the list writes them: `parts` are its keys, id and block (number, hash, time), then the digest of `bound`. */
const boundCursor = (tag: string, bound: Record<string, unknown>, parts: unknown[]) => cursor([tag, ...parts, cursorScope(tag, bound).digest]);

/** Above every block the suite's chain reaches, yet within 50 of none: asked for by hash where a hash is given. */
const FAR_BLOCK = 1_000_000;
const UNKNOWN_HASH = `0x${"ab".repeat(32)}`;
const NOBODY = "0x00000000000000000000000000000000000000f1";

interface PagedField {
  name: string;
  query: string;
  variables?: (env: Environment) => Record<string, unknown>;
  /** The list's tag, sort keys and id as its own cursors carry them. */
  tag: string;
  /** The arguments its cursors are bound to, as the gateway has them once it parsed the query. */
  bound: (env: Environment) => Record<string, unknown>;
  keys: string[];
  id: string;
  /** Cursors only this list refuses, with the code it refuses them with. */
  more?: Record<string, [unknown[], string]>;
}

const FIELDS: PagedField[] = [
  {
    name: "providers",
    query: `query Q($after: String) { providers(first: 2, after: $after) { nodes { address } } }`,
    tag: "providers:ADDRESS:ASC",
    bound: () => ({ filter: null }),
    keys: [],
    id: "0x01",
  },
  {
    name: "providers by price",
    query: `query Q($after: String) { providers(orderBy: { field: PRICE, direction: DESC }, first: 2, after: $after) { nodes { address } } }`,
    tag: "providers:PRICE:DESC",
    bound: () => ({ filter: null }),
    keys: ["5"],
    id: "0x01",
  },
  { name: "jobs", query: `query Q($after: String) { jobs(first: 2, after: $after) { nodes { id } } }`, tag: "jobs:CREATED:DESC", keys: ["5"], id: "5", bound: () => ({ filter: null }) },
  {
    name: "openJobs",
    query: `query Q($after: String, $provider: Address!) { openJobs(provider: $provider, first: 2, after: $after) { nodes { id } } }`,
    variables: (env) => ({ provider: env.directedAt.address }),
    tag: "openJobs:CREATED:ASC",
    bound: (env) => ({ provider: env.directedAt.address.toLowerCase() }),
    keys: ["5"],
    id: "5",
  },
  {
    name: "openJobs of a provider that may take nothing",
    query: `query Q($after: String, $provider: Address!) { openJobs(provider: $provider, first: 2, after: $after) { nodes { id } } }`,
    variables: () => ({ provider: NOBODY }),
    tag: "openJobs:CREATED:ASC",
    bound: () => ({ provider: NOBODY }),
    keys: ["5"],
    id: "5",
  },
  {
    name: "availableCompute",
    query: `query Q($after: String) { availableCompute(requirements: {}, first: 2, after: $after) { nodes { provider { address } } } }`,
    tag: "offers:PRICE_THEN_REPUTATION",
    // `{}` with the defaults of ComputeRequirements filled in.
    bound: () => ({ requirements: { gpuCount: 1, hours: 1, tier: "ANY" } }),
    keys: ["5", "5"],
    id: "0x01",
  },
  {
    name: "availableCompute by free GPUs",
    query: `query Q($after: String) {
      availableCompute(requirements: {}, orderBy: { field: FREE_GPUS, direction: DESC }, first: 2, after: $after) { nodes { provider { address } } }
    }`,
    tag: "offers:FREE_GPUS:DESC",
    bound: () => ({ requirements: { gpuCount: 1, hours: 1, tier: "ANY" } }),
    keys: ["5"],
    id: "0x01",
  },
  {
    name: "activity",
    query: `query Q($after: String) { activity(first: 2, after: $after) { nodes { kind } } }`,
    tag: "activity:BLOCK:DESC",
    bound: () => ({ filter: null }),
    keys: ["5"],
    id: "0x01",
  },
  {
    name: "Provider.jobs",
    query: `query Q($after: String, $provider: Address!) { provider(address: $provider) { jobs(first: 2, after: $after) { nodes { id } } } }`,
    variables: (env) => ({ provider: env.directedAt.address }),
    tag: "providerJobs:CREATED:DESC",
    bound: (env) => ({ provider: env.directedAt.address.toLowerCase(), statuses: null }),
    keys: ["5"],
    id: "5",
  },
  {
    name: "Provider.slashes",
    query: `query Q($after: String, $provider: Address!) { provider(address: $provider) { slashes(first: 2, after: $after) { cursor } } }`,
    variables: (env) => ({ provider: env.directedAt.address }),
    tag: "providerSlashes:TIMESTAMP:DESC",
    bound: (env) => ({ provider: env.directedAt.address.toLowerCase() }),
    keys: ["5"],
    id: "0x01",
  },
  {
    name: "Provider.thawRequests",
    query: `query Q($after: String, $provider: Address!) { provider(address: $provider) { thawRequests(first: 2, after: $after) { cursor } } }`,
    variables: (env) => ({ provider: env.directedAt.address }),
    tag: "providerThawRequests:INDEX:DESC",
    bound: (env) => ({ provider: env.directedAt.address.toLowerCase() }),
    keys: ["5"],
    id: "0x01",
  },
  {
    name: "Proposal.votes",
    query: `query Q($after: String, $id: ID!) { governance { proposal(id: $id) { votes(first: 2, after: $after) { cursor } } } }`,
    variables: (env) => ({ id: env.summary.proposals.parameterChange.toString() }),
    tag: "proposalVotes:TIMESTAMP:DESC",
    bound: (env) => ({ proposal: env.summary.proposals.parameterChange.toString() }),
    keys: ["5"],
    id: "0x01",
  },
  {
    name: "Governance.proposals",
    query: `query Q($after: String) { governance { proposals(states: [ACTIVE, DEFEATED], first: 2, after: $after) { nodes { id } } } }`,
    tag: "proposals:CREATED:DESC",
    bound: () => ({ states: ["ACTIVE", "DEFEATED"] }),
    keys: ["5", "5"],
    id: "5",
    more: {
      "a cursor from before proposals paged one block (one key, no time)": [["proposals:CREATED:DESC", ["5"], "5"], "CURSOR_EXPIRED"],
      "a time past 2^53": [
        ["proposals:CREATED:DESC", ["5", "9".repeat(80)], "5", 0, null, null, cursorScope("proposals:CREATED:DESC", { states: ["ACTIVE", "DEFEATED"] }).digest],
        "BAD_USER_INPUT",
      ],
    },
  },
];

describeEachSource("cursors a paged field cannot continue", (ctx) => {
  /** The block a first page reads now (the head), as its cursors carry it: [number, hash]. */
  let real: [number, string] | null = null;
  before(async function () {
    const { body } = await ctx().client.request("{ providers(first: 1) { pageInfo { endCursor } } }");
    const endCursor = (body.data as { providers: { pageInfo: { endCursor: string } } }).providers.pageInfo.endCursor;
    const parts = JSON.parse(Buffer.from(endCursor, "base64url").toString("utf8")) as unknown[];
    real = [parts[3] as number, parts[4] as string];
  });

  for (const field of FIELDS) {
    it(`${field.name}: refused with BAD_USER_INPUT or CURSOR_EXPIRED naming \`after\``, async function () {
      const { env, client } = ctx();
      const { tag, keys, id } = field;
      const bound = field.bound(env);
      if (real === null) throw new Error("no first page read");
      const [realNumber, realHash] = real;
      const cases: Record<string, [string, string]> = {
        "text that is not a cursor": ["%%not a cursor%%", "BAD_USER_INPUT"],
        "JSON that is not a cursor": [Buffer.from('{"after":1}').toString("base64url"), "BAD_USER_INPUT"],
        // Block 0 is before the protocol and every provider: a page that answered empty there skipped the check.
        "a cursor of another list": [cursor(["other:LIST:ASC", ["1", "2", "3"], "x", 0, null]), "BAD_USER_INPUT"],
        "sort keys and id of the wrong kind": [boundCursor(tag, bound, [keys.map(() => "x"), "zz", 0, null, null]), "BAD_USER_INPUT"],
        "a block number past the source's Int": [boundCursor(tag, bound, [keys, id, 2 ** 40, null, null]), "BAD_USER_INPUT"],
        "a block above the index's head": [boundCursor(tag, bound, [keys, id, FAR_BLOCK, null, null]), "CURSOR_EXPIRED"],
        "a block hash the source does not know": [boundCursor(tag, bound, [keys, id, FAR_BLOCK, UNKNOWN_HASH, null]), "CURSOR_EXPIRED"],
        // Edited numbers that keep a real block's hash: read by the hash, the page reported the edited number.
        "a real block's hash under a number past the head": [boundCursor(tag, bound, [keys, id, FAR_BLOCK, realHash, null]), "BAD_USER_INPUT"],
        "a real block's hash under a number below it": [boundCursor(tag, bound, [keys, id, realNumber - 1, realHash, null]), "BAD_USER_INPUT"],
        // A real block under an edited time: openJobs and governance would judge deadlines and states at it.
        "a real block under a time not its own": [boundCursor(tag, bound, [keys, id, realNumber, realHash, 1]), "BAD_USER_INPUT"],
        // Block 0 is before every row: a page that answered empty there skipped the check.
        "a cursor issued for other arguments": [boundCursor(tag, { other: 1 }, [keys, id, 0, null, null]), "BAD_USER_INPUT"],
        // Continued at the latest block, it could skip or repeat rows whose sort key changed since its page.
        "a cursor of this list from before cursors carried their block": [cursor([tag, keys, id]), "CURSOR_EXPIRED"],
        // Nothing says which filter it paged.
        "a cursor of this list from before cursors were bound to their arguments": [cursor([tag, keys, id, 0, null]), "CURSOR_EXPIRED"],
        ...Object.fromEntries(Object.entries(field.more ?? {}).map(([what, [parts, code]]) => [what, [cursor(parts), code]])),
      };
      for (const [what, [after, code]] of Object.entries(cases)) {
        const { body } = await client.request(field.query, { ...field.variables?.(env), after });
        expect(body.errors?.length, `${what}: ${JSON.stringify(body)}`).to.equal(1);
        expect(body.errors?.[0]?.extensions, what).to.deep.include({ code, argument: "after" });
        expect(body.errors?.[0]?.message, what).to.match(/^after: /);
      }
    });
  }
});
