/** `npx hardhat job <task>`: a compute job's whole life, from the client's and the provider's side. */
import { scope, types } from "hardhat/config";
import { latentReadTask, latentTask } from "./lib/define";

const job = scope("job", "Jobs: create, accept, submit, abandon, approve, settle, cancel, expire, decline, timeout, status");
const actions = () => import("./actions/job");
const jobId = "Job id";

latentTask(job.task("create", "Post a job and pay its maximum cost into escrow (approve + create, or --permit)"), async () => (await actions()).create)
  .addParam("maxPrice", "Most LAT per GPU-hour the client pays, e.g. 3", undefined, types.string)
  .addParam("maxDuration", "Longest billed run: seconds or e.g. 90m, 2h, 1h30m", undefined, types.string)
  .addOptionalParam("gpus", "GPUs needed", "1", types.string)
  .addOptionalParam("model", "Required GPU model id (default: any)", undefined, types.string)
  .addOptionalParam("region", "Required region code (default: any)", undefined, types.string)
  .addOptionalParam("minVram", "Least GiB per GPU (default: 0)", undefined, types.string)
  .addOptionalParam("tier", "any, enterprise or consumer", "any", types.string)
  .addOptionalParam("minCompleted", "Least jobs the provider must have completed", "0", types.string)
  .addOptionalParam(
    "minSlashReward",
    "Least slash reward cap (bps of a slash paid to the client) the accepting provider must have: 0 (any) .. 10000",
    "0",
    types.string,
  )
  .addOptionalParam("acceptWithin", "Acceptance deadline from now: seconds or e.g. 30m, 1h (default 1h)", undefined, types.string)
  .addOptionalParam("acceptDeadline", "Acceptance deadline as unix seconds or an ISO date, in UTC unless it names a zone (instead of --accept-within)", undefined, types.string)
  .addOptionalParam("provider", "Direct the job at one provider (address or account index) (default: none, any provider that meets the requirements)", undefined, types.string)
  .addOptionalParam("specFile", "Workload document: hashed, and sent as a data: URI unless --spec-uri is given (this or --spec-uri with --spec-hash is required)", undefined, types.string)
  .addOptionalParam("specUri", "Where the workload document is published (default: --spec-file's data: URI; required with --spec-hash instead of --spec-file)", undefined, types.string)
  .addOptionalParam("specHash", "keccak256 of the document at --spec-uri (required with --spec-uri unless --spec-file is given, which it is computed from)", undefined, types.string)
  .addFlag("permit", "Sign an EIP-2612 permit instead of sending an approve transaction");

const simple: [string, string, "cancel" | "expire" | "decline" | "approve" | "settle" | "timeout" | "abandon"][] = [
  ["cancel", "Cancel an unaccepted job and refund it (client)", "cancel"],
  ["expire", "Refund a job whose acceptance deadline passed (anyone)", "expire"],
  ["decline", "Decline a job directed at the provider (target provider or its operator)", "decline"],
  ["approve", "Accept the submitted result and settle now (client)", "approve"],
  ["settle", "Settle a submitted job after its challenge window (anyone)", "settle"],
  ["timeout", "Refund a job whose result deadline passed, slashing collateral to the client (anyone)", "timeout"],
  ["abandon", "Give back an accepted job the provider cannot run, before its result deadline: refunded and slashed as a timeout, at once (provider or its operator)", "abandon"],
];
for (const [name, description, action] of simple) {
  latentTask(job.task(name, description), async () => (await actions())[action]).addParam("job", jobId, undefined, types.string);
}
latentReadTask(job.task("status", "Everything about a job, and what can happen next, by whom and when (needs no account)"), async () => (await actions()).status).addParam(
  "job",
  jobId,
  undefined,
  types.string,
);

latentTask(job.task("accept", "Accept a job for a provider (the terms are read back from JobCreated)"), async () => (await actions()).accept)
  .addParam("job", jobId, undefined, types.string)
  .addOptionalParam("provider", "Provider accepting (address or account index); default: the signer", undefined, types.string);

latentTask(job.task("submit", "Submit a job's result (provider or its operator)"), async () => (await actions()).submit)
  .addParam("job", jobId, undefined, types.string)
  .addOptionalParam("resultFile", "Result document: hashed, and sent as a data: URI unless --result-uri is given (this or --result-uri with --result-hash is required)", undefined, types.string)
  .addOptionalParam("resultUri", "Where the result is published (default: --result-file's data: URI; required with --result-hash instead of --result-file)", undefined, types.string)
  .addOptionalParam("resultHash", "keccak256 of the result at --result-uri (required with --result-uri unless --result-file is given, which it is computed from)", undefined, types.string);
