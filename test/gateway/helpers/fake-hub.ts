// A SubscriptionHub whose members a test answers by hand, as FakeReader answers a SubgraphReader's reads: a member
// the test did not give fails with UnansweredHubError naming it (a server that never subscribes gives none), and a
// member added to SubscriptionHub fails to compile here until it is listed.
import { silentLogger } from "../../../gateway/src/logger";
import { SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import { FakeHeadWatcher } from "./fake-head-watcher";
import { FakeReader } from "./fake-reader";

/** The hub's public methods. */
type HubMethod = {
  [K in keyof SubscriptionHub]: SubscriptionHub[K] extends (...args: never[]) => unknown ? K : never;
}[keyof SubscriptionHub];

/** What a test answers: any of the hub's methods with its real signature, and its getter as a function. */
export type HubAnswers = Partial<Pick<SubscriptionHub, HubMethod>> & { subscriberCount?: () => number };

/** A member of the hub that the test did not answer. */
export class UnansweredHubError extends Error {
  constructor(readonly member: keyof SubscriptionHub) {
    super(`the fake subscription hub was not given ${member}`);
    this.name = "UnansweredHubError";
  }
}

/** Every public member, and how an unanswered one fails as the real one would (a rejection, a throw). */
const MEMBERS: { [K in keyof SubscriptionHub]: K extends HubMethod ? (ReturnType<SubscriptionHub[K]> extends Promise<unknown> ? "async" : "sync") : "getter" } = {
  subscriberCount: "getter",
  start: "sync",
  stop: "sync",
  jobOpened: "async",
  jobUpdated: "async",
  clientJobsUpdated: "async",
  networkStats: "async",
};

export class FakeHub extends SubscriptionHub {
  constructor(answers: HubAnswers = {}) {
    super(new FakeReader({}), new FakeHeadWatcher({}), silentLogger, { reorgThreshold: 0 });
    for (const [member, kind] of Object.entries(MEMBERS) as [keyof SubscriptionHub, (typeof MEMBERS)[keyof SubscriptionHub]][]) {
      const unanswered = (): never => {
        throw new UnansweredHubError(member);
      };
      const answer = (answers as Partial<Record<string, (...args: never[]) => unknown>>)[member];
      if (kind === "getter") Object.defineProperty(this, member, { get: answer ?? unanswered });
      else Object.defineProperty(this, member, { value: answer ?? (kind === "sync" ? unanswered : () => Promise.reject(new UnansweredHubError(member))) });
    }
  }
}
