// The gateway's `Job` as the worker selects it, and its conversion to a CandidateJob. The gateway serialises the
// JobTerms struct with every integer as a decimal string (or an Int where it fits) and bytes as hex; `acceptJob`
// needs the struct back bit for bit, so each value is checked for its ABI type and the whole struct is hashed the
// way JobEscrow.hashTerms does (keccak256(abi.encode(terms))) and compared with the job's stored termsHash. A job
// that fails any check is refused here, before it could cost gas.

import { AbiCoder, ParamType, getAddress, isAddress, keccak256 } from "ethers";
import { IJobEscrow__factory } from "../../typechain-types/factories/contracts/interfaces/IJobEscrow__factory";
import { TierCode } from "./ids";
import type { CandidateJob, JobTerms } from "./market";
import { isJsonObject } from "./validate";

/** The fields a worker needs of a Job; spread into every query and subscription that returns jobs. */
export const CANDIDATE_JOB_FRAGMENT = `
  fragment CandidateJobFields on Job {
    id
    status
    client
    specURI
    termsHash
    escrowed { wei }
    terms {
      requirements { gpuModel region minVramGiB gpuCount tier minCompletedJobs minSlashRewardBps }
      maxPricePerGpuHour
      maxDuration
      acceptDeadline
      targetProvider
      specHash
    }
  }
`;

/** A Job from the gateway that cannot be turned into a CandidateJob: malformed, or terms not matching termsHash. */
export class GatewayJobError extends Error {
  constructor(
    /** The job id as the gateway sent it, when it had one. */
    readonly jobId: string | undefined,
    readonly problem: string,
  ) {
    super(`job ${jobId ?? "(no id)"} from the gateway is unusable: ${problem}`);
    this.name = "GatewayJobError";
  }
}

// The struct type straight from the ABI, so the encoding cannot drift from the contract's.
const TERMS_TYPE: ParamType = IJobEscrow__factory.createInterface().getFunction("hashTerms").inputs[0]!;
const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffff_ffff;
const UINT64_MAX = (1n << 64n) - 1n;
const UINT96_MAX = (1n << 96n) - 1n;
const UINT256_MAX = (1n << 256n) - 1n;

/** keccak256(abi.encode(terms)): JobEscrow.hashTerms, computed locally. */
export function hashJobTerms(terms: JobTerms): string {
  const r = terms.requirements;
  const encoded = AbiCoder.defaultAbiCoder().encode(
    [TERMS_TYPE],
    [
      [
        [r.gpuModel, r.region, r.minVramGiB, r.gpuCount, r.tier, r.minCompletedJobs, r.minSlashRewardBps],
        terms.maxPricePerGpuHour,
        terms.maxDuration,
        terms.acceptDeadline,
        terms.targetProvider,
        terms.specHash,
      ],
    ],
  );
  return keccak256(encoded);
}

/** Whether the gateway says the job is still open (the feed and openJobs only send open jobs; this is a guard). */
export function isOpenJob(json: unknown): boolean {
  return isJsonObject(json) && json.status === "OPEN";
}

/** The gateway's Job (selected with CANDIDATE_JOB_FRAGMENT) as a CandidateJob; throws GatewayJobError. */
export function toCandidateJob(json: unknown): CandidateJob {
  const id = isJsonObject(json) && typeof json.id === "string" ? json.id : undefined;
  const reader = new JobReader(id);
  const job = reader.object(json, "job");
  const terms = reader.object(job.terms, "terms");
  const requirements = reader.object(terms.requirements, "terms.requirements");
  const escrowed = reader.object(job.escrowed, "escrowed");

  const candidate: CandidateJob = {
    jobId: reader.integer(job.id, "id", 1n, UINT256_MAX),
    client: reader.address(job.client, "client"),
    specURI: reader.string(job.specURI, "specURI"),
    escrowed: reader.integer(escrowed.wei, "escrowed.wei", 0n, UINT256_MAX),
    terms: {
      requirements: {
        gpuModel: reader.bytes(requirements.gpuModel, "terms.requirements.gpuModel", 32),
        region: reader.bytes(requirements.region, "terms.requirements.region", 16),
        minVramGiB: reader.smallInteger(requirements.minVramGiB, "terms.requirements.minVramGiB", UINT16_MAX),
        gpuCount: reader.smallInteger(requirements.gpuCount, "terms.requirements.gpuCount", UINT16_MAX),
        tier: reader.tier(requirements.tier, "terms.requirements.tier"),
        minCompletedJobs: reader.smallInteger(
          requirements.minCompletedJobs,
          "terms.requirements.minCompletedJobs",
          UINT32_MAX,
        ),
        minSlashRewardBps: reader.smallInteger(
          requirements.minSlashRewardBps,
          "terms.requirements.minSlashRewardBps",
          UINT16_MAX,
        ),
      },
      maxPricePerGpuHour: reader.integer(terms.maxPricePerGpuHour, "terms.maxPricePerGpuHour", 0n, UINT96_MAX),
      maxDuration: reader.smallInteger(terms.maxDuration, "terms.maxDuration", UINT32_MAX),
      acceptDeadline: reader.integer(terms.acceptDeadline, "terms.acceptDeadline", 0n, UINT64_MAX),
      targetProvider: reader.address(terms.targetProvider, "terms.targetProvider"),
      specHash: reader.bytes(terms.specHash, "terms.specHash", 32),
    },
  };
  const termsHash = reader.bytes(job.termsHash, "termsHash", 32);
  const computed = hashJobTerms(candidate.terms);
  if (computed !== termsHash) {
    throw new GatewayJobError(id, `its terms hash to ${computed}, but the job's termsHash is ${termsHash}`);
  }
  return candidate;
}

/** Field checks that throw GatewayJobError naming the field. */
class JobReader {
  constructor(private readonly id: string | undefined) {}

  private fail(field: string, expected: string, value: unknown): never {
    throw new GatewayJobError(this.id, `${field} must be ${expected}, got ${JSON.stringify(value) ?? String(value)}`);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (!isJsonObject(value)) this.fail(field, "an object", value);
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== "string") this.fail(field, "a string", value);
    return value;
  }

  /** A decimal string (BigInt scalar), or a JSON integer (Int), within [min, max]. */
  integer(value: unknown, field: string, min: bigint, max: bigint): bigint {
    let parsed: bigint | undefined;
    if (typeof value === "string" && /^(0|[1-9][0-9]*)$/.test(value)) parsed = BigInt(value);
    else if (typeof value === "number" && Number.isSafeInteger(value)) parsed = BigInt(value);
    if (parsed === undefined || parsed < min || parsed > max) this.fail(field, `an integer from ${min} to ${max}`, value);
    return parsed;
  }

  smallInteger(value: unknown, field: string, max: number): number {
    return Number(this.integer(value, field, 0n, BigInt(max)));
  }

  /** 0x and exactly `width` bytes of hex, returned lowercase (what ethers decodes bytesN to). */
  bytes(value: unknown, field: string, width: number): string {
    if (typeof value !== "string" || !new RegExp(`^0x[0-9a-fA-F]{${width * 2}}$`).test(value)) {
      this.fail(field, `0x and ${width} bytes of hex`, value);
    }
    return value.toLowerCase();
  }

  address(value: unknown, field: string): string {
    if (typeof value !== "string" || !isAddress(value)) this.fail(field, "an address", value);
    return getAddress(value);
  }

  tier(value: unknown, field: string): TierCode {
    const code = this.smallInteger(value, field, TierCode.Consumer);
    return code as TierCode;
  }
}
