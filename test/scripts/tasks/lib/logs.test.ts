// eth_getLogs over a range a node may refuse: the range asked for in halves until the node answers.
import { expect } from "chai";
import { ChainQueryError } from "../../../../scripts/tasks/lib/errors";
import { queryLogRange } from "../../../../scripts/tasks/lib/logs";

/** A node with a log in every block, refusing a query over more than `limit` blocks; it records each range asked. */
function node(limit: number) {
  const asked: [number, number][] = [];
  const query = async (from: number, to: number): Promise<number[]> => {
    asked.push([from, to]);
    if (to - from + 1 > limit) throw Object.assign(new Error("could not coalesce error"), { error: { message: `block range exceeds ${limit}` } });
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  };
  return { asked, query };
}

describe("scripts/tasks/lib/logs", function () {
  it("asks for the whole range once when the node serves it", async function () {
    const { asked, query } = node(Infinity);
    expect(await queryLogRange("logs", 10, 5_000, query)).to.deep.equal({ logs: Array.from({ length: 4_991 }, (_, i) => 10 + i), calls: 1 });
    expect(asked).to.deep.equal([[10, 5_000]]);
  });

  it("halves a refused range until the node serves it, keeps that span, and returns every log once, in order", async function () {
    const { asked, query } = node(1_000);
    const { logs, calls } = await queryLogRange("logs", 1, 5_000, query);
    expect(logs).to.deep.equal(Array.from({ length: 5_000 }, (_, i) => 1 + i));
    // 5,000 -> 2,500 -> 1,250 -> 625 blocks: three refusals, then 8 ranges of 625.
    expect(asked.slice(0, 5)).to.deep.equal([[1, 5_000], [1, 2_500], [1, 1_250], [1, 625], [626, 1_250]]);
    expect(calls).to.equal(3 + 8);
  });

  it("throws a ChainQueryError naming the logs, the block and the node's answer when it refuses a single block", async function () {
    const { query } = node(0);
    const error = await queryLogRange("PauseGuardian's logs", 7, 9, query).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ChainQueryError);
    expect((error as Error).message).to.equal(
      "the node refused eth_getLogs for PauseGuardian's logs in block 7 (asked for blocks 7-9, down to one block at a time): block range exceeds 0",
    );
  });

  it("lets a bug in the query through as it is", async function () {
    const error = await queryLogRange("logs", 1, 2, async () => {
      throw new TypeError("not a function");
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TypeError);
  });
});
