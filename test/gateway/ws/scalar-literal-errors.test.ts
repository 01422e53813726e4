// A literal refused in a subscription (a malformed address, an Int past 32 bits): over WebSocket, as over HTTP
// (test/gateway/http/scalar-literal-errors.test.ts), the error names the field and the argument, in the message and
// in extensions. Validation refuses it before anything reads, so the index behind the server is a bare head.
import { expect } from "chai";
import type { Client } from "graphql-ws";
import { silentLogger } from "../../../gateway/src/logger";
import { HeadWatcher } from "../../../gateway/src/sources/head-watcher";
import { EmptyIndex } from "../helpers/empty-index";
import { serveGatewayWs, type ServedGatewayWs } from "../helpers/served-gateway-ws";

type Refusal = { message: string; extensions?: Record<string, unknown> }[];

/** The errors graphql-ws rejects a refused subscription's first read with. */
async function refusal(client: Client, query: string, variables?: Record<string, unknown>): Promise<Refusal> {
  try {
    await client.iterate({ query, variables }).next();
  } catch (errors) {
    return errors as Refusal;
  }
  throw new Error("the subscription was not refused");
}

describe("a scalar literal refused over WebSocket", function () {
  let served: ServedGatewayWs;
  let client: Client;

  before(async function () {
    const source = new EmptyIndex();
    served = await serveGatewayWs(source, new HeadWatcher(source, { logger: silentLogger }));
    client = served.client;
  });

  after(async function () {
    await served.stop();
  });

  it("refuses clientJobsUpdated(client: \"0x12\") with BAD_USER_INPUT naming Subscription.clientJobsUpdated(client)", async function () {
    const errors = await refusal(client, 'subscription { clientJobsUpdated(client: "0x12") { id } }');
    expect(errors[0]?.message).to.equal('Subscription.clientJobsUpdated(client): Address: "0x12" is not an address (0x followed by 40 hex digits)');
    expect(errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", scalar: "Address", value: "0x12", argument: "client", field: "Subscription.clientJobsUpdated" });
  });

  it("names a variable a scalar refused in extensions.variable, with the scalar, as over HTTP", async function () {
    const errors = await refusal(client, "subscription S($c: Address!) { clientJobsUpdated(client: $c) { id } }", { c: "0x12" });
    expect(errors[0]?.message).to.match(/^Variable "\$c" got invalid value "0x12"; Address: "0x12" is not an address/);
    expect(errors[0]?.extensions).to.deep.equal({ code: "BAD_USER_INPUT", variable: "c", scalar: "Address", value: "0x12" });
  });

  it("names the argument of an Int literal past 32 bits (jobOpened(sinceBlock)), keeping GRAPHQL_VALIDATION_FAILED", async function () {
    const errors = await refusal(client, "subscription { jobOpened(sinceBlock: 99999999999) { id } }");
    expect(errors[0]?.message).to.equal("Subscription.jobOpened(sinceBlock): Int cannot represent non 32-bit signed integer value: 99999999999");
    expect(errors[0]?.extensions).to.deep.include({ code: "GRAPHQL_VALIDATION_FAILED", argument: "sinceBlock", field: "Subscription.jobOpened" });
  });
});
