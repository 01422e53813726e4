// What the CLI prints of the indexer's log and of a subgraph's failure: every URL in a line cut to its scheme and host,
// not only --rpc's. A mapping's message may quote anything (an entity's field, a URI an event carries), and its path
// may be a key.
import { expect } from "chai";
import { PROCESS_START_MS } from "../../helpers/wait";
import { runIndexerCli } from "./helpers/cli";
import { useProbeFixture } from "./helpers/use-probe-fixture";

describe("embedded indexer: the CLI's log lines", function () {
  const fx = useProbeFixture();

  it("cuts every URL in a log line (a mapping's message quoting one), not only --rpc's", async function () {
    this.timeout(PROCESS_START_MS + 30_000);
    await fx.probe.send("probe", [0, "https://user:secret@upstream.example/v3/SECRETKEY?token=T0KEN"]);
    const run = await runIndexerCli(["--rpc", fx.chain.url, "--db", fx.dbPath("cli-log.sqlite"), "--subgraph", fx.buildDir, "--once", "--quiet"]);
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stderr.split("\n").filter((line) => line.includes(" INFO mapping ") && line.includes("probe info"));
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(/: probe info https:\/\/upstream\.example\/…$/);
    expect(run.stderr).not.to.match(/secret|SECRETKEY|T0KEN/);
  });

  it("cuts every URL in a subgraph failure it reports (a mapping's abort message quoting one), on stderr and in --once's done line", async function () {
    this.timeout(PROCESS_START_MS + 30_000);
    await fx.probe.send("probe", [1, "https://user:secret@upstream.example/v3/SECRETKEY?token=T0KEN"]);
    const run = await runIndexerCli(["--rpc", fx.chain.url, "--db", fx.dbPath("cli-failed.sqlite"), "--subgraph", fx.buildDir, "--once", "--quiet"]);
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.match(/SUBGRAPH FAILED: .*https:\/\/upstream\.example\/…/);
    expect(run.stdout).to.match(/^done: block \d+ \(0x[0-9a-f]{64}\), FAILED: .*https:\/\/upstream\.example\/…/m);
    expect(`${run.stdout}${run.stderr}`).not.to.match(/secret|SECRETKEY|T0KEN/);
  });
});
