// What the dashboard's task commands need besides `--network localhost` (Deployment.tasks), from what the gateway was
// started with, by the rules `npm start` prints its commands with (scripts/devnet/report.ts).
import * as path from "node:path";
import { expect } from "chai";
import { repoRoot } from "../../gateway/src/repo-root";
import type { DeploymentRecord } from "../../gateway/src/sources/deployment";
import { taskReach } from "../../gateway/src/task-reach";

const root = repoRoot();
const record = (network: string) => ({ network, chainId: 31337, contracts: {} }) as unknown as DeploymentRecord;
const DEFAULT_FILE = path.join(root, "deployments", "localhost.json");

describe("taskReach", function () {
  it("needs nothing for the chain on 127.0.0.1:8545 and deployments/localhost.json, the tasks' defaults", function () {
    expect(taskReach(record("localhost"), DEFAULT_FILE, "http://127.0.0.1:8545", {}, root)).to.deep.equal({
      localRpcUrl: null,
      localRpcUrlWithheld: false,
      deploymentFile: null,
    });
  });

  it("names the chain and the record of a devnet on another chain port, the record from the repository's root where it lies inside it", function () {
    const inside = path.join(root, ".data", "deployments", "localhost.json");
    expect(taskReach(record("localhost"), inside, "http://127.0.0.1:35345", {}, root)).to.deep.equal({
      localRpcUrl: "http://127.0.0.1:35345",
      localRpcUrlWithheld: false,
      deploymentFile: path.join(".data", "deployments", "localhost.json"),
    });
    expect(taskReach(record("localhost"), "/tmp/devnet/deployments/localhost.json", "http://127.0.0.1:35345", {}, root)?.deploymentFile).to.equal(
      "/tmp/devnet/deployments/localhost.json",
    );
  });

  it("takes localhost.json in LATENT_DEPLOYMENTS_DIR as the tasks' default record, as they do", function () {
    const env = { LATENT_DEPLOYMENTS_DIR: "/srv/records" };
    expect(taskReach(record("localhost"), "/srv/records/localhost.json", "http://127.0.0.1:8545", env, root)?.deploymentFile).to.equal(null);
    expect(taskReach(record("localhost"), DEFAULT_FILE, "http://127.0.0.1:8545", env, root)?.deploymentFile).to.equal(path.join("deployments", "localhost.json"));
  });

  it("withholds a chain URL whose path, query or credentials may hold a key, saying that one is needed", function () {
    for (const url of ["https://eth.example.org/v2/secret-key", "http://127.0.0.1:9545/?key=secret", "http://user:secret@127.0.0.1:9545"]) {
      expect(taskReach(record("localhost"), DEFAULT_FILE, url, {}, root), url).to.deep.equal({ localRpcUrl: null, localRpcUrlWithheld: true, deploymentFile: null });
    }
  });

  it("tells nothing for another network, whose tasks take their chain and record from their own configuration, nor without the record's file", function () {
    expect(taskReach(record("remote"), "/srv/remote.json", "https://rpc.example.org", {}, root)).to.equal(null);
    expect(taskReach(record("localhost"), undefined, "http://127.0.0.1:35345", {}, root)).to.equal(null);
  });
});
