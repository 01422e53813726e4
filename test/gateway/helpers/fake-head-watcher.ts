// A HeadWatcher whose members a test answers by hand, as FakeReader answers a SubgraphReader's reads: a member the
// test did not give fails with UnansweredHeadError naming it, and a member added to HeadWatcher fails to compile here
// until it is listed, so that no test goes on faking a watcher of another shape.
import type { SourceError } from "../../../gateway/src/errors";
import { silentLogger } from "../../../gateway/src/logger";
import { HeadWatcher, type IndexedHead } from "../../../gateway/src/sources/head-watcher";
import { UNANSWERING_SOURCE } from "./fake-reader";

/** The watcher's public methods. */
type WatcherMethod = {
  [K in keyof HeadWatcher]: HeadWatcher[K] extends (...args: never[]) => unknown ? K : never;
}[keyof HeadWatcher];

/** What a test answers: any of the watcher's methods with its real signature, and its getters as functions. */
export type WatcherAnswers = Partial<Pick<HeadWatcher, WatcherMethod>> & {
  head?: () => IndexedHead | null;
  lastError?: () => SourceError | null;
};

/** A member of the watcher that the test did not answer. */
export class UnansweredHeadError extends Error {
  constructor(readonly member: keyof HeadWatcher) {
    super(`the fake head watcher was not given ${member}`);
    this.name = "UnansweredHeadError";
  }
}

/**
 * Every public member and how an unanswered one fails as the real one would (a rejection, a throw); pollIntervalMs
 * is the real field, set from the options.
 */
const MEMBERS: { [K in keyof HeadWatcher]: K extends WatcherMethod ? (ReturnType<HeadWatcher[K]> extends Promise<unknown> ? "async" : "sync") : "getter" | "field" } = {
  head: "getter",
  lastError: "getter",
  pollIntervalMs: "field",
  start: "sync",
  stop: "async",
  onInvalidate: "sync",
  subscribe: "sync",
  reached: "async",
  ensureHead: "async",
  refresh: "async",
  headReplacing: "async",
};

export class FakeHeadWatcher extends HeadWatcher {
  constructor(answers: WatcherAnswers, pollIntervalMs?: number) {
    super(UNANSWERING_SOURCE, { logger: silentLogger, pollIntervalMs });
    for (const [member, kind] of Object.entries(MEMBERS) as [keyof HeadWatcher, (typeof MEMBERS)[keyof HeadWatcher]][]) {
      if (kind === "field") continue;
      const unanswered = (): never => {
        throw new UnansweredHeadError(member);
      };
      const answer = (answers as Partial<Record<string, (...args: never[]) => unknown>>)[member];
      if (kind === "getter") {
        Object.defineProperty(this, member, { get: answer ?? unanswered });
      } else {
        Object.defineProperty(this, member, { value: answer ?? (kind === "sync" ? unanswered : () => Promise.reject(new UnansweredHeadError(member))) });
      }
    }
  }
}
