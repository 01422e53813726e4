import { expect } from "chai";
import * as path from "node:path";
import { parseCli } from "../../gateway/src/cli";

describe("gateway CLI", function () {
  it("runs the embedded indexer by default, on 127.0.0.1:4000", function () {
    const { options, logLevel } = parseCli(["--rpc-url", "http://127.0.0.1:9545"], {});
    expect(options.port).to.equal(4000);
    expect(options.host).to.equal("127.0.0.1");
    expect(logLevel).to.equal("info");
    expect(options.source).to.include({ rpcUrl: "http://127.0.0.1:9545", dbPath: path.resolve(".data/gateway-indexer.sqlite") });
    expect(options.chain).to.deep.equal({ rpcUrl: "http://127.0.0.1:9545", deployment: path.resolve("deployments/localhost.json") });
  });

  it("reads a graph-node endpoint from SUBGRAPH_URL, and the rest of the environment", function () {
    const { options } = parseCli([], {
      SUBGRAPH_URL: "http://graph.example/subgraphs/name/latent",
      PORT: "8080",
      RPC_URL: "http://rpc.example",
      CORS_ORIGINS: "https://app.example",
      MAX_LAG: "10",
    });
    expect(options.source).to.deep.equal({ subgraphUrl: "http://graph.example/subgraphs/name/latent" });
    expect(options.port).to.equal(8080);
    expect(options.corsOrigins).to.deep.equal(["https://app.example"]);
    expect(options.maxLag).to.equal(10);
    expect(options.chain).to.include({ rpcUrl: "http://rpc.example" });
  });

  it("lets flags win over the environment", function () {
    const { options } = parseCli(["--port", "0", "--subgraph-url", "http://flag.example"], { PORT: "8080", SUBGRAPH_URL: "http://env.example" });
    expect(options.port).to.equal(0);
    expect(options.source).to.deep.equal({ subgraphUrl: "http://flag.example" });
  });

  it("refuses unknown options and bad values", function () {
    expect(() => parseCli(["--prot", "1"], {})).to.throw(/unknown option --prot/);
    expect(() => parseCli(["--port", "-1"], {})).to.throw(/--port/);
    expect(() => parseCli(["--log-level", "loud"], {})).to.throw(/--log-level/);
    expect(() => parseCli(["--port"], {})).to.throw(/needs a value/);
  });
});
