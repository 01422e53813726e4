import { expect } from "chai";
import { SourceError, SourceRequestAbortedError } from "../../../gateway/src/errors";
import { silentLogger } from "../../../gateway/src/logger";
import { CachingSubgraphSource } from "../../../gateway/src/sources/caching-source";
import { HeadWatcher } from "../../../gateway/src/sources/head-watcher";
import type { SourceKind, SourceRequestOptions, SubgraphSource, Variables } from "../../../gateway/src/sources/source";
import { expectRejection } from "../../helpers/rejects";

/** A source that answers with a counter and records what it was asked. */
class CountingSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  calls: string[] = [];
  failNext = false;
  private release: (() => void) | null = null;
  hold = false;

  async request<TData>(query: string, variables: Variables = {}): Promise<TData> {
    this.calls.push(`${query} ${JSON.stringify(variables)}`);
    if (this.hold) await new Promise<void>((resolve) => (this.release = resolve));
    if (this.failNext) {
      this.failNext = false;
      throw new SourceError("down", "down");
    }
    return { n: this.calls.length } as TData;
  }

  releaseAll(): void {
    this.release?.();
  }

  async close(): Promise<void> {}
}

describe("the per-block query cache", function () {
  it("answers a repeated query from the cache until the head advances", async function () {
    const inner = new CountingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    expect(await source.request("{ a }")).to.deep.equal({ n: 1 });
    expect(await source.request("{ a }")).to.deep.equal({ n: 1 });
    source.invalidate();
    expect(await source.request("{ a }")).to.deep.equal({ n: 2 });
    expect(source.misses).to.equal(2);
  });

  it("tells queries apart by their variables", async function () {
    const inner = new CountingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    await source.request("{ a }", { x: 1 });
    await source.request("{ a }", { x: 2 });
    expect(inner.calls.length).to.equal(2);
  });

  it("shares one request among concurrent identical queries", async function () {
    const inner = new CountingSource();
    inner.hold = true;
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    const answers = Promise.all([source.request("{ a }"), source.request("{ a }"), source.request("{ a }")]);
    inner.releaseAll();
    expect(await answers).to.deep.equal([{ n: 1 }, { n: 1 }, { n: 1 }]);
    expect(inner.calls.length).to.equal(1);
  });

  it("does not keep failures", async function () {
    const inner = new CountingSource();
    inner.failNext = true;
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    let failed = false;
    await source.request("{ a }").catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(await source.request("{ a }")).to.deep.equal({ n: 2 });
  });

  it("keeps at most maxEntries results, dropping the oldest", async function () {
    const inner = new CountingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger, maxEntries: 2 });
    await source.request("{ a }");
    await source.request("{ b }");
    await source.request("{ c }");
    await source.request("{ a }");
    expect(inner.calls.length).to.equal(4);
  });
});

describe("the per-block query cache across a new block", function () {
  it("answers requests made while the new block's answer is fetched with that answer, never the previous block's", async function () {
    const inner = new CountingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    await source.request("{ a }");
    source.invalidate();
    inner.hold = true;
    const first = source.request("{ a }");
    const concurrent = source.request("{ a }");
    inner.releaseAll();
    expect([await first, await concurrent]).to.deep.equal([{ n: 2 }, { n: 2 }]);
    expect(inner.calls.length).to.equal(2);
  });
});

/** A source whose requests wait until their signal aborts, recording which were given up. */
class WaitingSource implements SubgraphSource {
  readonly kind: SourceKind = "subgraphUrl";
  signals: (AbortSignal | undefined)[] = [];

  request<TData>(_query: string, _variables: Variables = {}, options: SourceRequestOptions = {}): Promise<TData> {
    const { signal } = options;
    this.signals.push(signal);
    return new Promise<TData>((_resolve, reject) => signal?.addEventListener("abort", () => reject(new SourceRequestAbortedError("the waiting request"))));
  }

  async close(): Promise<void> {}
}

describe("the per-block query cache's signals", function () {
  it("fails a caller whose signal aborts with SourceRequestAbortedError, giving up the source's request it alone waited on", async function () {
    const inner = new WaitingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    const stop = new AbortController();
    const answer = source.request("{ a }", {}, { signal: stop.signal });
    stop.abort();
    await expectRejection(answer, /given up: no one waits for its answer/, SourceRequestAbortedError);
    expect(inner.signals.map((signal) => signal?.aborted)).to.deep.equal([true]);
  });

  it("gives up a shared request only once every caller waiting on it has given it up", async function () {
    const inner = new WaitingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    const [first, second] = [new AbortController(), new AbortController()];
    const answers = [source.request("{ a }", {}, { signal: first.signal }), source.request("{ a }", {}, { signal: second.signal })];
    first.abort();
    await expectRejection(answers[0], /given up: no one waits for its answer/, SourceRequestAbortedError);
    expect(inner.signals.map((signal) => signal?.aborted)).to.deep.equal([false]);
    second.abort();
    await expectRejection(answers[1], /given up: no one waits for its answer/, SourceRequestAbortedError);
    expect(inner.signals.map((signal) => signal?.aborted)).to.deep.equal([true]);
  });

  it("never gives up a request a caller without a signal waits on", async function () {
    const inner = new WaitingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    const stop = new AbortController();
    void source.request("{ a }").catch(() => undefined);
    const given = source.request("{ a }", {}, { signal: stop.signal });
    stop.abort();
    await expectRejection(given, /given up: no one waits for its answer/, SourceRequestAbortedError);
    expect(inner.signals.map((signal) => signal?.aborted)).to.deep.equal([false]);
  });

  it("asks the source again for a query whose request every caller gave up, instead of sharing the given-up one", async function () {
    const inner = new WaitingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    const stop = new AbortController();
    const given = source.request("{ a }", {}, { signal: stop.signal });
    stop.abort();
    await expectRejection(given, /given up: no one waits for its answer/, SourceRequestAbortedError);
    void source.request("{ a }").catch(() => undefined);
    expect(inner.signals.map((signal) => signal?.aborted)).to.deep.equal([true, false]);
  });

  it("refuses a query whose signal has already aborted without asking the source", async function () {
    const inner = new WaitingSource();
    const source = new CachingSubgraphSource(inner, { logger: silentLogger });
    const stop = new AbortController();
    stop.abort();
    await expectRejection(source.request("{ a }", {}, { signal: stop.signal }), /given up: no one waits for its answer/, SourceRequestAbortedError);
    expect([inner.signals.length, source.misses]).to.deep.equal([0, 0]);
  });
});

describe("the per-block query cache and the head watcher", function () {
  it("is refused as a HeadWatcher's source: it would answer every poll's _meta with the first, and tells nothing of the indexer's failing block", function () {
    const source = new CachingSubgraphSource(new CountingSource(), { logger: silentLogger });
    expect(() => new HeadWatcher(source, { logger: silentLogger })).to.throw(TypeError, "give it the cache's `inner`");
  });
});
