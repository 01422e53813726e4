import { expect } from "chai";
import { decodeCursor, encodeCursor } from "../../../gateway/src/model/cursor";

const BLOCK = { number: 7, hash: null };

describe("keyset cursors", function () {
  it("round-trips the sort key and id of a row", function () {
    const cursor = encodeCursor("providers:PRICE:ASC", { keys: ["2500000000000000000"], id: "0xabc0", block: BLOCK });
    expect(decodeCursor(cursor, "providers:PRICE:ASC", ["integer"], "hex")).to.deep.equal({ keys: ["2500000000000000000"], id: "0xabc0", block: BLOCK });
  });

  it("round-trips the block its page sequence reads", function () {
    const block = { number: 1234, hash: `0x${"ab".repeat(32)}` };
    const cursor = encodeCursor("jobs:UPDATED:DESC", { keys: ["17"], id: "9", block });
    expect(decodeCursor(cursor, "jobs:UPDATED:DESC", ["integer"], "integer")).to.deep.equal({ keys: ["17"], id: "9", block });
  });

  it("round-trips the block time of its page sequence, and still reads a cursor made before it carried one", function () {
    const block = { number: 1234, hash: `0x${"ab".repeat(32)}`, timestamp: 1_750_000_000 };
    const cursor = encodeCursor("openJobs:CREATED:ASC", { keys: ["17"], id: "17", block });
    expect(decodeCursor(cursor, "openJobs:CREATED:ASC", ["integer"], "integer")?.block).to.deep.equal(block);
    const before = Buffer.from(JSON.stringify(["openJobs:CREATED:ASC", ["17"], "17", 1234, null])).toString("base64url");
    expect(decodeCursor(before, "openJobs:CREATED:ASC", ["integer"], "integer")?.block).to.deep.equal({ number: 1234, hash: null });
  });

  it("refuses a forged cursor whose block is not a block number and hash", function () {
    for (const block of [[-1, null], [1.5, null], ["7", null], [7, "0x12"], [7], [7, null, -1], [7, null, "1"], [7, null, 1, 2], [2 ** 31, null]]) {
      const forged = Buffer.from(JSON.stringify(["t", ["1"], "0x01", ...block])).toString("base64url");
      expect(() => decodeCursor(forged, "t", ["integer"], "hex"), JSON.stringify(block)).to.throw(/not a cursor/);
    }
  });

  it("is absent when no cursor is given", function () {
    expect(decodeCursor(undefined, "jobs:CREATED:DESC", ["integer"], "integer")).to.equal(null);
    expect(decodeCursor(null, "jobs:CREATED:DESC", ["integer"], "integer")).to.equal(null);
  });

  it("refuses a cursor of another list or ordering, naming both", function () {
    const cursor = encodeCursor("providers:PRICE:ASC", { keys: ["1"], id: "0x01", block: BLOCK });
    expect(() => decodeCursor(cursor, "providers:PRICE:DESC", ["integer"], "hex")).to.throw(/providers:PRICE:ASC.*providers:PRICE:DESC/);
  });

  it("refuses text that is not a cursor", function () {
    for (const text of ["", "not-base64!", Buffer.from("[1,2]").toString("base64url"), Buffer.from('{"a":1}').toString("base64url")]) {
      expect(() => decodeCursor(text, "t", ["integer"], "hex"), text).to.throw(/not a cursor/);
    }
  });

  it("refuses a forged cursor whose values are not of the sort key's kind", function () {
    const forged = Buffer.from(JSON.stringify(["t", ["1; drop table"], "0x01"])).toString("base64url");
    expect(() => decodeCursor(forged, "t", ["integer"], "hex")).to.throw(/not a cursor/);
    const badId = Buffer.from(JSON.stringify(["t", ["1"], "zz"])).toString("base64url");
    expect(() => decodeCursor(badId, "t", ["integer"], "hex")).to.throw(/not a cursor/);
  });

  it("refuses a cursor of the shape an earlier version of its list handed out with CURSOR_EXPIRED naming the argument", function () {
    const earlier = Buffer.from(JSON.stringify(["t", ["1"], "1"])).toString("base64url");
    try {
      decodeCursor(earlier, "t", ["integer", "integer"], "integer", "after", { keyCount: 1, change: "it now carries a time" });
      expect.fail("no error");
    } catch (error) {
      expect((error as { extensions: { code: string; argument: string } }).extensions).to.deep.equal({ code: "CURSOR_EXPIRED", argument: "after" });
      expect((error as Error).message).to.contain("it now carries a time");
    }
  });

  it("refuses a cursor of its list from before cursors carried their block with CURSOR_EXPIRED naming the argument", function () {
    const unpinned = Buffer.from(JSON.stringify(["providers:PRICE:ASC", ["1"], "0x01"])).toString("base64url");
    try {
      decodeCursor(unpinned, "providers:PRICE:ASC", ["integer"], "hex", "after");
      expect.fail("no error");
    } catch (error) {
      expect((error as { extensions: { code: string; argument: string } }).extensions).to.deep.equal({ code: "CURSOR_EXPIRED", argument: "after" });
      expect((error as Error).message).to.match(/older gateway.*start again without `after`/);
    }
  });

  it("raises BAD_USER_INPUT naming the argument", function () {
    try {
      decodeCursor("x", "t", [], "hex", "after");
      expect.fail("no error");
    } catch (error) {
      expect((error as { extensions: { code: string; argument: string } }).extensions).to.include({ code: "BAD_USER_INPUT", argument: "after" });
    }
  });
});
