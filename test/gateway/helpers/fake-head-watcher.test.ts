// The tests' fake head watcher and fake hub: what they do with a member the test answered, and with one it did not.
import { expect } from "chai";
import { SubscriptionHub } from "../../../gateway/src/feeds/subscription-hub";
import { HeadWatcher, type IndexedHead } from "../../../gateway/src/sources/head-watcher";
import { expectRejection } from "../../helpers/rejects";
import { FakeHeadWatcher, UnansweredHeadError } from "./fake-head-watcher";
import { FakeHub, UnansweredHubError } from "./fake-hub";

const HEAD: IndexedHead = { number: 7, hash: "0x07", parentHash: "0x06", timestamp: 1007, hasIndexingErrors: false };

describe("the tests' fake head watcher", function () {
  it("is a HeadWatcher that answers a method and a getter with what the test gave for them", async function () {
    const watcher = new FakeHeadWatcher({ head: () => HEAD, ensureHead: async () => HEAD });
    expect(watcher).to.be.instanceOf(HeadWatcher);
    expect(watcher.head).to.equal(HEAD);
    expect(await watcher.ensureHead()).to.equal(HEAD);
  });

  it("rejects an async method the test did not answer with UnansweredHeadError naming it", async function () {
    await expectRejection(new FakeHeadWatcher({}).refresh(), /^the fake head watcher was not given refresh$/, UnansweredHeadError);
  });

  it("throws UnansweredHeadError naming a getter the test did not give", function () {
    expect(() => new FakeHeadWatcher({}).head).to.throw(UnansweredHeadError, /^the fake head watcher was not given head$/);
  });
});

describe("the tests' fake subscription hub", function () {
  it("is a SubscriptionHub whose unanswered subscriptions reject with UnansweredHubError naming them", async function () {
    const hub = new FakeHub();
    expect(hub).to.be.instanceOf(SubscriptionHub);
    await expectRejection(hub.networkStats(7), /^the fake subscription hub was not given networkStats$/, UnansweredHubError);
  });

  it("answers a getter with what the test gave for it", function () {
    expect(new FakeHub({ subscriberCount: () => 3 }).subscriberCount).to.equal(3);
  });
});
