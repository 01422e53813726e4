import { expect } from "chai";
import { checkUrlForm, UrlFormError } from "../../../subgraph/indexer/url-form";

// Every part of these inputs after the scheme, and what URL would take for the scheme of one written without it.
const SECRETS = ["alice", "s3cr3t", "rpc.example.org", "K3Y", "8545", "tok"];

function refusal(value: string, schemes: readonly string[]): string {
  try {
    checkUrlForm(value, schemes);
  } catch (error) {
    expect(error, value).to.be.instanceOf(UrlFormError);
    return (error as UrlFormError).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe("URL form (url-form.ts: the URL checks of the indexer, the gateway, npm start and the worker)", () => {
  it("says what is wrong with a URL of the wrong scheme or none without quoting anything after its scheme", () => {
    const http = ["http", "https"];
    const cases: [string, readonly string[], string][] = [
      // The scheme forgotten: URL reads the user name, or the host, as a scheme.
      ["alice:s3cr3t@rpc.example.org:8545", http, "has no http:// or https:// scheme"],
      ["rpc.example.org:8545", http, "has no http:// or https:// scheme"],
      ["alice:8545", http, "has no http:// or https:// scheme"],
      ["rpc.example.org/v2/K3Y", http, "has no http:// or https:// scheme"],
      ["https//rpc.example.org/v2/K3Y", http, "has no http:// or https:// scheme"],
      ["//alice:s3cr3t@rpc.example.org", http, "has no http:// or https:// scheme"],
      // A scheme URL knows, followed by //: a URL of the wrong kind, named by its scheme alone.
      ["ws://alice:s3cr3t@rpc.example.org:8545/v2/K3Y?key=tok", http, "must start with http:// or https://, not ws://"],
      ["WSS://rpc.example.org/v2/K3Y", http, "must start with http:// or https://, not wss://"],
      ["ftp://alice:s3cr3t@rpc.example.org", http, "must start with http:// or https://, not ftp://"],
      ["https://rpc.example.org/v2/K3Y", ["ws", "wss"], "must start with ws:// or wss://, not https://"],
      // Any other word before `://` may be a user name: not named.
      ["alice://s3cr3t@rpc.example.org", http, "has no http:// or https:// scheme"],
      ["wss:\\\\rpc.example.org\\v2\\K3Y", http, "has no http:// or https:// scheme"],
      // The right scheme, written otherwise than URL uses it: only the separator is named.
      ["https:alice:s3cr3t@rpc.example.org", http, "must have two slashes after its scheme (https://host/…), not none"],
      ["https:/rpc.example.org/v2/K3Y", http, 'must have two slashes after its scheme (https://host/…), not "/"'],
      ["http:\\\\rpc.example.org\\v2\\K3Y", http, 'must have two slashes after its scheme (http://host/…), not "\\\\"'],
      // The right scheme, and no URL after it.
      ["https://alice:s3cr3t@rpc.example.org:99999/v2/K3Y", http, "is not a valid https:// URL"],
      ["http://[rpc.example.org/v2/K3Y", http, "is not a valid http:// URL"],
      [" https://rpc.example.org/v2/K3Y", http, "has leading or trailing whitespace"],
      ["https://rpc.example.org/v2/K3Y\ttok", http, "has a tab or line break in it"],
    ];
    for (const [value, schemes, message] of cases) {
      const shown = refusal(value, schemes);
      expect(shown, value).to.equal(message);
      for (const secret of SECRETS) expect(shown, `${value}: ${secret}`).not.to.include(secret);
    }
  });

  it("returns the parsed URL of one written with an accepted scheme and two slashes, in any case", () => {
    expect(checkUrlForm("HTTPS://alice:s3cr3t@rpc.example.org/v2/K3Y", ["http", "https"]).href).to.equal(
      "https://alice:s3cr3t@rpc.example.org/v2/K3Y",
    );
    expect(checkUrlForm("ws://127.0.0.1:4000/graphql", ["ws", "wss"]).port).to.equal("4000");
  });
});
