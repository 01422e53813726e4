/**
 * Running the Latent tasks in-process: fixtures that write the deployment record to a temporary file (passed as
 * --deployment, as a user would), and `task`, which runs one through `hre.run` and captures what it printed.
 * Account indexes follow the scenario's roles: 0 deployer, 1 guardian, 2 arbitrator, 3 funder, 4-5 voters,
 * 6-11 providers, 12-14 operators, 15-19 clients.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import type { EIP1193Provider } from "hardhat/types";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { DEVNET_GOVERNANCE, writeDeploymentRecord } from "../../../scripts/deploy";
import { formatDuration } from "../../../scripts/tasks/lib/format";
import { createJob } from "../../../scripts/scenario";
import type { JobHandle } from "../../../scripts/scenario";
import { setOutputSink } from "../../../scripts/tasks";
import { baseFixture, providersFixture } from "../../helpers/fixtures";
import type { Base, WithProviders } from "../../helpers/fixtures";

export const DEPLOYMENT_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "latent-tasks-"));

// A root-level hook (this module is loaded inside mocha): the records and files the tests wrote go with the run.
after(function () {
  fs.rmSync(DEPLOYMENT_DIR, { recursive: true, force: true });
});

/** Account indexes as --from / --provider values. */
export const ACCOUNT = {
  deployer: "0",
  guardian: "1",
  arbitrator: "2",
  funder: "3",
  voter0: "4",
  h100: "6",
  rtx: "7",
  provider2: "8",
  operator0: "12",
  client0: "15",
  client1: "16",
} as const;

let deployments = 0;

/**
 * Each fixture run deploys its own set (at whatever nonce the chain is at then), so each writes its own record: a
 * fixture restored later by loadFixture must still find its addresses, whatever other fixtures wrote since.
 */
function recordFile(b: Base): string {
  deployments += 1;
  return writeDeploymentRecord({ ...b.s.deployment.record, network: `deployment-${deployments}` }, DEPLOYMENT_DIR);
}

export interface TaskBase extends Base {
  file: string;
}

export async function tasksBaseFixture(): Promise<TaskBase> {
  const b = await baseFixture();
  return { ...b, file: recordFile(b) };
}

export interface TaskProviders extends WithProviders {
  file: string;
}

/** Two active providers: h100 (account 6, operator account 12, 2 LAT/GPU-hour) and rtx (account 7). */
export async function tasksProvidersFixture(): Promise<TaskProviders> {
  return withProviders();
}

async function withProviders(): Promise<TaskProviders> {
  const b = await providersFixture();
  return { ...b, file: recordFile(b) };
}

export interface TaskJob extends TaskProviders {
  job: JobHandle;
}

/** The providers, and an open job of client 15 for one H100 at up to 3 LAT per GPU-hour, for an hour. */
export async function openJobFixture(): Promise<TaskJob> {
  const b = await withProviders();
  const job = await createJob(b.s, b.clients[0]!, { gpuModel: "h100-sxm-80gb", gpuCount: 1 });
  return { ...b, job };
}

export interface TaskRun<T> {
  result: T;
  output: string;
}

/** Runs `scope task` with `args` (strings, as on the command line; `json` and flags as booleans). */
export async function task<T = Record<string, unknown>>(
  file: string,
  name: string,
  args: Record<string, string | boolean | undefined> = {},
): Promise<TaskRun<T>> {
  const [scope, taskName] = name.split(" ") as [string, string];
  const lines: string[] = [];
  const restore = setOutputSink((text) => lines.push(text));
  try {
    const result = (await hre.run({ scope, task: taskName }, { deployment: file, ...args })) as T;
    return { result, output: lines.join("\n") };
  } finally {
    restore();
  }
}

/**
 * Runs `run` as on a network with no account configured (a public RPC with no key): no accounts and no
 * LATENT_PRIVATE_KEY, both restored after.
 */
export async function withoutAccounts<T>(run: () => Promise<T>): Promise<T> {
  const { getSigners } = hre.ethers;
  const key = process.env.LATENT_PRIVATE_KEY;
  hre.ethers.getSigners = async () => [];
  delete process.env.LATENT_PRIVATE_KEY;
  try {
    return await run();
  } finally {
    hre.ethers.getSigners = getSigners;
    if (key === undefined) delete process.env.LATENT_PRIVATE_KEY;
    else process.env.LATENT_PRIVATE_KEY = key;
  }
}

/**
 * Runs a read-only task with the network's accounts, then with none: what each printed and returned, to compare
 * (a read mines no block, so both see the same chain and time).
 */
export async function withAndWithoutAccounts<T>(
  file: string,
  name: string,
  args: Record<string, string | boolean | undefined>,
): Promise<{ withAccounts: TaskRun<T>; without: TaskRun<T> }> {
  const withAccounts = await task<T>(file, name, args);
  const without = await withoutAccounts(() => task<T>(file, name, args));
  return { withAccounts, without };
}

/** A step of passProposal: the task it runs. */
export type ProposalStep = "gov vote" | "gov queue" | "gov execute";

export interface PassOptions<R> {
  /** The last step taken (default: gov execute). */
  until?: ProposalStep;
  /** Runs each step's task (default: `task` on the record); what it returns is passProposal's, step by step. */
  run?: (name: ProposalStep, args: Record<string, string>) => Promise<R>;
  /** Called once every proposal is queued, before the timelock's delay is waited out. */
  queued?: () => Promise<void>;
}

/** What each step's runs returned, one per proposal, in the order given; a step not taken has none. */
export type PassedProposals<R> = Record<ProposalStep, R[]>;

/**
 * Takes pending proposals through governance as the tasks would: once the voting delay has passed, the funder (account
 * 3, whose delegated votes pass a proposal alone) votes for each; once voting has ended each is queued; once the
 * timelock's delay has passed each is executed. Each wait is the devnet governance's period and a second, as the
 * README's walk skips it.
 */
export async function passProposal<R = TaskRun<Record<string, unknown>>>(
  file: string,
  ids: string | string[],
  options: PassOptions<R> = {},
): Promise<PassedProposals<R>> {
  const run = options.run ?? ((name, args) => task(file, name, args) as Promise<R>);
  const until = options.until ?? "gov execute";
  const all = typeof ids === "string" ? [ids] : ids;
  const passed: PassedProposals<R> = { "gov vote": [], "gov queue": [], "gov execute": [] };
  const steps: [ProposalStep, number, Record<string, string>][] = [
    ["gov vote", DEVNET_GOVERNANCE.votingDelay, { from: ACCOUNT.funder, support: "for" }],
    ["gov queue", DEVNET_GOVERNANCE.votingPeriod, {}],
    ["gov execute", DEVNET_GOVERNANCE.timelockDelay, {}],
  ];
  for (const [step, wait, args] of steps) {
    if (step === "gov execute") await options.queued?.();
    await time.increase(wait + 1);
    for (const id of all) passed[step].push(await run(step, { ...args, id }));
    if (step === until) break;
  }
  return passed;
}

/** Asserts that running the task fails with an error of `type` whose message matches `message`. */
export async function taskFails(
  file: string,
  name: string,
  args: Record<string, string | boolean | undefined>,
  type: new (...a: never[]) => Error,
  message: RegExp,
): Promise<Error> {
  let caught: unknown;
  try {
    await task(file, name, args);
  } catch (error) {
    caught = error;
  }
  expect(caught, `${name} should fail`).to.be.instanceOf(type);
  expect((caught as Error).message).to.match(message);
  return caught as Error;
}

/** A file in the test's temporary directory. */
export function tempFile(name: string, content: string | Buffer): string {
  const file = path.join(DEPLOYMENT_DIR, name);
  fs.writeFileSync(file, content);
  return file;
}

/** How a revert's message should give the time from `now` to its deadline argument `name` ("1h 59m"), read from the message. */
export function timeLeft(error: Error, name: string, now: number): string {
  const deadline = new RegExp(`${name}=(\\d+) `).exec(error.message)?.[1];
  expect(deadline, `${name} in ${error.message}`).to.not.equal(undefined);
  return formatDuration(Number(deadline) - now);
}

/** An eth_getLogs call: its range (its first block, and how many), and the contract it names. */
export interface LogsCall {
  from: number;
  blocks: number;
  address: string;
}

/**
 * Runs `run` against a node that refuses the eth_getLogs calls `refuse` picks, as a public RPC refuses a range over
 * its limit, counting the calls it answers and refuses.
 */
export async function withRefusedLogs<T>(refuse: (call: LogsCall) => boolean, run: () => Promise<T>): Promise<{ value: T; answered: number; refused: number }> {
  const provider = hre.network.provider as EIP1193Provider & { send: (method: string, params?: unknown[]) => Promise<unknown> };
  const send = provider.send;
  let answered = 0;
  let refused = 0;
  provider.send = async (method: string, params?: unknown[]) => {
    if (method === "eth_getLogs") {
      const { fromBlock, toBlock, address } = (params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string; address?: string };
      // A query to "latest" (no toBlock) spans the whole chain: refused as a range like any other.
      const to = toBlock === undefined || toBlock === "latest" ? Number(await send.call(provider, "eth_blockNumber")) : Number(toBlock);
      if (refuse({ from: Number(fromBlock ?? 0), blocks: to - Number(fromBlock ?? 0) + 1, address: String(address).toLowerCase() })) {
        refused += 1;
        throw new Error("query exceeds max block range");
      }
      answered += 1;
    }
    return send.call(provider, method, params);
  };
  try {
    return { value: await run(), answered, refused };
  } finally {
    provider.send = send;
  }
}

/** `text` with the characters a RegExp gives a meaning escaped: a file name or a command matched as it is. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The task and options of a suggested command (`npx hardhat <scope> <task> --option value … --flag`), as a user pasting
 * it would run it: --network and --deployment left out, as the test's task runner connects to its own.
 */
export function pasted(command: string): { name: string; args: Record<string, string | boolean> } {
  const words = command.split(" ");
  expect(words.slice(0, 2)).to.deep.equal(["npx", "hardhat"]);
  const args: Record<string, string | boolean> = {};
  for (let i = 4; i < words.length; ) {
    const option = words[i]!.replace(/^--/, "").replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
    const next = words[i + 1];
    const flag = next === undefined || next.startsWith("--");
    if (option !== "network" && option !== "deployment") args[option] = flag ? true : next;
    i += flag ? 1 : 2;
  }
  return { name: `${words[2]} ${words[3]}`, args };
}
