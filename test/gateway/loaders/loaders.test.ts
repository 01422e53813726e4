// The DataLoaders under a page's rows read the page's block: a recording source shows the block each request asks for.
import { expect } from "chai";
import { createLoaders } from "../../../gateway/src/loaders/loaders";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { SubgraphReader, readAtOf } from "../../../gateway/src/subgraph/reader";

const PROVIDER = "0x00000000000000000000000000000000000000aa";
const BLOCK_HASH = `0x${"ab".repeat(32)}`;

/** Answers every list with one provider (with no nested rows) and the latest block 42; records each request's block. */
class RecordingSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  readonly blocks: unknown[] = [];
  async request<TData>(_query: string, variables: Variables = {}): Promise<TData> {
    this.blocks.push(variables.block ?? "latest");
    const provider = { id: PROVIDER, jobs: [], slashes: [], thawRequests: [], days: [], before: [] };
    return { providers: [provider], _meta: { block: { number: 42, hash: BLOCK_HASH } } } as TData;
  }
  async close(): Promise<void> {}
}

describe("loaders under a page's rows", function () {
  it("read the nested lists of a pinned page's rows at the cursor's block", async function () {
    const source = new RecordingSource();
    const reader = new SubgraphReader(source);
    const at = { block: { number: 40, hash: BLOCK_HASH }, byHash: false };
    const page = await reader.providerPage({ where: {}, orderBy: "id", orderDirection: "asc", first: 2, at });
    const row = page.rows[0]!;
    const loaders = createLoaders(reader).at(readAtOf(row));
    await Promise.all([
      loaders.jobsOfProvider.get({ first: 5, orderBy: "jobId", orderDirection: "desc" }).load(row.id),
      loaders.slashesOfProvider.get({ first: 5 }).load(row.id),
      loaders.thawRequestsOfProvider.get({ first: 5 }).load(row.id),
      loaders.daysOfProvider.get({ fromDay: 0, first: 5 }).load(row.id),
    ]);
    expect(source.blocks).to.deep.equal([{ number: 40 }, { number: 40 }, { number: 40 }, { number: 40 }, { number: 40 }]);
  });

  it("read the nested lists of a first page's rows at the block the page read, by its hash", async function () {
    const source = new RecordingSource();
    const reader = new SubgraphReader(source);
    const page = await reader.providerPage({ where: {}, orderBy: "id", orderDirection: "asc", first: 2 });
    const row = page.rows[0]!;
    await createLoaders(reader).at(readAtOf(row)).jobsOfProvider.get({ first: 5, orderBy: "jobId", orderDirection: "desc" }).load(row.id);
    expect(page.block).to.deep.equal({ number: 42, hash: BLOCK_HASH });
    expect(source.blocks).to.deep.equal(["latest", { hash: BLOCK_HASH }]);
  });

  it("read the latest block under rows that belong to no page", async function () {
    const source = new RecordingSource();
    const reader = new SubgraphReader(source);
    // A list that is neither a page nor a read by id (as the subscription hub reads new jobs).
    const [row] = await reader.providers({ where: {}, orderBy: "id", orderDirection: "asc", first: 1 });
    await createLoaders(reader).at(readAtOf(row!)).slashesOfProvider.get({ first: 5 }).load(PROVIDER);
    expect(source.blocks).to.deep.equal(["latest", "latest"]);
  });
});
