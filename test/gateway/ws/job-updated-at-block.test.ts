// jobUpdated(id, atBlock): a dApp that has just posted a job names its receipt's block, and the subscription waits for
// the index to reach it instead of being refused. With the gateway's own schema, subscription hub and
// HTTP/WebSocket server over a fake index that the test moves a block at a time; job 1 is created in block 9.
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { MAX_AT_BLOCK_AHEAD } from "../../../gateway/src/limits/subscription-limits";
import { silentLogger } from "../../../gateway/src/logger";
import { SourceRequestAbortedError } from "../../../gateway/src/errors";
import { HeadWatcher, type IndexedHead } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import type { JobEntity } from "../../../gateway/src/subgraph/entities";
import { waitUntil } from "../../helpers/wait";
import { serveGatewayWs, type ServedGatewayWs } from "../helpers/served-gateway-ws";

const FIRST_BLOCK = 7;
const CREATED_AT = 9;
const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

const job = {
  id: "1", jobId: "1", status: "Open", createdAtBlock: String(CREATED_AT), termsHash: "0x01", gpuModelKey: "*", regionKey: "*",
  minVramGiB: 0, gpuCount: 1, tier: "Any", minCompletedJobs: "0", minSlashRewardBps: 0, maxPricePerGpuHour: "5",
  targetProvider: "0x0000000000000000000000000000000000000000", escrowed: "10", acceptDeadline: "999999",
} as unknown as JobEntity;

/** An index at FIRST_BLOCK until the test moves it; it holds job 1 from CREATED_AT on, and no other job. */
class GrowingIndex implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  head = FIRST_BLOCK;
  /** Reads of jobs by id, each with the block it read. */
  readonly jobReads: number[] = [];

  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    const meta = (number: number) => ({ number, hash: hashOf(number), parentHash: hashOf(number - 1), timestamp: 1_000 + number });
    if (query.includes("hasIndexingErrors")) return { _meta: { block: meta(this.head), hasIndexingErrors: false, deployment: "growing" } } as TData;
    const asked = variables.block as { hash?: string; number?: number } | undefined;
    const number = asked?.number ?? (asked?.hash === undefined ? this.head : parseInt(asked.hash, 16));
    const ids = ((variables.where as { id_in?: string[] } | undefined)?.id_in ?? []) as string[];
    this.jobReads.push(number);
    const jobs = number >= CREATED_AT ? [job].filter((j) => ids.length === 0 || ids.includes(j.id)) : [];
    return { jobs, events: [], _meta: { block: meta(number) } } as TData;
  }

  async close(): Promise<void> {}
}

/** The head watcher, recording the signal each wait for a block was given. */
class RecordingWatcher extends HeadWatcher {
  readonly waits: (AbortSignal | undefined)[] = [];

  override reached(block: number, signal?: AbortSignal): Promise<IndexedHead> {
    this.waits.push(signal);
    return super.reached(block, signal);
  }
}

interface Event {
  data?: { jobUpdated?: { id: string; status: string } } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

describe("jobUpdated(id, atBlock) over the gateway's server", function () {
  let source: GrowingIndex;
  let head: RecordingWatcher;
  let served: ServedGatewayWs;
  let client: Client;

  beforeEach(async function () {
    source = new GrowingIndex();
    // Not started: it polls when the test moves the index.
    head = new RecordingWatcher(source, { logger: silentLogger });
    served = await serveGatewayWs(source, head);
    client = served.client;
  });

  afterEach(async function () {
    await served.stop();
  });

  const follow = (id: string, atBlock?: number) =>
    client.iterate({ query: `subscription Follow($id: ID!, $atBlock: Int) { jobUpdated(id: $id, atBlock: $atBlock) { id status } }`, variables: { id, atBlock } });

  /** Moves the index to `block` and lets the head watcher see it. */
  async function indexThrough(block: number): Promise<void> {
    source.head = block;
    await head.refresh();
  }

  it("waits for a job the index does not hold yet until the index reaches atBlock, then sends it", async function () {
    const events = follow("1", CREATED_AT);
    await waitUntil(() => head.waits.length === 1, "the subscription waits for block 9");
    await indexThrough(CREATED_AT - 1);
    await indexThrough(CREATED_AT);
    const first = (await events.next()).value as Event;
    expect(first.errors).to.equal(undefined);
    expect(first.data?.jobUpdated).to.deep.equal({ id: "1", status: "OPEN" });
    expect(source.jobReads.filter((block) => block === CREATED_AT).length, "the job is read again once the index is at block 9").to.be.greaterThan(0);
    await events.return?.();
  });

  it("refuses a job the index does not hold yet without atBlock (BAD_USER_INPUT on id), naming the indexed block it is missing at", async function () {
    const first = (await follow("1").next()).value as Event;
    expect(first.errors?.[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "id", value: "1", indexedBlock: FIRST_BLOCK });
    expect(first.errors?.[0]?.message).to.equal("id: there is no job 1 at the indexed block 7 (yet: subscribe once it is indexed, or name its block as atBlock)");
  });

  it("refuses with BAD_USER_INPUT on id once the index reaches atBlock without the job (a wrong block, or a reorg dropped it)", async function () {
    const events = follow("2", FIRST_BLOCK + 1);
    await waitUntil(() => head.waits.length === 1, "the subscription waits for block 8");
    await indexThrough(FIRST_BLOCK + 1);
    const first = (await events.next()).value as Event;
    expect(first.errors?.[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", argument: "id", value: "2", atBlock: FIRST_BLOCK + 1, indexedBlock: FIRST_BLOCK + 1 });
    expect(first.errors?.[0]?.message).to.equal("id: there is no job 2 at block 8, which is at or above atBlock 8");
  });

  it("starts at once, waiting for nothing, on a job already indexed whatever block atBlock names", async function () {
    await indexThrough(CREATED_AT);
    const events = follow("1", CREATED_AT + MAX_AT_BLOCK_AHEAD);
    const first = (await events.next()).value as Event;
    expect(first.data?.jobUpdated).to.deep.equal({ id: "1", status: "OPEN" });
    expect(head.waits).to.deep.equal([]);
    await events.return?.();
  });

  it("refuses an atBlock more than MAX_AT_BLOCK_AHEAD blocks above the indexed head, naming the largest it takes", async function () {
    const first = (await follow("1", FIRST_BLOCK + MAX_AT_BLOCK_AHEAD + 1).next()).value as Event;
    expect(first.errors?.[0]?.extensions).to.include({
      code: "BAD_USER_INPUT",
      argument: "atBlock",
      value: FIRST_BLOCK + MAX_AT_BLOCK_AHEAD + 1,
      maximum: FIRST_BLOCK + MAX_AT_BLOCK_AHEAD,
      indexedBlock: FIRST_BLOCK,
    });
    expect(head.waits).to.deep.equal([]);
  });

  it("refuses a negative atBlock with BAD_USER_INPUT", async function () {
    const first = (await follow("1", -1).next()).value as Event;
    expect(first.errors?.[0]?.extensions).to.include({ code: "BAD_USER_INPUT", argument: "atBlock" });
  });

  it("gives the wait up when the client completes the subscription while it waits", async function () {
    const events = follow("1", CREATED_AT);
    await waitUntil(() => head.waits.length === 1, "the subscription waits for block 9");
    await events.return?.();
    await waitUntil(() => head.waits[0]?.aborted === true, "the wait's signal is aborted");
  });
});

describe("HeadWatcher.reached", function () {
  it("resolves with the head at once when it is at or above the block, and with the first head that reaches it otherwise", async function () {
    const source = new GrowingIndex();
    const head = new HeadWatcher(source, { logger: silentLogger });
    await head.refresh();
    expect((await head.reached(FIRST_BLOCK)).number).to.equal(FIRST_BLOCK);
    const waiting = head.reached(FIRST_BLOCK + 2);
    source.head = FIRST_BLOCK + 2;
    await head.refresh();
    expect((await waiting).number).to.equal(FIRST_BLOCK + 2);
  });

  it("rejects with SourceRequestAbortedError once its signal aborts, and once the watcher stops", async function () {
    const source = new GrowingIndex();
    const head = new HeadWatcher(source, { logger: silentLogger });
    head.start();
    await waitUntil(() => head.head !== null, "the watcher has a head");
    const abort = new AbortController();
    const aborted = head.reached(FIRST_BLOCK + 1, abort.signal).catch((error: unknown) => error);
    const stopped = head.reached(FIRST_BLOCK + 1).catch((error: unknown) => error);
    abort.abort();
    expect(await aborted).to.be.instanceOf(SourceRequestAbortedError);
    await head.stop();
    expect(await stopped).to.be.instanceOf(SourceRequestAbortedError);
  });
});
