// A SubgraphReader whose reads a test answers by hand. A test gives only the methods it expects to be called; any
// other fails with UnansweredReadError naming it, so a test that reads more than it answers says which read.
import type { SubgraphSource } from "../../../gateway/src/sources/source";
import { SubgraphReader } from "../../../gateway/src/subgraph/reader";

/** The reader's public methods. */
export type ReaderMethod = {
  [K in keyof SubgraphReader]: SubgraphReader[K] extends (...args: never[]) => unknown ? K : never;
}[keyof SubgraphReader];

/** What a test answers: any of the reader's methods, each with its real signature. */
export type ReaderAnswers = Partial<Pick<SubgraphReader, ReaderMethod>>;

/** A read that the test did not answer. */
export class UnansweredReadError extends Error {
  constructor(readonly method: ReaderMethod | "source.request") {
    super(`the fake reader was not given ${method}`);
    this.name = "UnansweredReadError";
  }
}

/**
 * Every method, and whether it answers with a promise (so that an unanswered one fails as the real one would: a
 * rejection, or a throw). Listing them all makes a method added to SubgraphReader fail to compile here, and only
 * here, until it is listed.
 */
const METHODS: { [K in ReaderMethod]: ReturnType<SubgraphReader[K]> extends Promise<unknown> ? "async" : "sync" } = {
  withSignal: "sync",
  protocolOfPage: "async",
  protocol: "async",
  providers: "async",
  providerPage: "async",
  providerPageAndCheapest: "async",
  jobPage: "async",
  eventPage: "async",
  providersByIds: "async",
  events: "async",
  jobs: "async",
  jobsByIds: "async",
  jobsByIdsRead: "async",
  jobsOfProviders: "async",
  slashesOfProviders: "async",
  thawRequestsOfProviders: "async",
  daysOfProviders: "async",
  eventsOfJobs: "async",
  votesOfProposals: "async",
  inventory: "async",
  gpuModelIds: "async",
  regionIds: "async",
  blockClock: "async",
  networkDays: "async",
  networkDayBefore: "async",
  parameters: "async",
  proposalPage: "async",
  proposal: "async",
  onlineCountAndProviderIds: "async",
  countProviders: "async",
};

/** The fake's source: every read is answered above it, so a request reaching it is one the fake did not answer. */
export const UNANSWERING_SOURCE: SubgraphSource = {
  kind: "subgraphUrl",
  request: () => Promise.reject(new UnansweredReadError("source.request")),
  close: async () => undefined,
};

export class FakeReader extends SubgraphReader {
  constructor(answers: ReaderAnswers) {
    super(UNANSWERING_SOURCE);
    for (const [method, kind] of Object.entries(METHODS) as [ReaderMethod, "async" | "sync"][]) {
      const unanswered = (): never => {
        throw new UnansweredReadError(method);
      };
      const answer = answers[method] ?? (kind === "sync" ? unanswered : () => Promise.reject(new UnansweredReadError(method)));
      Object.defineProperty(this, method, { value: answer });
    }
  }
}
