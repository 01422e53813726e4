import { expect } from "chai";
import { cursorScope, decodeCursor, encodeCursor } from "../../../gateway/src/model/cursor";

const BLOCK = { number: 7, hash: null };
const RANKED = "offers:PRICE_THEN_REPUTATION";

/** The scope of a list asked without a filter. */
const unfiltered = (tag: string) => cursorScope(tag, { filter: null });
/** A cursor as this version writes them, `parts` standing for what comes between the tag and the digest. */
const written = (tag: string, parts: unknown[]) =>
  Buffer.from(JSON.stringify([tag, ...parts, unfiltered(tag).digest])).toString("base64url");

describe("keyset cursors", function () {
  it("round-trips the sort key and id of a row", function () {
    const cursor = encodeCursor(unfiltered("providers:PRICE:ASC"), { keys: ["2500000000000000000"], id: "0xabc0", block: BLOCK });
    expect(decodeCursor(cursor, unfiltered("providers:PRICE:ASC"), ["integer"], "hex")).to.deep.equal({ keys: ["2500000000000000000"], id: "0xabc0", block: BLOCK });
  });

  it("round-trips the block its page sequence reads", function () {
    const block = { number: 1234, hash: `0x${"ab".repeat(32)}` };
    const cursor = encodeCursor(unfiltered("jobs:UPDATED:DESC"), { keys: ["17"], id: "9", block });
    expect(decodeCursor(cursor, unfiltered("jobs:UPDATED:DESC"), ["integer"], "integer")).to.deep.equal({ keys: ["17"], id: "9", block });
  });

  it("round-trips the block time of its page sequence", function () {
    const block = { number: 1234, hash: `0x${"ab".repeat(32)}`, timestamp: 1_750_000_000 };
    const cursor = encodeCursor(unfiltered("openJobs:CREATED:ASC"), { keys: ["17"], id: "17", block });
    expect(decodeCursor(cursor, unfiltered("openJobs:CREATED:ASC"), ["integer"], "integer")?.block).to.deep.equal(block);
  });

  it("refuses a forged cursor whose block is not a block number and hash", function () {
    for (const block of [[-1, null, null], [1.5, null, null], ["7", null, null], [7, "0x12", null], [7, null], [7, null, -1], [7, null, "1"], [7, null, 1, 2], [2 ** 31, null, null]]) {
      const forged = written("t", [["1"], "0x01", ...block]);
      expect(() => decodeCursor(forged, unfiltered("t"), ["integer"], "hex"), JSON.stringify(block)).to.throw(/not a cursor/);
    }
  });

  it("is absent when no cursor is given", function () {
    expect(decodeCursor(undefined, unfiltered("jobs:CREATED:DESC"), ["integer"], "integer")).to.equal(null);
    expect(decodeCursor(null, unfiltered("jobs:CREATED:DESC"), ["integer"], "integer")).to.equal(null);
  });

  it("refuses a cursor of another list or ordering, naming both", function () {
    const cursor = encodeCursor(unfiltered("providers:PRICE:ASC"), { keys: ["1"], id: "0x01", block: BLOCK });
    expect(() => decodeCursor(cursor, unfiltered("providers:PRICE:DESC"), ["integer"], "hex")).to.throw(/providers:PRICE:ASC.*providers:PRICE:DESC/);
  });

  it("says a cursor of another list or ordering is one, naming both, where its sort keys differ in number or kind", function () {
    // A providers cursor (by address: no key, a hex id) given to jobs, and to providers by reputation (one key).
    const byAddress = encodeCursor(unfiltered("providers:ADDRESS:ASC"), { keys: [], id: "0x01", block: BLOCK });
    for (const [tag, keys, id] of [["jobs:CREATED:DESC", ["integer"], "integer"], ["providers:REPUTATION:DESC", ["integer"], "hex"]] as const) {
      expect(() => decodeCursor(byAddress, unfiltered(tag), keys, id), tag).to.throw(
        `after: the cursor belongs to another list or ordering (providers:ADDRESS:ASC), not to ${tag}`,
      );
    }
  });

  it("refuses text that is not a cursor", function () {
    for (const text of ["", "not-base64!", Buffer.from("[1,2]").toString("base64url"), Buffer.from('{"a":1}').toString("base64url")]) {
      expect(() => decodeCursor(text, unfiltered("t"), ["integer"], "hex"), text).to.throw(/not a cursor/);
    }
  });

  it("quotes the text it refuses as a cursor, its first 40 characters where it is longer", function () {
    expect(() => decodeCursor("%%nope%%", unfiltered("t"), ["integer"], "hex")).to.throw('after: "%%nope%%" is not a cursor returned by this list');
    const long = "x".repeat(100_000);
    expect(() => decodeCursor(long, unfiltered("t"), ["integer"], "hex")).to.throw(`after: "${"x".repeat(40)}…" is not a cursor returned by this list`);
  });

  it("refuses a forged cursor whose values are not of the sort key's kind", function () {
    const forged = written("t", [["1; drop table"], "0x01", 7, null, null]);
    expect(() => decodeCursor(forged, unfiltered("t"), ["integer"], "hex")).to.throw(/not a cursor/);
    const badId = written("t", [["1"], "zz", 7, null, null]);
    expect(() => decodeCursor(badId, unfiltered("t"), ["integer"], "hex")).to.throw(/not a cursor/);
  });

  it("refuses a cursor of the shape an earlier version of its list handed out with CURSOR_EXPIRED naming the argument", function () {
    const earlier = Buffer.from(JSON.stringify(["t", ["1"], "1"])).toString("base64url");
    try {
      decodeCursor(earlier, unfiltered("t"), ["integer", "integer"], "integer", "after", { keyCount: 1, change: "it now carries a time" });
      expect.fail("no error");
    } catch (error) {
      expect((error as { extensions: { code: string; argument: string } }).extensions).to.deep.equal({ code: "CURSOR_EXPIRED", argument: "after" });
      expect((error as Error).message).to.contain("it now carries a time");
    }
  });

  it("refuses a cursor of its list from before cursors carried their block with CURSOR_EXPIRED naming the argument", function () {
    const unpinned = Buffer.from(JSON.stringify(["providers:PRICE:ASC", ["1"], "0x01"])).toString("base64url");
    try {
      decodeCursor(unpinned, unfiltered("providers:PRICE:ASC"), ["integer"], "hex", "after");
      expect.fail("no error");
    } catch (error) {
      expect((error as { extensions: { code: string; argument: string } }).extensions).to.deep.equal({ code: "CURSOR_EXPIRED", argument: "after" });
      expect((error as Error).message).to.match(/older gateway.*start again without `after`/);
    }
  });

  it("refuses a cursor of its list from before cursors were bound to their filter with CURSOR_EXPIRED naming the argument", function () {
    for (const block of [[7, null], [7, `0x${"ab".repeat(32)}`, 1_750_000_000]]) {
      const unbound = Buffer.from(JSON.stringify(["providers:PRICE:ASC", ["1"], "0x01", ...block])).toString("base64url");
      try {
        decodeCursor(unbound, unfiltered("providers:PRICE:ASC"), ["integer"], "hex", "after");
        expect.fail("no error");
      } catch (error) {
        expect((error as { extensions: { code: string; argument: string } }).extensions).to.deep.equal({ code: "CURSOR_EXPIRED", argument: "after" });
        expect((error as Error).message).to.match(/older gateway.*bound to the filter.*start again without `after`/);
      }
    }
  });

  it("refuses a cursor issued for other arguments of its list with BAD_USER_INPUT naming them", function () {
    const issued = cursorScope("jobs:CREATED:DESC", { filter: { statuses: ["OPEN"] } });
    const cursor = encodeCursor(issued, { keys: ["5"], id: "5", block: BLOCK });
    for (const filter of [null, { statuses: ["ACCEPTED"] }, { statuses: ["OPEN"], client: "0x01" }]) {
      try {
        decodeCursor(cursor, cursorScope("jobs:CREATED:DESC", { filter }), ["integer"], "integer");
        expect.fail(`no error for ${JSON.stringify(filter)}`);
      } catch (error) {
        expect((error as { extensions: { code: string; argument: string } }).extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "after", value: cursor });
        expect((error as Error).message).to.equal(
          "after: the cursor was issued for another filter: ask with the filter it was issued for, or start again without `after`",
        );
      }
    }
    const providerJobs = encodeCursor(cursorScope("providerJobs:CREATED:DESC", { provider: "0x01", statuses: null }), { keys: ["5"], id: "5", block: BLOCK });
    const other = cursorScope("providerJobs:CREATED:DESC", { provider: "0x02", statuses: null });
    expect(() => decodeCursor(providerJobs, other, ["integer"], "integer")).to.throw(/issued for another provider or other statuses/);
  });

  it("words the refusal of a cursor asked with other arguments for each list's arguments, singular and plural", function () {
    const refusal = (tag: string, issued: Record<string, unknown>, asked: Record<string, unknown>): string => {
      const cursor = encodeCursor(cursorScope(tag, issued), { keys: ["5"], id: "5", block: BLOCK });
      try {
        decodeCursor(cursor, cursorScope(tag, asked), ["integer"], "integer");
      } catch (error) {
        return (error as Error).message;
      }
      return "no error";
    };
    const tail = "it was issued for, or start again without `after`";
    expect({
      filter: refusal("jobs:CREATED:DESC", { filter: null }, { filter: { statuses: ["OPEN"] } }),
      requirements: refusal("offers:PRICE:ASC", { requirements: { gpuCount: 1 } }, { requirements: { gpuCount: 2 } }),
      provider: refusal("openJobs:CREATED:DESC", { provider: "0x01" }, { provider: "0x02" }),
      providerJobs: refusal("providerJobs:CREATED:DESC", { provider: "0x01", statuses: null }, { provider: "0x01", statuses: ["OPEN"] }),
      states: refusal("proposals:CREATED:DESC", { states: null }, { states: ["ACTIVE"] }),
    }).to.deep.equal({
      filter: `after: the cursor was issued for another filter: ask with the filter ${tail}`,
      requirements: `after: the cursor was issued for other requirements: ask with the requirements ${tail}`,
      provider: `after: the cursor was issued for another provider: ask with the provider ${tail}`,
      providerJobs: `after: the cursor was issued for another provider or other statuses: ask with the provider and statuses ${tail}`,
      states: `after: the cursor was issued for other states: ask with the states ${tail}`,
    });
  });

  it("binds a cursor to what its arguments mean, not how they were written: key order, null, absent and {} alike", function () {
    const issued = cursorScope("providers:ADDRESS:ASC", { filter: { minGpus: 2, regions: ["eu"], online: null } });
    const cursor = encodeCursor(issued, { keys: [], id: "0x01", block: BLOCK });
    const same = cursorScope("providers:ADDRESS:ASC", { filter: { regions: ["eu"], minGpus: 2 } });
    expect(decodeCursor(cursor, same, [], "hex")?.id).to.equal("0x01");
    const none = encodeCursor(cursorScope("providers:ADDRESS:ASC", { filter: null }), { keys: [], id: "0x01", block: BLOCK });
    for (const filter of [undefined, {}, { online: null }]) {
      expect(decodeCursor(none, cursorScope("providers:ADDRESS:ASC", { filter }), [], "hex")?.id, JSON.stringify(filter)).to.equal("0x01");
    }
    const bigints = cursorScope("offers:PRICE_THEN_REPUTATION", { requirements: { maxPricePerGpuHour: 5n } });
    expect(bigints.digest).to.equal(cursorScope("offers:PRICE_THEN_REPUTATION", { requirements: { maxPricePerGpuHour: 5n } }).digest);
    expect(bigints.digest).not.to.equal(cursorScope("offers:PRICE_THEN_REPUTATION", { requirements: { maxPricePerGpuHour: 6n } }).digest);
  });

  it("binds a cursor to the set a list argument names, not the order or repeats of its values, where order cannot matter", function () {
    const issued = (args: Record<string, unknown>, tag = "jobs:CREATED:DESC") =>
      encodeCursor(cursorScope(tag, args), { keys: ["5"], id: "5", block: BLOCK });
    const continues = (cursor: string, args: Record<string, unknown>, tag = "jobs:CREATED:DESC") =>
      decodeCursor(cursor, cursorScope(tag, args), ["integer"], "integer")?.id;
    const statuses = issued({ provider: "0x01", statuses: ["OPEN", "ACCEPTED"] }, "providerJobs:CREATED:DESC");
    for (const other of [["ACCEPTED", "OPEN"], ["OPEN", "OPEN", "ACCEPTED"], ["ACCEPTED", "OPEN", "ACCEPTED"]]) {
      expect(continues(statuses, { provider: "0x01", statuses: other }, "providerJobs:CREATED:DESC"), other.join()).to.equal("5");
    }
    const states = issued({ states: ["ACTIVE", "PENDING"] }, "proposals");
    expect(continues(states, { states: ["PENDING", "ACTIVE", "PENDING"] }, "proposals")).to.equal("5");
    const filter = issued({ filter: { statuses: ["OPEN", "COMPLETED"], gpuModels: ["h100-sxm-80gb", "a100-40gb"], regions: ["eu-west", "us-east"] } });
    expect(continues(filter, { filter: { statuses: ["COMPLETED", "OPEN"], gpuModels: ["a100-40gb", "h100-sxm-80gb"], regions: ["us-east", "eu-west"] } })).to.equal("5");
    // Model ids and region codes as the filter parses them: trimmed, lowercase.
    expect(continues(filter, { filter: { statuses: ["OPEN", "COMPLETED"], gpuModels: ["A100-40GB", " h100-sxm-80gb", "a100-40gb"], regions: ["EU-West", "us-east"] } })).to.equal("5");
    const requirements = issued({ requirements: { gpuModels: ["h100-sxm-80gb", "a100-40gb"], regions: ["eu-west", "us-east"] } }, RANKED);
    expect(continues(requirements, { requirements: { gpuModels: ["A100-40GB", "h100-sxm-80gb"], regions: ["us-east", "eu-west", "us-east"] } }, RANKED)).to.equal("5");
    const categories = issued({ filter: { categories: ["JOB", "STAKING"] } }, "activity:BLOCK:DESC");
    expect(continues(categories, { filter: { categories: ["STAKING", "JOB"] } }, "activity:BLOCK:DESC")).to.equal("5");
  });

  it("still refuses a cursor issued for another set, or for a list whose order is kept", function () {
    const cursor = encodeCursor(cursorScope("jobs:CREATED:DESC", { filter: { statuses: ["OPEN", "ACCEPTED"], gpuModels: ["h100-sxm-80gb"] } }), {
      keys: ["5"],
      id: "5",
      block: BLOCK,
    });
    const others = [
      { statuses: ["OPEN"], gpuModels: ["h100-sxm-80gb"] },
      { statuses: ["OPEN", "ACCEPTED", "COMPLETED"], gpuModels: ["h100-sxm-80gb"] },
      { statuses: ["OPEN", "ACCEPTED"], gpuModels: ["h100-sxm-80gb", "a100-40gb"] },
      { statuses: ["OPEN", "ACCEPTED"], gpuModels: ["h100-pcie-80gb"] },
      { statuses: ["OPEN", "ACCEPTED"], gpuModels: [] },
    ];
    for (const filter of others) {
      try {
        decodeCursor(cursor, cursorScope("jobs:CREATED:DESC", { filter }), ["integer"], "integer");
        expect.fail(`no error for ${JSON.stringify(filter)}`);
      } catch (error) {
        expect((error as { extensions: { code: string; argument: string } }).extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "after", value: cursor });
        expect((error as Error).message).to.contain("issued for another filter");
      }
    }
    // A list argument not known to be a set keeps its order.
    expect(cursorScope("t", { path: ["a", "b"] }).digest).not.to.equal(cursorScope("t", { path: ["b", "a"] }).digest);
  });

  it("binds a cursor to the job an activity filter names", function () {
    const cursor = encodeCursor(cursorScope("activity:BLOCK:DESC", { filter: { jobId: "1" } }), { keys: ["5"], id: "0x01", block: BLOCK });
    expect(decodeCursor(cursor, cursorScope("activity:BLOCK:DESC", { filter: { jobId: "1" } }), ["integer"], "hex")?.id).to.equal("0x01");
    expect(() => decodeCursor(cursor, cursorScope("activity:BLOCK:DESC", { filter: { jobId: "10" } }), ["integer"], "hex")).to.throw(
      /issued for another filter/,
    );
  });

  it("raises BAD_USER_INPUT naming the argument", function () {
    try {
      decodeCursor("x", unfiltered("t"), [], "hex", "after");
      expect.fail("no error");
    } catch (error) {
      expect((error as { extensions: { code: string; argument: string } }).extensions).to.include({ code: "BAD_USER_INPUT", argument: "after" });
    }
  });
});
