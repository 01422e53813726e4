/**
 * A dApp's path through Latent, end to end, as the root README's "A dApp developer's walk" tells it: find compute
 * through the gateway (`availableCompute`, with the `jobTerms` of the best offer), post the job from the client's own
 * key (LAT `approve` to JobEscrow then `createJob`, or one `createJobWithPermit` with an EIP-2612 permit), then follow
 * the job over the gateway's `jobUpdated` subscription until it reaches the status asked for.
 *
 *   LATENT_CLIENT_KEY=0x… npx ts-node --transpile-only scripts/examples/post-job.ts \
 *     --gateway http://127.0.0.1:4000/graphql --rpc http://127.0.0.1:8545 \
 *     --spec-file .data/matmul-spec.json --gpu-model rtx-4090-24gb --gpus 1 --hours 0.25 [--permit] [--until ACCEPTED]
 *
 * The key is read from the environment, never a flag (a flag shows in `ps`). Everything it learns (the addresses, the
 * terms, the price) comes from the gateway: a dApp needs no deployment file. `postJob` is the same walk for code.
 */
import * as fs from "node:fs";
import { createClient } from "graphql-ws";
import { JsonRpcProvider, Wallet, keccak256, type Signer } from "ethers";
import WebSocket from "ws";
import { JobEscrow__factory } from "../../typechain-types/factories/contracts/jobs/JobEscrow__factory";
import { LatentToken__factory } from "../../typechain-types/factories/contracts/token/LatentToken__factory";
import type { IJobEscrow } from "../../typechain-types/contracts/jobs/JobEscrow";

/** What the walk could not do, in words a developer can act on; the CLI prints it and exits 1 (2 for bad usage). */
export class PostJobError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "PostJobError";
  }
}

/** Final statuses: no transaction leaves them. */
export const FINAL_STATUSES = ["COMPLETED", "CANCELLED", "EXPIRED", "DECLINED", "TIMED_OUT", "REFUNDED"] as const;
const STATUSES = ["OPEN", "ACCEPTED", "SUBMITTED", "DISPUTED", ...FINAL_STATUSES] as const;
export type JobStatus = (typeof STATUSES)[number];

/** `ComputeRequirements` as the gateway takes it (gateway/src/schema.graphql); only what this walk sets. */
export interface Requirements {
  gpuModels?: string[];
  regions?: string[];
  gpuCount: number;
  hours: number;
}

export interface PostJobOptions {
  /** The gateway's GraphQL endpoint, http(s)://…/graphql; its subscriptions are at the same path over ws(s). */
  gatewayUrl: string;
  /** The chain's JSON-RPC endpoint, for the client's transactions. */
  rpcUrl: string;
  /** The client: pays the escrow and signs. */
  signer: Signer;
  requirements: Requirements;
  /** The workload document's bytes: posted as a `data:` URI with their keccak256 as the terms' `specHash`. */
  spec: Uint8Array;
  /** Seconds the job stays open to providers (default 1800). */
  acceptWithinSeconds?: number;
  /** Direct the job at the best offer's provider (only it may accept it). */
  directed?: boolean;
  /** One createJobWithPermit transaction instead of approve + createJob. */
  permit?: boolean;
  /** Stop following once the job reaches one of these (default: a final status). */
  until?: readonly JobStatus[];
  /** Each state of the job the gateway sends, the first (OPEN) included. */
  onUpdate?: (job: FollowedJob) => void;
  /** Progress lines (what was found, what was sent). */
  log?: (line: string) => void;
}

export interface FollowedJob {
  id: string;
  status: JobStatus;
  provider: { address: string } | null;
}

export interface PostedJob {
  jobId: bigint;
  provider: string;
  escrowWei: bigint;
  /** The createJob (or createJobWithPermit) receipt's block. */
  block: number;
  /** The last state the subscription sent. */
  last: FollowedJob;
}

interface Offer {
  provider: { address: string };
  gpuModel: string;
  region: string;
  pricePerGpuHour: { lat: string };
  quote: { cost: { lat: string } };
  jobTerms: {
    // The JobTerms struct by field name: integers as decimal strings, bytes as hex, which ethers takes as they are.
    terms: IJobEscrow.JobTermsStruct;
    escrow: { wei: string };
  };
}

const SETUP = `query Setup($requirements: ComputeRequirements!, $acceptWithinSeconds: Int!, $specHash: Bytes!, $directed: Boolean) {
  deployment { chainId contracts { name address } jobLimits { maxUriBytes } }
  availableCompute(requirements: $requirements, first: 1) {
    nodes {
      provider { address }
      gpuModel region
      pricePerGpuHour { lat }
      quote { cost { lat } }
      jobTerms(acceptWithinSeconds: $acceptWithinSeconds, specHash: $specHash, directed: $directed) {
        terms { requirements { gpuModel region minVramGiB gpuCount tier minCompletedJobs minSlashRewardBps } maxPricePerGpuHour maxDuration acceptDeadline targetProvider specHash }
        escrow { wei }
      }
    }
  }
}`;

const FOLLOW = `subscription Follow($id: ID!, $atBlock: Int) { jobUpdated(id: $id, atBlock: $atBlock) { id status provider { address } } }`;

interface SetupData {
  deployment: { chainId: string; contracts: { name: string; address: string }[]; jobLimits: { maxUriBytes: number } };
  availableCompute: { nodes: Offer[] };
}

async function query<T>(url: string, text: string, variables: Record<string, unknown>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: text, variables }) });
  } catch (error) {
    throw new PostJobError(`the gateway at ${url} cannot be reached (${(error as Error).message}): is it running?`);
  }
  let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new PostJobError(`${url} answered HTTP ${response.status} without a GraphQL response: is it the gateway's /graphql?`);
  }
  if (body.errors !== undefined && body.errors.length > 0) {
    const [first] = body.errors;
    throw new PostJobError(`the gateway refused the query: ${first!.message}${first!.extensions?.code === undefined ? "" : ` (${first!.extensions.code})`}`);
  }
  if (body.data === undefined || body.data === null) throw new PostJobError(`the gateway answered HTTP ${response.status} with no data`);
  return body.data;
}

/** The gateway's subscriptions: graphql-ws on its GraphQL path, ws:// for http://. */
export function subscriptionUrl(gatewayUrl: string): string {
  const url = new URL(gatewayUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** Follows job `id` until `done` says so, or the gateway completes the subscription (a final status deep enough). */
function follow(gatewayUrl: string, id: bigint, atBlock: number, done: (job: FollowedJob) => boolean, onUpdate: (job: FollowedJob) => void): Promise<FollowedJob> {
  const client = createClient({ url: subscriptionUrl(gatewayUrl), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  return new Promise<FollowedJob>((resolve, reject) => {
    let last: FollowedJob | null = null;
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      void client.dispose();
      outcome();
    };
    const unsubscribe = client.subscribe<{ jobUpdated: FollowedJob }>(
      { query: FOLLOW, variables: { id: id.toString(), atBlock } },
      {
        next: (message) => {
          if (message.errors !== undefined && message.errors.length > 0) {
            finish(() => reject(new PostJobError(`the gateway ended the job's feed: ${message.errors![0]!.message}`)));
            return;
          }
          const job = message.data?.jobUpdated;
          if (job === undefined) return;
          last = job;
          onUpdate(job);
          if (done(job)) finish(() => resolve(job));
        },
        error: (error: unknown) => {
          const said = error instanceof Error ? error.message : Array.isArray(error) ? (error as { message: string }[]).map((e) => e.message).join("; ") : `the connection closed`;
          finish(() => reject(new PostJobError(`following job ${id} failed: ${said}`)));
        },
        complete: () =>
          finish(() => (last === null ? reject(new PostJobError(`the gateway completed job ${id}'s feed without sending it`)) : resolve(last))),
      },
    );
  });
}

/** EIP-2612 permit for `amount` to `spender`, signed with the token's own EIP-712 domain (ERC-5267 eip712Domain). */
async function signPermit(token: ReturnType<typeof LatentToken__factory.connect>, owner: Signer, spender: string, amount: bigint, deadline: bigint) {
  const domain = await token.eip712Domain();
  const ownerAddress = await owner.getAddress();
  const signature = await owner.signTypedData(
    { name: domain.name, version: domain.version, chainId: domain.chainId, verifyingContract: domain.verifyingContract },
    {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    { owner: ownerAddress, spender, value: amount, nonce: await token.nonces(ownerAddress), deadline },
  );
  return { v: Number.parseInt(signature.slice(130, 132), 16), r: signature.slice(0, 66), s: `0x${signature.slice(66, 130)}` };
}

/** The walk: find compute, post the job, follow it. */
export async function postJob(options: PostJobOptions): Promise<PostedJob> {
  const log = options.log ?? (() => undefined);
  const specHash = keccak256(options.spec);
  const specURI = `data:application/json;base64,${Buffer.from(options.spec).toString("base64")}`;

  // 1. Find compute: the best offer for the requirements, with createJob's arguments already built for it.
  const setup = await query<SetupData>(options.gatewayUrl, SETUP, {
    requirements: options.requirements,
    acceptWithinSeconds: options.acceptWithinSeconds ?? 1800,
    specHash,
    directed: options.directed ?? false,
  });
  const offer = setup.availableCompute.nodes[0];
  if (offer === undefined) throw new PostJobError(`no provider offers ${JSON.stringify(options.requirements)} now (availableCompute is empty): ask for fewer GPUs or other models`);
  const address = (name: string): string => {
    const found = setup.deployment.contracts.find((c) => c.name === name);
    if (found === undefined) throw new PostJobError(`the gateway's deployment names no ${name}`);
    return found.address;
  };
  if (Buffer.byteLength(specURI) > setup.deployment.jobLimits.maxUriBytes) {
    throw new PostJobError(`the spec makes a data: URI of ${Buffer.byteLength(specURI)} bytes, over JobEscrow's ${setup.deployment.jobLimits.maxUriBytes}: publish it and post its URL instead`);
  }
  log(`offer: ${offer.provider.address}, ${offer.gpuModel} in ${offer.region} at ${offer.pricePerGpuHour.lat} LAT per GPU-hour, ${offer.quote.cost.lat} LAT for the job`);

  // 2. Create the job from the client's own key, on the chain the gateway reads.
  const signer = options.signer;
  let network: Awaited<ReturnType<NonNullable<Signer["provider"]>["getNetwork"]>> | undefined;
  try {
    network = await signer.provider?.getNetwork();
  } catch (error) {
    // ethers' own message is "connect ECONNREFUSED …", or a dump of the request and the answer of a server that is
    // not a node (the gateway's URL given as --rpc): its short message, with the URL and what to check.
    const reason = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    throw new PostJobError(`the chain's RPC endpoint ${options.rpcUrl} did not answer eth_chainId (${reason}): is the chain running, and is --rpc its JSON-RPC URL?`);
  }
  if (network === undefined) throw new PostJobError("the signer has no provider: connect it to the chain's RPC");
  if (network.chainId.toString() !== setup.deployment.chainId) {
    throw new PostJobError(`the RPC endpoint is chain ${network.chainId}, the gateway's deployment chain ${setup.deployment.chainId}: point both at the same chain`);
  }
  const client = await signer.getAddress();
  const token = LatentToken__factory.connect(address("LatentToken"), signer);
  const escrow = JobEscrow__factory.connect(address("JobEscrow"), signer);
  const escrowAddress = await escrow.getAddress();
  const escrowWei = BigInt(offer.jobTerms.escrow.wei);
  const balance = await token.balanceOf(client);
  if (balance < escrowWei) throw new PostJobError(`${client} holds ${balance} LAT wei, the job's escrow is ${escrowWei}: fund the client first`);
  const { terms } = offer.jobTerms;
  let receipt;
  if (options.permit === true) {
    const deadline = BigInt(terms.acceptDeadline);
    const p = await signPermit(token, signer, escrowAddress, escrowWei, deadline);
    receipt = await (await escrow.createJobWithPermit(terms, specURI, deadline, p.v, p.r, p.s)).wait();
  } else {
    if ((await token.allowance(client, escrowAddress)) < escrowWei) await (await token.approve(escrowAddress, escrowWei)).wait();
    receipt = await (await escrow.createJob(terms, specURI)).wait();
  }
  if (receipt === null || receipt.status !== 1) throw new PostJobError("the createJob transaction failed");
  const created = receipt.logs
    .map((entry) => escrow.interface.parseLog({ topics: [...entry.topics], data: entry.data }))
    .find((parsed) => parsed?.name === "JobCreated");
  if (created === undefined || created === null) throw new PostJobError(`the createJob receipt ${receipt.hash} has no JobCreated log`);
  const jobId = created.args.jobId as bigint;
  log(`job ${jobId} created in block ${receipt.blockNumber} (transaction ${receipt.hash}), ${escrowWei} LAT wei in escrow`);

  // 3. Follow it: atBlock makes the gateway wait until it has indexed the receipt's block.
  const until = new Set<JobStatus>(options.until ?? FINAL_STATUSES);
  const last = await follow(options.gatewayUrl, jobId, receipt.blockNumber, (job) => until.has(job.status), (job) => {
    log(`job ${job.id}: ${job.status}${job.provider === null ? "" : ` (provider ${job.provider.address})`}`);
    options.onUpdate?.(job);
  });
  return { jobId, provider: offer.provider.address, escrowWei, block: receipt.blockNumber, last };
}

const USAGE = `usage: LATENT_CLIENT_KEY=0x… npx ts-node --transpile-only scripts/examples/post-job.ts --spec-file FILE --gpus N --hours H
         [--gateway http://127.0.0.1:4000/graphql] [--rpc http://127.0.0.1:8545] [--gpu-model ID]... [--region CODE]...
         [--accept-within SECONDS] [--directed] [--permit] [--until STATUS]...`;

/** The CLI's options, from argv; PostJobError (exit 2) for what it cannot take. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Omit<PostJobOptions, "signer" | "spec"> & { key: string; specFile: string } {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--directed" || arg === "--permit") {
      flags.add(arg);
      continue;
    }
    const known = ["--gateway", "--rpc", "--spec-file", "--gpu-model", "--region", "--gpus", "--hours", "--accept-within", "--until"];
    if (!known.includes(arg)) throw new PostJobError(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`, 2);
    const value = argv[++i];
    if (value === undefined || value.startsWith("--")) throw new PostJobError(`${arg} needs a value\n${USAGE}`, 2);
    values.set(arg, [...(values.get(arg) ?? []), value]);
  }
  const one = (name: string): string | undefined => values.get(name)?.at(-1);
  const number = (name: string, integer: boolean): number | undefined => {
    const raw = one(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new PostJobError(`${name} needs a ${integer ? "whole " : ""}number above 0 (got ${JSON.stringify(raw)})`, 2);
    }
    return n;
  };
  const key = env.LATENT_CLIENT_KEY;
  if (key === undefined || key === "") throw new PostJobError(`LATENT_CLIENT_KEY is not set: the client's private key signs the job\n${USAGE}`, 2);
  const specFile = one("--spec-file");
  if (specFile === undefined) throw new PostJobError(`--spec-file is required: the workload document the job runs\n${USAGE}`, 2);
  const gpuCount = number("--gpus", true);
  const hours = number("--hours", false);
  if (gpuCount === undefined || hours === undefined) throw new PostJobError(`--gpus and --hours are required\n${USAGE}`, 2);
  const until = values.get("--until");
  for (const status of until ?? []) {
    if (!(STATUSES as readonly string[]).includes(status)) throw new PostJobError(`--until takes a job status (${STATUSES.join(", ")}), not ${JSON.stringify(status)}`, 2);
  }
  const acceptWithinSeconds = number("--accept-within", true);
  const gpuModels = values.get("--gpu-model");
  const regions = values.get("--region");
  return {
    key,
    specFile,
    gatewayUrl: one("--gateway") ?? "http://127.0.0.1:4000/graphql",
    rpcUrl: one("--rpc") ?? "http://127.0.0.1:8545",
    requirements: { gpuCount, hours, ...(gpuModels === undefined ? {} : { gpuModels }), ...(regions === undefined ? {} : { regions }) },
    ...(acceptWithinSeconds === undefined ? {} : { acceptWithinSeconds }),
    directed: flags.has("--directed"),
    permit: flags.has("--permit"),
    ...(until === undefined ? {} : { until: until as JobStatus[] }),
  };
}

/**
 * The client's key on the chain's RPC endpoint. `cacheTimeout: -1`: ethers' default 250 ms cache of identical requests
 * would answer createJob's nonce query with the one approve's asked a moment before, on a chain that mines each
 * transaction at once (Hardhat's automine, the devnet), and the node refuses it ("nonce too low").
 */
export function connectClient(key: string, rpcUrl: string): Wallet {
  try {
    return new Wallet(key, new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 }));
  } catch {
    // Not repeated: it may be most of a key.
    throw new PostJobError("LATENT_CLIENT_KEY is not a private key (0x and 64 hex digits)", 2);
  }
}

async function main(): Promise<void> {
  const { key, specFile, ...options } = parseArgs(process.argv.slice(2), process.env);
  let spec: Buffer;
  try {
    spec = fs.readFileSync(specFile);
  } catch (error) {
    throw new PostJobError(`cannot read --spec-file ${specFile}: ${(error as Error).message}`, 2);
  }
  const signer = connectClient(key, options.rpcUrl);
  const posted = await postJob({ ...options, signer, spec, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`job ${posted.jobId} is ${posted.last.status}\n`);
  signer.provider?.destroy();
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`post-job: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof PostJobError ? error.exitCode : 1);
    },
  );
}
