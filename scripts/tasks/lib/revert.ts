/**
 * Turns a revert into the contract's own words: the custom error's name and named arguments, decoded with the
 * ABIs of every Latent contract (a call into one contract may revert with another's error, e.g. an ERC20 error
 * from the token inside `stake`), with enums by name, LAT amounts in LAT, timestamps as dates and short ids as text.
 */
import { AbiCoder, ErrorFragment, Interface, dataSlice, formatUnits, isHexString } from "ethers";
import type { JsonFragment, Result } from "ethers";
import { fromNow, isoTime } from "./format";

/** One contract's ABI as compiled (with `internalType`, which names enums). */
export interface NamedAbi {
  contract: string;
  abi: readonly JsonFragment[];
}

export interface DecodedRevert {
  name: string;
  /** Argument name -> value as a string (raw: decimal integers, hex words, checksummed addresses). */
  args: Record<string, string>;
  /** `Name(arg=value, ...)` for people. */
  formatted: string;
}

const JOB_STATUS = ["None", "Open", "Accepted", "Submitted", "Disputed", "Completed", "Cancelled", "Expired", "Declined", "TimedOut", "Refunded"];
export const PROPOSAL_STATES = ["Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed"];

/** Enum names by the Solidity type the compiler records in `internalType`. */
const ENUMS: Record<string, readonly string[]> = {
  "enum IJobEscrow.JobStatus": JOB_STATUS,
  "enum IJobEscrow.SettlementReason": ["Approved", "ChallengeWindowPassed", "DisputeRejected", "DisputeDraw"],
  "enum IProviderRegistry.Tier": ["Any", "Enterprise", "Consumer"],
  "enum IDisputeManager.Ruling": ["None", "Upheld", "Rejected", "Draw", "Expired"],
  "enum IGovernor.ProposalState": PROPOSAL_STATES,
};

/** OpenZeppelin errors whose `expectedStates` is a bitmap over an enum. */
const STATE_BITMAPS: Record<string, readonly string[]> = {
  GovernorUnexpectedProposalState: PROPOSAL_STATES,
  TimelockUnexpectedOperationState: ["Unset", "Waiting", "Ready", "Done"],
};

/** Arguments that hold LAT (in wei) when they are wide integers; narrow ones of the same name count GPUs. */
const LAT_ARGS = new Set([
  "amount",
  "allowance",
  "balance",
  "free",
  "locked",
  "lockedCollateral",
  "maxAmount",
  "maxPricePerGpuHour",
  "needed",
  "price",
  "pricePerGpuHour",
  "requested",
  "reward",
  "threshold",
  "votes",
]);

/** Arguments that hold unix timestamps (with a chain time to compare, all but nowTimestamp also show their distance from it). */
const TIME_ARGS = new Set([
  "acceptDeadline",
  "availableAt",
  "challengeDeadline",
  "maxPausedUntil",
  "nowTimestamp",
  "pausedUntil",
  "resultDeadline",
  "ruleDeadline",
]);

/** The one time argument that is the chain's clock itself, not a deadline (JobEscrowInvalidAcceptDeadline's). */
const CLOCK_ARGS = new Set(["nowTimestamp"]);

const STANDARD = new Interface(["error Error(string reason)", "error Panic(uint256 code)"]);
/** ethers knows Error and Panic itself and drops the names given above. */
const STANDARD_ARG_NAMES: Record<string, readonly string[]> = { Error: ["reason"], Panic: ["code"] };

interface KnownError {
  fragment: ErrorFragment;
  internalTypes: readonly string[];
}

export class RevertDecoder {
  private readonly bySelector = new Map<string, KnownError>();

  constructor(abis: readonly NamedAbi[]) {
    for (const { abi } of abis) {
      for (const entry of abi) {
        if (entry.type !== "error") continue;
        const fragment = ErrorFragment.from(entry);
        // The same error (e.g. GovernedOnlyGovernance) is declared by several contracts: one entry is enough.
        if (this.bySelector.has(fragment.selector)) continue;
        this.bySelector.set(fragment.selector, {
          fragment,
          internalTypes: (entry.inputs ?? []).map((input) => input.internalType ?? input.type ?? ""),
        });
      }
    }
  }

  /**
   * The decoded revert in `error`, or undefined when it carries no revert data. With `now` (the chain's latest block
   * time), a deadline argument also says how far it is: "ruleDeadline=... (2030-01-01T12:00:00Z, in 1h 59m)".
   */
  decode(error: unknown, now?: number): DecodedRevert | undefined {
    const data = findRevertData(error);
    if (data === undefined) return undefined;
    return this.decodeData(data, now);
  }

  decodeData(data: string, now?: number): DecodedRevert {
    if (data === "0x") return { name: "EmptyRevert", args: {}, formatted: "a revert without a reason (out of gas or a failed assertion)" };
    const selector = dataSlice(data, 0, 4);
    const known = this.bySelector.get(selector);
    if (known !== undefined) {
      const values = new AbiCoder().decode(known.fragment.inputs, dataSlice(data, 4));
      return describe(known.fragment, known.internalTypes, values, now);
    }
    const standard = STANDARD.parseError(data);
    if (standard !== null) {
      const fragment = standard.fragment;
      return describe(fragment, fragment.inputs.map((p) => p.type), standard.args);
    }
    return { name: "UnknownError", args: { data }, formatted: `an unknown error ${selector} (data ${data})` };
  }
}

function describe(fragment: ErrorFragment, internalTypes: readonly string[], values: Result, now?: number): DecodedRevert {
  const args: Record<string, string> = {};
  const shown: string[] = [];
  fragment.inputs.forEach((input, i) => {
    const name = input.name !== "" ? input.name : (STANDARD_ARG_NAMES[fragment.name]?.[i] ?? `arg${i}`);
    const value: unknown = values[i];
    args[name] = String(value);
    shown.push(`${name}=${render(fragment.name, name, input.type, internalTypes[i] ?? input.type, value, now)}`);
  });
  return { name: fragment.name, args, formatted: `${fragment.name}(${shown.join(", ")})` };
}

function render(errorName: string, name: string, type: string, internalType: string, value: unknown, now: number | undefined): string {
  const names = ENUMS[internalType];
  if (names !== undefined && typeof value === "bigint") return names[Number(value)] ?? String(value);
  const states = STATE_BITMAPS[errorName];
  if (states !== undefined && name === "expectedStates" && typeof value === "string") {
    // A bitmap of enum values (bit i set: state i expected).
    const bits = BigInt(value);
    return `[${states.filter((_, i) => (bits >> BigInt(i)) & 1n).join("|")}]`;
  }
  if (typeof value === "bigint") {
    if (LAT_ARGS.has(name) && (type === "uint256" || type === "uint96")) return `${formatUnits(value, 18)} LAT (${value} wei)`;
    if (TIME_ARGS.has(name) && value > 0n && value < 2n ** 40n) {
      const distance = now === undefined || CLOCK_ARGS.has(name) ? "" : `, ${fromNow(Number(value), now)}`;
      return `${value} (${isoTime(Number(value))}${distance})`;
    }
    return value.toString();
  }
  if (typeof value === "string" && (type === "bytes32" || type === "bytes16")) {
    const text = asciiWord(value);
    return text === undefined ? value : `"${text}"`;
  }
  if (typeof value === "string" && type === "string") return JSON.stringify(value);
  return String(value);
}

/** The text in a left-aligned, zero-padded ASCII word (ids, parameter names), if that is what it holds. */
function asciiWord(word: string): string | undefined {
  const hex = word.slice(2).replace(/(00)+$/, "");
  if (hex.length === 0 || hex.length % 2 !== 0) return undefined;
  // latin1, not UTF-8: a hash is rarely valid UTF-8, and only printable ASCII is accepted anyway.
  const text = Buffer.from(hex, "hex").toString("latin1");
  return /^[\x20-\x7e]+$/.test(text) ? text : undefined;
}

/**
 * The revert data carried by an error from ethers, hardhat-ethers, the in-process network (`error.data`) or a
 * JSON-RPC node (`error.error.data`, `error.info.error.data`, `error.data.data`...). Searches a few levels of
 * nesting; undefined when there is none.
 */
export function findRevertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: { value: unknown; depth: number }[] = [{ value: error, depth: 0 }];
  while (queue.length > 0) {
    const { value, depth } = queue.shift()!;
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 5) continue;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const data = record.data;
    if (typeof data === "string" && isHexString(data) && (data === "0x" || data.length >= 10)) return data;
    // Not `transaction` or `payload`: those hold the request, whose calldata is not revert data.
    for (const key of ["data", "error", "info", "cause", "parent"]) {
      if (key in record) queue.push({ value: record[key], depth: depth + 1 });
    }
  }
  return undefined;
}
