import { expect } from "chai";
import { countActiveProviders } from "../../../gateway/src/services/network-stats";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";

const MIN = "1000";

/** A source holding `online` registered, online providers of which `below` are under the minimum stake. */
class FakeSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  readonly requests: { query: string; variables: Variables }[] = [];

  constructor(
    private readonly online: number | null,
    private readonly below: number,
  ) {}

  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    this.requests.push({ query, variables });
    const ids = Array.from({ length: this.below }, (_, i) => `0x${i.toString(16).padStart(40, "0")}`);
    // Pages nest their `id_gt` bounds in `and` lists: every bound holds.
    const bounds = [...JSON.stringify(variables.where).matchAll(/"id_gt":"(0x[0-9a-f]+)"/g)].map((m) => m[1]!);
    const page = ids.filter((id) => bounds.every((b) => id > b)).slice(0, 1000).map((id) => ({ id }));
    if (query.includes("OnlineCountAndProviders")) {
      return { protocol: this.online === null ? null : { onlineProviderCount: this.online }, providers: page } as TData;
    }
    return { providers: page } as TData;
  }

  async close(): Promise<void> {}
}

describe("counting active providers", function () {
  it("is the online providers less those under the minimum, both from one request", async function () {
    const source = new FakeSource(7, 2);
    expect(await countActiveProviders(new SubgraphReader(source), MIN)).to.equal(5);
    expect(source.requests).to.have.length(1);
    expect(source.requests[0]!.variables.where).to.deep.equal({ registered: true, online: true, stakePerGpu_lt: MIN });
  });

  it("pages on through more than a thousand providers under the minimum", async function () {
    const source = new FakeSource(3_000, 2_234);
    expect(await countActiveProviders(new SubgraphReader(source), MIN)).to.equal(766);
    expect(source.requests).to.have.length(3);
  });

  it("is 0 before anything is indexed", async function () {
    expect(await countActiveProviders(new SubgraphReader(new FakeSource(null, 0)), MIN)).to.equal(0);
  });
});
