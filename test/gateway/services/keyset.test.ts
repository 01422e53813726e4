import { expect } from "chai";
import { GraphQLError } from "graphql";
import { cursorScope } from "../../../gateway/src/model/cursor";
import { decodeKeysetCursor, keysetPage, readAt, type KeysetSort } from "../../../gateway/src/services/keyset";
import type { ListArgs } from "../../../gateway/src/subgraph/reader";

interface Row {
  id: string;
  reputationScore: number;
}

const BY_REPUTATION: KeysetSort<Row> = {
  scope: cursorScope("providers:REPUTATION:DESC", { filter: null }),
  field: "reputationScore",
  direction: "desc",
  keyType: "Int",
  idKind: "hex",
  keyOf: (r) => String(r.reputationScore),
};

const forged = (keys: string[], id: string) =>
  Buffer.from(JSON.stringify([BY_REPUTATION.scope.tag, keys, id, 1, null, null, BY_REPUTATION.scope.digest])).toString("base64url");

describe("keyset connections", function () {
  it("refuses a forged cursor the source would fail on (an Int key over 32 bits, an id of half a byte), asking nothing", async function () {
    for (const after of [forged(["99999999999"], "0x01"), forged(["5000"], "0x123")]) {
      const asked: ListArgs[] = [];
      const fetch = async (args: ListArgs) => {
        asked.push(args);
        return { rows: [] as Row[], block: { number: 1, hash: null } };
      };
      const page = async () => keysetPage(fetch, null, {}, BY_REPUTATION, 10, decodeKeysetCursor(after, BY_REPUTATION), (r) => r);
      const refusal = await page().then(
        () => null,
        (error: unknown) => error,
      );
      expect(refusal, after).to.be.instanceOf(GraphQLError);
      expect((refusal as GraphQLError).extensions).to.include({ code: "BAD_USER_INPUT", argument: "after" });
      expect(asked, after).to.deep.equal([]);
    }
  });
});

describe("a later page's block", function () {
  const HASH = `0x${"ab".repeat(32)}`;
  const headAt = (number: number) => ({ number, hash: `0x${"cd".repeat(32)}`, parentHash: null, timestamp: 1_000, hasIndexingErrors: false });

  it("is asked for by hash within 50 blocks of the head, and by number further down or where its hash is unknown", function () {
    const cases: [string, number, string | null, boolean][] = [
      ["at the head", 1_000, HASH, true],
      ["49 blocks down", 951, HASH, true],
      ["50 blocks down", 950, HASH, false],
      ["no hash", 1_000, null, false],
    ];
    for (const [what, number, hash, byHash] of cases) {
      expect(readAt({ number, hash, timestamp: 1_000 }, headAt(1_000)).byHash, what).to.equal(byHash);
    }
  });
});
