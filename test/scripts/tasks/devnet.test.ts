import * as fs from "node:fs";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Network } from "ethers";
import type { Advanced } from "../../../scripts/tasks/actions/devnet";
import { DeploymentError, InputError, NotDevChainError, TransactionError } from "../../../scripts/tasks/lib/errors";
import { setOutputSink } from "../../../scripts/tasks";
import { tasksBaseFixture, tempFile } from "./helpers";

/** Runs `devnet advance` in-process (it reads no deployment record unless given --deployment): what it returned and printed. */
async function advance(args: Record<string, string | boolean>): Promise<{ result: Advanced; output: string }> {
  const lines: string[] = [];
  const restore = setOutputSink((text) => lines.push(text));
  try {
    const result = (await hre.run({ scope: "devnet", task: "advance" }, args)) as Advanced;
    return { result, output: lines.join("\n") };
  } finally {
    restore();
  }
}

async function advanceFails(args: Record<string, string>, type: new (...a: never[]) => Error, message: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await advance(args);
  } catch (error) {
    caught = error;
  }
  expect(caught, "devnet advance should fail").to.be.instanceOf(type);
  expect((caught as Error).message).to.match(message);
}

/** Runs `run` as on a node whose chain id is `chainId`, restored after. */
async function onChain<T>(chainId: number, run: () => Promise<T>): Promise<T> {
  const provider = hre.ethers.provider;
  const { getNetwork } = provider;
  provider.getNetwork = async () => new Network("other", chainId);
  try {
    return await run();
  } finally {
    provider.getNetwork = getNetwork;
  }
}

describe("tasks: devnet", function () {
  describe("advance", function () {
    it("--by mines a block that much later and prints its number and time", async function () {
      const [block, now] = [await hre.ethers.provider.getBlockNumber(), await time.latest()];
      const { result, output } = await advance({ by: "2h" });
      expect(result.after).to.deep.equal({ blockNumber: block + 1, timestamp: now + 7200 });
      expect(await time.latest()).to.equal(now + 7200);
      expect(result.advancedBy).to.equal(7200);
      const iso = new Date((now + 7200) * 1000).toISOString().replace(".000Z", "Z");
      expect(output).to.match(new RegExp(`^Chain 31337 advanced by 2h: block ${block + 1} at ${iso} \\(${now + 7200}\\)\\n  was block ${block} at `));
    });

    it("prints the whole advance in every unit, the second past a deadline included", async function () {
      const { output } = await advance({ by: "2h15m1s" });
      expect(output).to.match(/^Chain 31337 advanced by 2h 15m 1s: block /);
    });

    it("--by takes days, minutes and seconds, and plain seconds", async function () {
      const now = await time.latest();
      await advance({ by: "1d1m5s" });
      expect(await time.latest()).to.equal(now + 86_400 + 65);
      await advance({ by: "30" });
      expect(await time.latest()).to.equal(now + 86_400 + 95);
    });

    it("--to mines a block at that time, given in unix seconds or as an ISO date", async function () {
      const target = (await time.latest()) + 1000;
      const { result } = await advance({ to: String(target) });
      expect(result.after.timestamp).to.equal(target);
      const iso = new Date((target + 60) * 1000).toISOString();
      await advance({ to: iso });
      expect(await time.latest()).to.equal(target + 60);
    });

    it("--json returns the blocks before and after in unix seconds", async function () {
      const now = await time.latest();
      const { output } = await advance({ by: "90m", json: true });
      const data = JSON.parse(output) as Advanced;
      expect(data.chainId).to.equal(31337);
      expect(data.before.timestamp).to.equal(now);
      expect(data.after.timestamp).to.equal(now + 5400);
    });

    it("on the in-process chain says it is empty on every command and names --network localhost", async function () {
      const { output } = await advance({ by: "1m" });
      expect(output).to.match(/\n  this is Hardhat's in-process chain, empty on every command: add --network localhost/);
    });

    it("takes --deployment as the other tasks do, checks it is the connected chain's and names it", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const now = await time.latest();
      const { output } = await advance({ by: "1h", deployment: file });
      expect(await time.latest()).to.equal(now + 3600);
      expect(output).to.contain(`\n  the chain of deployment ${file}\n`);
    });

    it("refuses a --deployment of another chain (another genesis block), and mines nothing", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const record = JSON.parse(fs.readFileSync(file, "utf8")) as { genesisHash: string };
      record.genesisHash = `0x${"22".repeat(32)}`;
      const other = tempFile("advance-another-genesis.json", JSON.stringify(record));
      const block = await hre.ethers.provider.getBlockNumber();
      await advanceFails({ by: "1h", deployment: other }, DeploymentError, /was written for another chain with id 31337 \(genesis 0x(22){32}, /);
      expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
    });

    it("runs on a chain with id 1337 (Ganache, anvil --chain-id 1337)", async function () {
      const now = await time.latest();
      await onChain(1337, () => advance({ by: "1h" }));
      expect(await time.latest()).to.equal(now + 3600);
    });

    it("refuses a chain that is not a development chain, naming its id, and mines nothing", async function () {
      const block = await hre.ethers.provider.getBlockNumber();
      await onChain(11155111, () =>
        advanceFails({ by: "2h" }, NotDevChainError, /^network "hardhat" is chain 11155111, not a development chain \(chain id 31337 or 1337\)/),
      );
      expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
    });

    it("on a node that refuses evm_mine with a time, fails naming the method and the node's message", async function () {
      const provider = hre.ethers.provider;
      const { send } = provider;
      provider.send = async (method: string, params?: unknown[]) => {
        if (method === "evm_mine") throw new Error("the method evm_mine does not exist/is not available");
        return send.call(provider, method, params);
      };
      try {
        await advanceFails({ by: "1h" }, TransactionError, /^evm_mine failed on network "hardhat" \(a node that cannot mine at a given time\?\): the method evm_mine does not exist/);
      } finally {
        provider.send = send;
      }
    });

    it("refuses --to at or before the latest block's time, naming it", async function () {
      const now = await time.latest();
      await advanceFails({ to: String(now) }, InputError, /^--to: .* is not after the latest block's time, .* \(block \d+\): a chain's clock only moves forward/);
    });

    it("takes --from as the other tasks do (npm start's printed prefix ends with it) and mines the block", async function () {
      const now = await time.latest();
      await advance({ by: "1h", from: "3" });
      expect(await time.latest()).to.equal(now + 3600);
    });

    it("refuses a --from that names no account of the network, and mines nothing", async function () {
      const block = await hre.ethers.provider.getBlockNumber();
      await advanceFails({ by: "1h", from: "99" }, InputError, /^--from: account index 99 does not exist: network "hardhat" has 20 accounts/);
      expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
    });

    it("refuses --by 0", async function () {
      await advanceFails({ by: "0" }, InputError, /^--by: must be more than 0 seconds/);
    });

    it("refuses a duration it cannot read", async function () {
      await advanceFails({ by: "2 weeks" }, InputError, /^--by: "2 weeks" is not a duration/);
    });

    it("refuses both --by and --to", async function () {
      await advanceFails({ by: "1h", to: "2030-01-01T00:00:00Z" }, InputError, /^--by \/ --to: give only one of these options/);
    });

    it("refuses neither --by nor --to", async function () {
      await advanceFails({}, InputError, /^--by \/ --to: give one: how far \(--by 2h\) or to when/);
    });

    it("refuses a time past 2^40 seconds", async function () {
      await advanceFails({ by: String(2 ** 40) }, InputError, /^--by: would date the block \d+, past 1099511627775/);
    });
  });
});
