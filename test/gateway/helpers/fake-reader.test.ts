// The tests' fake reader: what it does with a read the test answered, and with one it did not.
import { expect } from "chai";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";
import { expectRejection } from "../../helpers/rejects";
import { FakeReader, UnansweredReadError } from "./fake-reader";

describe("the tests' fake reader", function () {
  it("is a SubgraphReader that answers a read with what the test gave for it", async function () {
    const reader = new FakeReader({ networkDays: async (fromDay) => [{ day: fromDay }] as Awaited<ReturnType<SubgraphReader["networkDays"]>> });
    expect(reader).to.be.instanceOf(SubgraphReader);
    expect(await reader.networkDays(3)).to.deep.equal([{ day: 3 }]);
  });

  it("rejects a read the test did not answer with UnansweredReadError naming the method", async function () {
    const reader = new FakeReader({ protocol: async () => null });
    await expectRejection(reader.jobs({ where: {}, orderBy: "jobId", orderDirection: "asc", first: 1 }), /^the fake reader was not given jobs$/, UnansweredReadError);
  });

  it("throws UnansweredReadError naming withSignal when the test did not give it", function () {
    const reader = new FakeReader({});
    let thrown: unknown;
    try {
      reader.withSignal(new AbortController().signal);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(UnansweredReadError);
    expect((thrown as UnansweredReadError).method).to.equal("withSignal");
  });
});
