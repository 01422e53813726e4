import { expect } from "chai";
import { configRedactor, redactUrlsIn } from "../../../scripts/worker/redact";

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

  it("hides the path, query and credentials of every http(s) and ws(s) URL in free text, leaving the punctuation after it", () => {
    expect(redactUrlsIn("calling https://eth.example.org/v2/key123 (via wss://u:p@gw.example.org/graphql?auth=xyz), then ftp://x/y.")).to.equal(
      "calling https://eth.example.org/… (via wss://gw.example.org/…), then ftp://x/y.",
    );
  });
});
