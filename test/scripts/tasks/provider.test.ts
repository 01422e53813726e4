import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, formatUnits, parseEther } from "ethers";
import { Ruling, Tier, acceptJob, approveResult, claimTimeout, closeExpiredDispute, createJob, gpuModelId, openDispute, regionId, rule, submitResult } from "../../../scripts/scenario";
import { InputError, RevertError, StateError } from "../../../scripts/tasks/lib/errors";
import { formatDuration } from "../../../scripts/tasks/lib/format";
import type { ProviderView } from "../../../scripts/tasks/actions/provider";
import { RUNNING_JOBS_LISTED } from "../../../scripts/tasks/actions/provider";
import {
  ACCOUNT,
  literal,
  openJobFixture,
  task,
  taskFails,
  tasksBaseFixture,
  tasksProvidersFixture,
  withAndWithoutAccounts,
  withRefusedLogs,
} from "./helpers";

const REGISTER = {
  from: ACCOUNT.provider2,
  model: "a100-sxm-80gb",
  count: "4",
  region: "us-west",
  price: "1.25",
  metadataUri: "https://a100.example/worker.json",
};

/** The open H100 job, accepted by the H100 provider (no slash reward cap): its collateral is locked. */
async function acceptedJobFixture() {
  const b = await openJobFixture();
  await acceptJob(b.s, b.job, b.h100);
  return b;
}

/**
 * The H100 provider with RUNNING_JOBS_LISTED + 2 submitted jobs, none settled: submitted jobs free their GPUs, so their
 * number is not bounded by the provider's GPUs.
 */
async function manyRunningJobsFixture() {
  const b = await acceptedJobFixture();
  await submitResult(b.s, b.job, b.h100);
  const ids = [b.job.jobId];
  for (let i = 0; i < RUNNING_JOBS_LISTED + 1; i++) {
    const running = await createJob(b.s, b.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 1 });
    await acceptJob(b.s, running, b.h100);
    await submitResult(b.s, running, b.h100);
    ids.push(running.jobId);
  }
  return { ...b, ids };
}

/** The H100 provider's first job settled after half an hour's compute, its second timed out (a slash of its collateral). */
async function settledAndSlashedFixture() {
  const b = await acceptedJobFixture();
  await submitResult(b.s, b.job, b.h100, { after: 1_800 });
  const settledReceipt = await approveResult(b.s, b.job);
  const second = await createJob(b.s, b.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 1 });
  await acceptJob(b.s, second, b.h100);
  const timedOutReceipt = await claimTimeout(b.s, second);
  const parse = (receipt: typeof settledReceipt, name: string) => {
    for (const log of receipt.logs) {
      for (const contract of [b.c.jobEscrow, b.c.staking] as const) {
        const parsed = contract.interface.parseLog(log);
        if (parsed?.name === name) return parsed.args;
      }
    }
    throw new Error(`no ${name} log`);
  };
  return { ...b, settled: parse(settledReceipt, "JobSettled"), slashed: parse(timedOutReceipt, "Slashed") };
}

/** Five H100 jobs submitted and disputed: ruled rejected, upheld and a draw, one closed unruled, and one awaiting a ruling. */
async function disputedJobsFixture() {
  const b = await tasksProvidersFixture();
  const disputed = async () => {
    const job = await createJob(b.s, b.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 1 });
    await acceptJob(b.s, job, b.h100);
    await submitResult(b.s, job, b.h100, { after: 1_800 });
    await openDispute(b.s, job);
    return job;
  };
  const [rejected, upheld, draw, expired] = [await disputed(), await disputed(), await disputed(), await disputed()] as const;
  await rule(b.s, rejected, Ruling.Rejected);
  await rule(b.s, upheld, Ruling.Upheld);
  await rule(b.s, draw, Ruling.Draw);
  await closeExpiredDispute(b.s, expired);
  // Opened after the others' dispute period has passed: still within its own.
  const open = await disputed();
  return { ...b, jobs: { rejected, upheld, draw, expired, open } };
}

/** The H100 provider caps its slash rewards at 2,500 bps, then accepts an H100 job. */
async function cappedAcceptedJobFixture() {
  const b = await tasksProvidersFixture();
  await b.c.staking.connect(b.h100.signer).setMaxSlashRewardBps(2_500);
  const job = await createJob(b.s, b.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 1 });
  await acceptJob(b.s, job, b.h100);
  return { ...b, job };
}


/** Runs `run`, counting the JobEscrow.getJob calls it makes through the node. */
async function countingGetJob<T>(run: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const selector = (await ethers.getContractAt("JobEscrow", ZeroAddress)).interface.getFunction("getJob")!.selector;
  const provider = hre.network.provider as typeof hre.network.provider & { send: (method: string, params?: unknown[]) => Promise<unknown> };
  const send = provider.send;
  let calls = 0;
  provider.send = async (method: string, params?: unknown[]) => {
    if (method === "eth_call" && String((params?.[0] as { data?: string; input?: string })?.data ?? (params?.[0] as { input?: string })?.input).startsWith(selector)) calls += 1;
    return send.call(provider, method, params);
  };
  try {
    return { value: await run(), calls };
  } finally {
    provider.send = send;
  }
}

/** The providers fixture with the address of h100's operator (account 12). */
async function operatorFixture() {
  const f = await loadFixture(tasksProvidersFixture);
  const { operator } = await f.c.registry.getProvider(f.h100.address);
  return { ...f, operator };
}

describe("tasks: provider", function () {
  describe("register", function () {
    it("lists the machine, filling name, VRAM and tier from the catalog", async function () {
      const { file, c, providers } = await loadFixture(tasksBaseFixture);
      const provider = providers[2]!.address;
      const { result, output } = await task(file, "provider register", { ...REGISTER, operator: ACCOUNT.operator0 });
      const record = await c.registry.getProvider(provider);
      expect(record.registered).to.equal(true);
      expect(record.gpuModel).to.equal(gpuModelId("a100-sxm-80gb"));
      expect(record.region).to.equal(regionId("us-west"));
      expect(record.vramGiB).to.equal(80n);
      expect(record.gpuCount).to.equal(4n);
      expect(record.tier).to.equal(BigInt(Tier.Enterprise));
      expect(record.pricePerGpuHour).to.equal(parseEther("1.25"));
      expect(record.operator).to.equal((result as { operator: string }).operator);
      expect(record.online).to.equal(false);
      expect(output).to.match(/Registered provider .*4 x a100-sxm-80gb \(NVIDIA A100 SXM4 80GB, 80 GiB\)/);
      expect(output).to.match(/stake at least 400\.0 LAT/);
    });

    it("with --operator, says to cap the slash reward at 0 before the worker takes a job, with the command", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { output } = await task(file, "provider register", { ...REGISTER, operator: ACCOUNT.operator0 });
      const lines = output.split("\n");
      const cap = lines.findIndex((l) => l.startsWith("Before its worker takes a job, cap the slash reward at 0 (now no cap (10000 bps))"));
      expect(cap, output).to.be.greaterThan(0);
      expect(lines[cap]).to.match(new RegExp(`: npx hardhat provider slash-reward-cap --bps 0 --network hardhat --deployment ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} --from ${ACCOUNT.provider2}$`));
      expect(lines[cap + 1]).to.match(/^Then configure and start its worker \(scripts\/worker\/README\.md\), which goes online at start \(provider\.onlineAtStart\): not before, .*; by hand: npx hardhat provider online /);
    });

    it("without --operator, says to go online, as no worker will do it", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { output } = await task(file, "provider register", REGISTER);
      expect(output.split("\n")).to.include(`Then go online: npx hardhat provider online --network hardhat --deployment ${file} --from ${ACCOUNT.provider2}`);
    });

    it("without --operator, says nothing of the slash reward cap", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      const { output } = await task(file, "provider register", REGISTER);
      expect(output).to.not.contain("slash-reward-cap");
    });

    it("in a region no other provider lists, says so, naming the regions listed and the update that mends a typo", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const { output } = await task(file, "provider register", REGISTER);
      expect(output).to.match(
        /\nRegion "us-west" is new: no other provider lists it \(the regions listed: eu-west, us-east\), so a client asking for one of those will not find this machine; if "us-west" is a typo: npx hardhat provider update --region <region> --network hardhat --deployment \S+ --from 8(\n|$)/,
      );
    });

    it("in a region another provider lists, says nothing of it", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const { output } = await task(file, "provider register", { ...REGISTER, region: "eu-west" });
      expect(output).to.not.contain("is new");
    });

    it("--help marks the options register cannot do without as required (Hardhat shows every one as optional)", function () {
      const params = hre.scopes.provider!.tasks.register!.paramDefinitions;
      const required = Object.keys(params).filter((name) => params[name]!.description?.endsWith("(required)"));
      expect(required.sort()).to.deep.equal(["count", "metadataUri", "model", "price", "region"]);
    });

    it("requires --metadata-uri, as its help says", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "provider register", { ...REGISTER, metadataUri: undefined }, InputError, /^--metadata-uri: required$/);
    });

    it("requires --name for a model the catalog does not know", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "provider register", { ...REGISTER, model: "b200-192gb", vram: "192", tier: "enterprise" }, InputError, /^--name: required/);
    });

    it("refuses a model id the contracts would refuse, suggesting the lowercase form", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "provider register", { ...REGISTER, model: "A100-SXM-80GB" }, InputError, /^--model: .*"a100-sxm-80gb"\?/);
    });

    it("refuses a price that is not a decimal LAT amount", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "provider register", { ...REGISTER, price: "1,25" }, InputError, /^--price: "1,25" is not a LAT amount/);
    });

    it("refuses more GPUs than maxGpusPerProvider", async function () {
      const { file } = await loadFixture(tasksBaseFixture);
      await taskFails(file, "provider register", { ...REGISTER, count: "65" }, InputError, /^--count: 65 is outside \[1, 64\]/);
    });

    it("decodes the revert of a second registration and points to provider update, with the signer's --from", async function () {
      const { file, h100 } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "provider register",
        { ...REGISTER, from: ACCOUNT.h100 },
        RevertError,
        new RegExp(
          `ProviderRegistry.register reverted: ProviderRegistryAlreadyRegistered\\(provider=${h100.address}\\): ${h100.address} is already a provider: ` +
            `change its listing with npx hardhat provider update --network hardhat --deployment \\S+ --from ${ACCOUNT.h100} and the options to change \\(the others keep their value\\)$`,
        ),
      );
    });
  });

  describe("update, price, operator", function () {
    it("update changes the given fields and keeps the rest, display name and URI included", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider update", { from: ACCOUNT.h100, count: "4" });
      const record = await c.registry.getProvider(h100.address);
      expect(record.gpuCount).to.equal(4n);
      expect(record.pricePerGpuHour).to.equal(h100.listing.pricePerGpuHour);
      const [event] = await c.registry.queryFilter(c.registry.filters.ProviderUpdated(h100.address));
      expect(event!.args.gpuModelName).to.equal(h100.listing.gpuModel.name);
      expect(event!.args.metadataURI).to.equal(h100.listing.metadataURI);
    });

    it("update to a region no other provider lists says so, naming the regions listed", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const { output } = await task(file, "provider update", { from: ACCOUNT.h100, region: "eu-wset" });
      expect(output).to.match(/\nRegion "eu-wset" is new: no other provider lists it \(the regions listed: us-east\)/);
    });

    it("update keeps the display name and URI on a node that limits eth_getLogs to a few blocks", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      await mine(20);
      const { refused } = await withRefusedLogs(({ blocks }) => blocks > 8, () => task(file, "provider update", { from: ACCOUNT.h100, count: "4" }));
      expect(refused).to.be.greaterThan(0);
      const [event] = await c.registry.queryFilter(c.registry.filters.ProviderUpdated(h100.address));
      expect([event!.args.gpuCount, event!.args.gpuModelName, event!.args.metadataURI]).to.deep.equal([4n, h100.listing.gpuModel.name, h100.listing.metadataURI]);
    });

    it("update with no listing option is refused before signing, naming the options", async function () {
      const { file, h100 } = await loadFixture(tasksProvidersFixture);
      const nonce = await ethers.provider.getTransactionCount(h100.address);
      await taskFails(
        file,
        "provider update",
        { from: ACCOUNT.h100 },
        InputError,
        /^--model \/ --name \/ --vram \/ --count \/ --region \/ --tier \/ --price \/ --metadata-uri: give the ones to change \(those not given keep their value\)$/,
      );
      expect(await ethers.provider.getTransactionCount(h100.address)).to.equal(nonce);
    });

    it("update to the listing it already has sends nothing and says so", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      const nonce = await ethers.provider.getTransactionCount(h100.address);
      const count = (await c.registry.getProvider(h100.address)).gpuCount.toString();
      const { result, output } = await task<{ transaction: string | null }>(file, "provider update", { from: ACCOUNT.h100, count, region: "eu-west" });
      expect(result.transaction).to.equal(null);
      expect(output).to.match(new RegExp(`^Provider ${h100.address} already lists ${count} x h100-sxm-80gb .*: nothing sent$`));
      expect(await ethers.provider.getTransactionCount(h100.address)).to.equal(nonce);
      expect(await c.registry.queryFilter(c.registry.filters.ProviderUpdated(h100.address))).to.have.length(0);
    });

    it("update below the GPUs its accepted jobs hold reverts with ProviderRegistryGpuCountBelowInUse, saying how low it can go now and until when", async function () {
      const { s, file, clients, h100 } = await loadFixture(tasksProvidersFixture);
      const job = await createJob(s, clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 2 });
      await acceptJob(s, job, h100);
      await taskFails(
        file,
        "provider update",
        { from: ACCOUNT.h100, count: "1" },
        RevertError,
        new RegExp(
          `^ProviderRegistry\\.update reverted: ProviderRegistryGpuCountBelowInUse\\(gpuCount=1, gpusInUse=2\\): jobs it accepted hold 2 of its GPUs until they end: --count 2 or more now, lower once they have ended ` +
            `\\(provider offline keeps new jobs from taking more meanwhile; npx hardhat provider show --provider ${h100.address} --network hardhat --deployment \\S+ lists its running jobs\\)$`,
        ),
      );
    });

    it("register of a model outside the catalog without its name, VRAM and tier names the options it needs and the catalog's models", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "provider register",
        { ...REGISTER, from: ACCOUNT.provider2, model: "h100-sxm-80g" },
        InputError,
        /^--name: required: "h100-sxm-80g" is not in the catalog \(scripts\/scenario\/catalog\.ts\), so it cannot be filled in: give --name, --vram and --tier for a model outside it, or --model one of ([a-z0-9-]+, )*h100-sxm-80gb(, [a-z0-9-]+)*$/,
      );
    });

    it("update refuses an account that is not registered", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "provider update", { from: ACCOUNT.provider2, count: "4" }, StateError, /^0x[0-9a-fA-F]{40} is not a registered provider \(only the provider's own account may change its listing\)$/);
    });

    it("update, price and operator refuse an operator's key, ending with the command signed by the provider it operates", async function () {
      const { file, operators, h100 } = await loadFixture(tasksProvidersFixture);
      const refusal = (command: string) =>
        new RegExp(
          `^${operators[0]!.address} is not a registered provider: the signer is the operator of ${h100.address}: only the provider's own account may change its listing: ` +
            `${literal(`npx hardhat ${command} --network hardhat --deployment ${file} --from ${ACCOUNT.h100}`)}$`,
        );
      await taskFails(file, "provider update", { from: ACCOUNT.operator0, count: "4" }, StateError, refusal("provider update --count 4"));
      await taskFails(file, "provider price", { from: ACCOUNT.operator0, price: "1" }, StateError, refusal("provider price --price 1"));
      await taskFails(file, "provider operator", { from: ACCOUNT.operator0, operator: "none" }, StateError, refusal("provider operator --operator none"));
    });

    it("price sets the price per GPU-hour", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider price", { from: ACCOUNT.rtx, price: "0.33" });
      expect((await c.registry.getProvider(rtx.address)).pricePerGpuHour).to.equal(parseEther("0.33"));
    });

    it("price already at the value asked for sends nothing and says so", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      const nonce = await ethers.provider.getTransactionCount(rtx.address);
      const current = formatUnits((await c.registry.getProvider(rtx.address)).pricePerGpuHour, 18);
      const { result, output } = await task<{ transaction: string | null }>(file, "provider price", { from: ACCOUNT.rtx, price: current });
      expect(result.transaction).to.equal(null);
      expect(output).to.match(new RegExp(`^Price of ${rtx.address} is already ${current.replace(".", "\\.")} LAT \\(\\d+ wei\\) per GPU-hour: nothing sent$`));
      expect(await ethers.provider.getTransactionCount(rtx.address)).to.equal(nonce);
    });

    it("operator already the one asked for sends nothing and says so", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      const { operator } = await c.registry.getProvider(h100.address);
      const nonce = await ethers.provider.getTransactionCount(h100.address);
      const { result, output } = await task<{ transaction: string | null }>(file, "provider operator", { from: ACCOUNT.h100, operator });
      expect(result.transaction).to.equal(null);
      expect(output.split("\n")[0]).to.equal(`Operator of ${h100.address} is already ${operator}: nothing sent`);
      expect(await ethers.provider.getTransactionCount(h100.address)).to.equal(nonce);
    });

    it("slash-reward-cap given as a percentage is refused, saying it in basis points", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "provider slash-reward-cap", { from: ACCOUNT.rtx, bps: "50%" }, InputError, /^--bps: "50%": give basis points \(hundredths of a percent\), without %: 50% is 5000$/);
    });

    it("operator names the slash-reward-cap step while the cap is above 0, and not once it is 0", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      const first = await task(file, "provider operator", { from: ACCOUNT.rtx, operator: ACCOUNT.operator0 });
      expect(first.output).to.match(/\nBefore its worker takes a job, cap the slash reward at 0 .*: npx hardhat provider slash-reward-cap --bps 0 /);
      await task(file, "provider slash-reward-cap", { from: ACCOUNT.rtx, bps: "0" });
      expect(await c.staking.maxSlashRewardBps(rtx.address)).to.equal(0);
      const again = await task(file, "provider operator", { from: ACCOUNT.rtx, operator: ACCOUNT.operator0 });
      expect(again.output).to.not.contain("slash-reward-cap");
    });

    it("operator none removes the operator", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider operator", { from: ACCOUNT.h100, operator: "none" });
      expect((await c.registry.getProvider(h100.address)).operator).to.equal(ZeroAddress);
    });
  });

  describe("slash-reward-cap", function () {
    it("sets the signer's cap in Staking and says its operator can take none of a slash at 0", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      const { output } = await task(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "0" });
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(0);
      expect(output).to.contain(`Slash reward cap of ${h100.address}: no cap (10000 bps) -> 0 bps`);
    });

    it("a cap already at the value asked for sends nothing and says so", async function () {
      const { file, h100 } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "0" });
      const block = await ethers.provider.getBlockNumber();
      const { result, output } = await task(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "0" });
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(output).to.equal(`Slash reward cap of ${h100.address} is already 0 bps: nothing sent`);
      expect(result).to.include({ maxSlashRewardBps: 0, transaction: null });
    });

    it("warns a provider with an operator that a cap above 0 leaves the operator part of a slash", async function () {
      const { file, h100, operators } = await loadFixture(tasksProvidersFixture);
      const { output } = await task(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "2500" });
      expect(output).to.contain(`its operator ${operators[0]!.address} can take up to 2500 bps of a slash`);
    });

    it("refuses the operator's account, which would set a cap of its own and leave its provider's open", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "provider slash-reward-cap",
        { from: ACCOUNT.operator0, bps: "0" },
        StateError,
        new RegExp(
          `^0x[0-9a-fA-F]{40} is not a registered provider: the signer is the operator of ${h100.address}: only the provider's own account sets its slash reward cap: ` +
            `${literal(`npx hardhat provider slash-reward-cap --bps 0 --network hardhat --deployment ${file} --from ${ACCOUNT.h100}`)}$`,
        ),
      );
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(10_000);
    });

    it("refuses more than 10000 bps before signing", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "10001" }, InputError, /^--bps: 10001 is outside \[0, 10000\]/);
    });

    it("refuses, before signing, to lower the cap while the provider has collateral locked, naming the lock and the way out", async function () {
      const { file, c, h100 } = await loadFixture(acceptedJobFixture);
      const [, locked] = await c.staking.getStake(h100.address);
      expect(locked).to.be.above(0n);
      const block = await ethers.provider.getBlockNumber();
      await taskFails(
        file,
        "provider slash-reward-cap",
        { from: ACCOUNT.h100, bps: "0" },
        StateError,
        new RegExp(
          `^${h100.address} has ${formatUnits(locked).replace(".", "\\.")} LAT \\(${locked} wei\\) locked as collateral of jobs it accepted, .*` +
            `slash reward cap of no cap \\(10000 bps\\): it cannot be lowered to 0 bps until none is locked \\(raising it is allowed\\)\\. ` +
            `Stop taking jobs \\(npx hardhat provider offline .*--from ${ACCOUNT.h100}\\), let the running ones end`,
        ),
      );
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(10_000);
    });

    it("raises the cap while the provider has collateral locked, for its running jobs too", async function () {
      const { file, c, h100 } = await loadFixture(cappedAcceptedJobFixture);
      const { output } = await task(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "5000" });
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(5_000);
      expect(output).to.contain(`Slash reward cap of ${h100.address}: 2500 bps -> 5000 bps (jobs already running included)`);
    });

    it("lowers the cap once nothing is locked, for the jobs accepted from then on", async function () {
      const { file, s: scenario, c, h100, job } = await loadFixture(cappedAcceptedJobFixture);
      await submitResult(scenario, job, h100);
      await approveResult(scenario, job);
      const { output } = await task(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "0" });
      expect(await c.staking.maxSlashRewardBps(h100.address)).to.equal(0);
      expect(output).to.contain(`Slash reward cap of ${h100.address}: 2500 bps -> 0 bps (jobs accepted from now on)`);
    });

    it("show reports the cap", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider slash-reward-cap", { from: ACCOUNT.h100, bps: "1500" });
      const { result } = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100, json: true });
      expect(result.maxSlashRewardBps).to.equal(1500);
    });
  });

  describe("online, offline", function () {
    it("the operator takes its provider offline with --provider", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider offline", { from: ACCOUNT.operator0, provider: h100.address });
      expect((await c.registry.getProvider(h100.address)).online).to.equal(false);
    });

    it("offline on a provider already offline sends nothing and says so", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider offline", { from: ACCOUNT.rtx });
      const block = await ethers.provider.getBlockNumber();
      const { result, output } = await task(file, "provider offline", { from: ACCOUNT.rtx });
      expect(await ethers.provider.getBlockNumber()).to.equal(block);
      expect((await c.registry.getProvider(rtx.address)).online).to.equal(false);
      expect(output).to.equal(`Provider ${rtx.address} is already offline: nothing sent`);
      expect(result).to.include({ online: false, transaction: null });
    });

    it("online by an account that is neither the provider nor its operator still reverts, even where nothing would change", async function () {
      const { file, h100 } = await loadFixture(tasksProvidersFixture);
      await taskFails(file, "provider online", { from: ACCOUNT.client0, provider: h100.address }, RevertError, /ProviderRegistryUnauthorized/);
    });

    it("the owner takes its own provider offline and online again, without --provider", async function () {
      const { file, c, h100 } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider offline", { from: ACCOUNT.h100 });
      expect((await c.registry.getProvider(h100.address)).online).to.equal(false);
      await task(file, "provider online", { from: ACCOUNT.h100 });
      expect((await c.registry.getProvider(h100.address)).online).to.equal(true);
    });

    it("an operator without --provider is told to name it, and which provider it operates", async function () {
      const { file, h100, operator } = await operatorFixture();
      await taskFails(
        file,
        "provider offline",
        { from: ACCOUNT.operator0 },
        InputError,
        new RegExp(`^--provider: not given, and the signer ${operator} is not a registered provider: the signer is the operator of ${h100.address}: give --provider ${h100.address}$`),
      );
    });

    it("a --provider that is not registered is refused before signing, naming the provider the signer operates", async function () {
      const { file, h100, operator } = await operatorFixture();
      const client = (await ethers.getSigners())[Number(ACCOUNT.client0)]!.address;
      const nonce = await ethers.provider.getTransactionCount(operator);
      await taskFails(
        file,
        "provider online",
        { from: ACCOUNT.operator0, provider: ACCOUNT.client0 },
        InputError,
        new RegExp(`^--provider: ${client} is not a registered provider: the signer is the operator of ${h100.address}: give --provider ${h100.address}$`),
      );
      expect(await ethers.provider.getTransactionCount(operator)).to.equal(nonce);
    });

    it("an account that is neither a provider nor an operator, without --provider, is told it is neither and who signs instead", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "provider offline",
        { from: ACCOUNT.client0 },
        InputError,
        new RegExp(
          "^--provider: not given, and the signer 0x[0-9a-fA-F]{40} is not a registered provider, nor the operator of one: " +
            literal(
              `sign as a provider, npx hardhat provider offline --network hardhat --deployment ${file} --from <provider account>, ` +
                `or as a provider's operator naming it, npx hardhat provider offline --provider <provider> --network hardhat --deployment ${file} --from <operator account>`,
            ) +
            "$",
        ),
      );
    });

    it("a provider that also operates another, naming an unregistered --provider, is told to drop --provider or name the one it operates", async function () {
      const { file, h100, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider operator", { from: ACCOUNT.h100, operator: ACCOUNT.rtx });
      const client = (await ethers.getSigners())[Number(ACCOUNT.client0)]!.address;
      await taskFails(
        file,
        "provider offline",
        { from: ACCOUNT.rtx, provider: ACCOUNT.client0 },
        InputError,
        new RegExp(`^--provider: ${client} is not a registered provider, and the signer ${rtx.address} is a provider itself: drop --provider to act for it, or name a provider it operates \\(${h100.address}\\): give --provider ${h100.address}$`),
      );
    });

    it("an account that is not a provider without an operator is refused, naming the provider as the one account that may", async function () {
      const { file, h100, rtx } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "provider offline",
        { from: ACCOUNT.h100, provider: ACCOUNT.rtx },
        RevertError,
        new RegExp(
          `ProviderRegistryUnauthorized\\(caller=${h100.address}, provider=${rtx.address}\\): only the provider ${rtx.address} itself acts for it \\(it has no operator\\): ` +
            `${literal(`npx hardhat provider offline --provider ${ACCOUNT.rtx} --network hardhat --deployment ${file} --from ${ACCOUNT.rtx}`)}$`,
        ),
      );
    });

    it("another provider's account is refused with the registry's error, naming who may act", async function () {
      const { file, h100, rtx } = await loadFixture(tasksProvidersFixture);
      await taskFails(
        file,
        "provider offline",
        { from: ACCOUNT.rtx, provider: ACCOUNT.h100 },
        RevertError,
        new RegExp(`ProviderRegistryUnauthorized\\(caller=${rtx.address}, provider=${h100.address}\\): only the provider ${h100.address} or its operator 0x[0-9a-fA-F]{40} acts for it`),
      );
    });
  });

  describe("deregister, show", function () {
    it("deregister with a job still running names the job, what ends it and the job status command", async function () {
      const { file, job } = await loadFixture(acceptedJobFixture);
      await taskFails(
        file,
        "provider deregister",
        { from: ACCOUNT.h100 },
        RevertError,
        new RegExp(
          `^ProviderRegistry\\.deregister reverted: ProviderRegistryWorkInProgress\\(.*\\): job ${job.jobId} \\(Accepted\\) must end first: ` +
            `an accepted job once submitted and settled .* npx hardhat job status --job ${job.jobId} --network hardhat --deployment .* says when$`,
        ),
      );
    });

    it("deregister with a submitted job and a settled one names only the submitted one", async function () {
      const { s, file, job, h100, clients } = await loadFixture(acceptedJobFixture);
      await submitResult(s, job, h100);
      await approveResult(s, job);
      const second = await createJob(s, clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 1 });
      await acceptJob(s, second, h100);
      await submitResult(s, second, h100);
      const error = await taskFails(file, "provider deregister", { from: ACCOUNT.h100 }, RevertError, /ProviderRegistryWorkInProgress/);
      expect(error.message).to.match(new RegExp(`\\): job ${second.jobId} \\(Submitted\\) must end first: `));
      expect(error.message).to.not.match(new RegExp(`job ${job.jobId} \\(`));
    });

    it("deregister refused reads no job that has ended, however many the provider ran", async function () {
      const { s, file, job, h100, clients } = await loadFixture(acceptedJobFixture);
      for (let i = 0; i < 4; i++) {
        const ended = await createJob(s, clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 1 });
        await acceptJob(s, ended, h100);
        await submitResult(s, ended, h100);
        await approveResult(s, ended);
      }
      const { value: error, calls } = await countingGetJob(() => taskFails(file, "provider deregister", { from: ACCOUNT.h100 }, RevertError, /ProviderRegistryWorkInProgress/));
      expect(error.message).to.match(new RegExp(`\\): job ${job.jobId} \\(Accepted\\) must end first: `));
      expect(calls).to.equal(1);
    });

    it(`deregister refused names its first ${RUNNING_JOBS_LISTED} running jobs and how many more there are`, async function () {
      const { file, ids } = await loadFixture(manyRunningJobsFixture);
      const { value: error, calls } = await countingGetJob(() => taskFails(file, "provider deregister", { from: ACCOUNT.h100 }, RevertError, /ProviderRegistryWorkInProgress/));
      const named = ids.slice(0, RUNNING_JOBS_LISTED).map((id) => `job ${id} \\(Submitted\\)`).join(", ");
      expect(error.message).to.match(new RegExp(`\\): ${named}, and 2 more must end first: `));
      expect(calls).to.equal(RUNNING_JOBS_LISTED);
    });

    it("deregister removes the provider and says its stake is untouched", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      const { output } = await task(file, "provider deregister", { from: ACCOUNT.rtx });
      expect((await c.registry.getProvider(rtx.address)).registered).to.equal(false);
      expect(output).to.match(/its stake \(2000\.0 LAT .*\) is untouched/);
    });

    it("deregister after thawing all the stake says to withdraw it and when, not to thaw it again", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider offline", { from: ACCOUNT.rtx });
      await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "all" });
      const [, next] = await c.staking.thawRequestRange(rtx.address);
      const maturesAt = (await c.staking.getThawRequest(rtx.address, next - 1n)).maturesAt;
      const { output } = await task(file, "provider deregister", { from: ACCOUNT.rtx });
      expect(output).to.not.match(/stake thaw/);
      expect(output).to.match(
        new RegExp(`its stake \\(2000\\.0 LAT .*\\) is all thawing, withdrawable in full from ${new Date(Number(maturesAt) * 1000).toISOString().replace(".000Z", "Z")} .*: .*npx hardhat stake withdraw\\b`),
      );
    });

    it("deregister after thawing part of the stake says how much is not thawing yet", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "500" });
      const { output } = await task(file, "provider deregister", { from: ACCOUNT.rtx });
      expect(output).to.match(/its stake \(2000\.0 LAT .*\) is untouched; 500\.0 LAT .* of it already thawing, 1500\.0 LAT .* not: .*stake thaw --amount all/);
    });

    it("show says when each thawing request can be withdrawn, as a date and the time left", async function () {
      const { file, c, rtx } = await loadFixture(tasksProvidersFixture);
      await task(file, "stake thaw", { from: ACCOUNT.rtx, amount: "500" });
      const maturesAt = Number((await c.staking.getThawRequest(rtx.address, 0n)).maturesAt);
      const left = maturesAt - (await time.latest());
      const iso = new Date(maturesAt * 1000).toISOString().replace(".000Z", "Z");
      const { output } = await task(file, "provider show", { provider: ACCOUNT.rtx });
      expect(output).to.contain(`\n    thaw #0  500.0 LAT (500000000000000000000 wei)  withdrawable from ${iso} (in ${formatDuration(left)})\n`);
      const { result } = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.rtx, json: true });
      expect(result.thawRequests.map((r) => [r.amount, r.maturesAt, r.matured])).to.deep.equal([[parseEther("500"), maturesAt, false]]);
    });

    it("show gives specs, capacity, stake and stats as JSON", async function () {
      const { file, h100 } = await loadFixture(tasksProvidersFixture);
      const { result, output } = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100, json: true });
      expect(result.active).to.equal(true);
      expect(result.gpuModel).to.equal("h100-sxm-80gb");
      expect(result.gpuModelName).to.equal(h100.listing.gpuModel.name);
      expect(result.capacity).to.deep.equal({ gpuCount: 8, gpusInUse: 0, freeGpus: 8 });
      expect(result.stake.staked).to.equal(parseEther("10000"));
      expect(result.stake.required).to.equal(parseEther("800"));
      const json = JSON.parse(output) as { stake: { staked: string } };
      expect(json.stake.staked).to.equal(parseEther("10000").toString());
    });

    it("show's text says its completed count is the jobs counted toward the track record", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      const { output } = await task(file, "provider show", { provider: ACCOUNT.h100 });
      expect(output).to.contain("  jobs: 0 completed (counted toward track record), 0 timed out, 0 disputes lost");
    });

    it("show sums the provider's settled-job payouts, fees and slashes from the logs since deployment, in LAT", async function () {
      const { file, s, settled, slashed } = await loadFixture(settledAndSlashedFixture);
      const { output, result } = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100 });
      const lat = (wei: bigint) => `${formatUnits(wei, 18)} LAT (${wei} wei)`;
      expect(settled.providerAmount).to.be.greaterThan(0n);
      expect(slashed.amount).to.be.greaterThan(0n);
      expect(result.earnings).to.include({ jobsSettled: 1, earned: settled.providerAmount, feesPaid: settled.fee, slashes: 1, slashed: slashed.amount });
      const head = await ethers.provider.getBlockNumber();
      const { JobEscrow, Staking, DisputeManager } = s.deployment.record.contracts;
      expect(output).to.contain(
        `\n  earnings (from the logs since deployment: JobEscrow blocks ${JobEscrow.blockNumber}-${head}, Staking blocks ${Staking.blockNumber}-${head}, ` +
          `DisputeManager blocks ${DisputeManager.blockNumber}-${head}):\n`,
      );
      expect(output).to.match(new RegExp(`\\n    earned +${lat(settled.providerAmount).replace(/[()]/g, "\\$&")} from 1 settled job \\(cost minus fee\\)\\n`));
      expect(output).to.match(new RegExp(`\\n    fees paid +${lat(settled.fee).replace(/[()]/g, "\\$&")}\\n`));
      expect(output).to.match(new RegExp(`\\n    slashed +${lat(slashed.amount).replace(/[()]/g, "\\$&")} in 1 slash, ${lat(slashed.reward).replace(/[()]/g, "\\$&")} of it to clients`));
      // The other provider's record is its own: none of the H100 provider's settlements or slashes.
      const other = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.rtx });
      expect(other.result.earnings).to.include({ jobsSettled: 0, earned: 0n, slashes: 0, slashed: 0n });
    });

    it("show reads its listing, settlements and slashes from a node that limits eth_getLogs to a few blocks, as from one that does not", async function () {
      const { file } = await loadFixture(settledAndSlashedFixture);
      await mine(20);
      const whole = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100 });
      const { value: capped, refused } = await withRefusedLogs(({ blocks }) => blocks > 8, () => task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100 }));
      expect(refused).to.be.greaterThan(0);
      expect(capped.result.gpuModelName).to.not.equal(null);
      expect(capped.result).to.deep.equal(whole.result);
      expect(capped.output).to.equal(whole.output);
    });

    it("show counts the disputes of its results by ruling, and the clients' deposits it won (rejected) and lost (the rest)", async function () {
      const { file, c, jobs } = await loadFixture(disputedJobsFixture);
      const deposit = async (job: { jobId: bigint }) => (await c.disputeManager.getDispute(job.jobId)).deposit;
      const won = await deposit(jobs.rejected);
      const lost = (await deposit(jobs.upheld)) + (await deposit(jobs.draw)) + (await deposit(jobs.expired));
      expect(won).to.be.greaterThan(0n);
      const { result, output } = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100 });
      expect(result.earnings.disputes).to.deep.equal({ opened: 5, awaitingRuling: 1, upheld: 1, rejected: 1, drawnOrExpired: 2, depositsWon: won, depositsLost: lost });
      const lat = (wei: bigint) => `${formatUnits(wei, 18)} LAT \\(${wei} wei\\)`;
      expect(output).to.match(/\n    disputes +5 disputes of its results: 1 upheld, 1 rejected, 2 drawn or expired, 1 awaiting a ruling\n/);
      expect(output).to.match(new RegExp(`\\n    deposits won +${lat(won)} \\(the clients' dispute deposits of the 1 dispute ruled rejected, paid to the provider\\)\\n`));
      expect(output).to.match(new RegExp(`\\n    deposits lost +${lat(lost)} \\(the clients' dispute deposits of the 3 disputes upheld, drawn or expired, returned to them\\)`));
      const other = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.rtx });
      expect(other.result.earnings.disputes).to.deep.equal({ opened: 0, awaitingRuling: 0, upheld: 0, rejected: 0, drawnOrExpired: 0, depositsWon: 0n, depositsLost: 0n });
      const { value: capped, refused } = await withRefusedLogs(({ blocks }) => blocks > 8, () => task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100 }));
      expect(refused).to.be.greaterThan(0);
      expect(capped.result.earnings.disputes).to.deep.equal(result.earnings.disputes);
    });

    it("show lists the jobs it is running, with their status, GPUs and locked collateral", async function () {
      const { file, c, job } = await loadFixture(acceptedJobFixture);
      const [, collateral] = await c.staking.jobCollateral(job.jobId);
      expect(collateral).to.be.greaterThan(0n);
      const { result, output } = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100 });
      expect(result.runningJobs).to.deep.equal([{ jobId: job.jobId, status: "Accepted", gpuCount: 1, collateral }]);
      expect(output).to.match(new RegExp(`\\n  running jobs: job ${job.jobId} \\(Accepted, 1 GPU, ${formatUnits(collateral, 18)} LAT \\(${collateral} wei\\) collateral\\)\\n`));
    });

    it(`show lists its first ${RUNNING_JOBS_LISTED} running jobs, reading only those, and counts the rest`, async function () {
      const { file, ids } = await loadFixture(manyRunningJobsFixture);
      const { value, calls } = await countingGetJob(() => task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100 }));
      expect(calls).to.equal(RUNNING_JOBS_LISTED);
      expect(value.result.runningJobs.map((j) => j.jobId)).to.deep.equal(ids.slice(0, RUNNING_JOBS_LISTED));
      expect(value.result.runningJobsTotal).to.equal(RUNNING_JOBS_LISTED + 2);
      expect(value.output).to.match(new RegExp(`\\n  running jobs: job ${ids[0]} \\(Submitted, [^\\n]*job ${ids[RUNNING_JOBS_LISTED - 1]} \\(Submitted, [^\\n]*\\), and 2 more\\n`));
      expect(value.output).to.not.contain(`job ${ids[RUNNING_JOBS_LISTED]} (`);
    });

    it("show lists a disputed job as running, and none of the jobs that settled, timed out or were refunded", async function () {
      const { file, c, jobs } = await loadFixture(disputedJobsFixture);
      const { result } = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.h100 });
      const [, collateral] = await c.staking.jobCollateral(jobs.open.jobId);
      expect(result.runningJobs).to.deep.equal([{ jobId: jobs.open.jobId, status: "Disputed", gpuCount: 1, collateral }]);
      const ended = await loadFixture(settledAndSlashedFixture);
      const { output } = await task<ProviderView>(ended.file, "provider show", { provider: ACCOUNT.h100 });
      expect(output).to.contain("\n  running jobs: none\n");
    });

    it("show runs with no account configured (a public RPC with no key), printing what it prints with one", async function () {
      const { file, h100 } = await loadFixture(tasksProvidersFixture);
      const { withAccounts, without } = await withAndWithoutAccounts<ProviderView>(file, "provider show", { provider: h100.address });
      expect(without.result).to.deep.equal(withAccounts.result);
      expect(without.output).to.equal(withAccounts.output).and.to.match(new RegExp(`^Provider ${h100.address}\\n  status +active, online\\n`));
    });

    it("show explains why a provider is inactive", async function () {
      const { file } = await loadFixture(tasksProvidersFixture);
      await task(file, "provider offline", { from: ACCOUNT.rtx });
      const { result } = await task<ProviderView>(file, "provider show", { provider: ACCOUNT.rtx });
      expect(result.active).to.equal(false);
      expect(result.inactiveReasons).to.deep.equal(["offline"]);
    });
  });
});
