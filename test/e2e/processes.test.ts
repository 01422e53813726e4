// The e2e tests' process groups: what they read of a group once its leader exited is all the group wrote.
import { expect } from "chai";
import { spawnGroup } from "./processes";

// A leader whose child, in its group and on its pipes, writes its last line only once the leader has exited (as npm
// exits once its script did, the script's last lines possibly still unread): polling its parent, not sleeping.
const LEADER = `
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, ["-e", ${JSON.stringify(`
  const leader = Number(process.argv[1]);
  const alive = () => { try { process.kill(leader, 0); return true; } catch { return false; } };
  const wait = () => (alive() ? setTimeout(wait, 5) : process.stdout.write("last line\\n"));
  wait();
`)}, String(process.pid)], { stdio: "inherit" });
child.unref();
process.stdout.write("first line\\n");
`;

describe("e2e process groups", function () {
  it("resolves exited once the group's last output has been read from its pipes, not at the leader's exit", async function () {
    const group = spawnGroup(process.execPath, ["-e", LEADER], {});
    expect(await group.exited).to.deep.equal({ code: 0, signal: null });
    expect(group.output()).to.equal("first line\nlast line\n");
  });
});
