// jobUpdated through the whole gateway: a feed whose job reached a final status gives its connection's subscription
// slot back while it waits out the reorg threshold, so that a client following many short jobs does not run out.
import { expect } from "chai";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createJob } from "../../../scripts/scenario";
import { environment } from "../helpers/environment";

interface Outcome {
  data?: Record<string, unknown> | null;
  errors?: { extensions?: Record<string, unknown> }[];
}

/** The first result of a subscription, or the errors it was refused with. */
async function firstOutcome(events: AsyncIterableIterator<unknown>): Promise<Outcome> {
  try {
    return ((await events.next()).value ?? {}) as Outcome;
  } catch (error) {
    return { errors: Array.isArray(error) ? (error as Outcome["errors"]) : [] };
  }
}

describe("jobUpdated's subscription slot", function () {
  it("is free for another subscription of the connection while the feed waits out the reorg threshold", async function () {
    const env = await environment();
    const client = env.scenario.actors.clients[4]!;
    const posted = await createJob(env.scenario, client, { gpuCount: 1, specURI: "ipfs://gateway-suite/slot/cancelled.json", acceptWindow: 86_400 });
    await env.scenario.c.jobEscrow.connect(client).cancelJob(posted.jobId).then((tx) => tx.wait());
    await env.waitForIndexed();
    const gateway = await env.startExtraGateway({ source: { subgraphUrl: env.subgraphUrl }, chain: null, limits: { maxSubscriptionsPerConnection: 1 } });
    const socket = createClient({ url: gateway.handle.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
    try {
      const final = socket.iterate({ query: `subscription($id: ID!) { jobUpdated(id: $id) { status } }`, variables: { id: posted.jobId.toString() } });
      expect((await firstOutcome(final)).data).to.deep.equal({ jobUpdated: { status: "CANCELLED" } });
      expect(gateway.handle.subscriberCount(), "the feed still follows the job").to.equal(1);
      const another = await firstOutcome(socket.iterate({ query: `subscription { networkStats(days: 1) { blockNumber } }` }));
      expect(another.errors).to.equal(undefined);
    } finally {
      await socket.dispose();
    }
  });
});
