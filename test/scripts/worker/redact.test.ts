import { expect } from "chai";
import { configRedactor } from "../../../scripts/worker/redact";

describe("worker URL redaction", () => {
  const redact = configRedactor({
    chain: { rpcUrl: "https://eth.example.org/v2/key123?token=abc" },
    gateway: { httpUrl: "https://user:pw@gw.example.org/graphql", wsUrl: "wss://gw.example.org/graphql?auth=xyz" },
  });

  it("replaces the RPC URL's path and query by /… wherever the URL appears in a line", () => {
    const line = '{"error":"server response 503 (info={ \\"requestUrl\\": \\"https://eth.example.org/v2/key123?token=abc\\" })"}';
    expect(redact(line)).to.equal('{"error":"server response 503 (info={ \\"requestUrl\\": \\"https://eth.example.org/…\\" })"}');
  });

  it("keeps the gateway's route, hiding only its credentials and query", () => {
    expect(redact("https://user:pw@gw.example.org/graphql and wss://gw.example.org/graphql?auth=xyz")).to.equal(
      "https://gw.example.org/graphql and wss://gw.example.org/graphql?…",
    );
  });
});
