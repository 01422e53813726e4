// What each governed parameter is and the bounds its contract enforces. The bounds are the contracts' public
// constants (named in `source` so a reader can check them; a test compares them with the deployed contracts).
// Parameters this table does not know are still listed, with no bounds and a unit guessed from their value.

export type ParameterUnit = "BPS" | "SECONDS" | "WEI" | "COUNT" | "PERCENT" | "ADDRESS";

export interface ParameterSpec {
  unit: ParameterUnit;
  min: bigint | null;
  max: bigint | null;
  /** The contract constants (or rule) the bounds come from. */
  source: string;
}

const HOUR = 3600n;
const DAY = 24n * HOUR;
const E18 = 10n ** 18n;

/** Keyed "<Contract>.<name>", as the subgraph's Parameter ids. */
export const PARAMETER_SPECS: Readonly<Record<string, ParameterSpec>> = {
  "Staking.minStakePerGpu": { unit: "WEI", min: E18, max: 1_000_000n * E18, source: "Staking.MIN_MIN_STAKE_PER_GPU, MAX_MIN_STAKE_PER_GPU" },
  "Staking.thawingPeriod": { unit: "SECONDS", min: HOUR, max: 90n * DAY, source: "Staking.MIN_THAWING_PERIOD, MAX_THAWING_PERIOD" },
  "Staking.treasury": { unit: "ADDRESS", min: null, max: null, source: "non-zero address" },
  "ProviderRegistry.maxGpusPerProvider": { unit: "COUNT", min: 1n, max: 1024n, source: "ProviderRegistry.MAX_GPUS_PER_PROVIDER_LIMIT" },
  "PauseGuardian.pauseDuration": { unit: "SECONDS", min: HOUR, max: 14n * DAY, source: "PauseGuardian.MIN_PAUSE_DURATION, MAX_PAUSE_DURATION" },
  "PauseGuardian.guardian": { unit: "ADDRESS", min: null, max: null, source: "zero disables guardian pauses" },
  "DisputeManager.arbitrator": { unit: "ADDRESS", min: null, max: null, source: "non-zero address" },
  "JobEscrow.protocolFeeBps": { unit: "BPS", min: 0n, max: 1_000n, source: "JobEscrow.MAX_PROTOCOL_FEE_BPS" },
  "JobEscrow.collateralRatioBps": { unit: "BPS", min: 1_000n, max: 30_000n, source: "JobEscrow.MIN_COLLATERAL_RATIO_BPS, MAX_COLLATERAL_RATIO_BPS" },
  "JobEscrow.timeoutSlashBps": { unit: "BPS", min: 500n, max: 10_000n, source: "JobEscrow.MIN_TIMEOUT_SLASH_BPS, MAX_TIMEOUT_SLASH_BPS" },
  "JobEscrow.maxSlashingCutBps": { unit: "BPS", min: 1_000n, max: 10_000n, source: "JobEscrow.MIN_MAX_SLASHING_CUT_BPS, MAX_MAX_SLASHING_CUT_BPS" },
  "JobEscrow.disputeRewardBps": { unit: "BPS", min: 0n, max: 10_000n, source: "JobEscrow.MAX_DISPUTE_REWARD_BPS" },
  "JobEscrow.challengeWindow": { unit: "SECONDS", min: 10n * 60n, max: 7n * DAY, source: "JobEscrow.MIN_CHALLENGE_WINDOW, MAX_CHALLENGE_WINDOW" },
  "JobEscrow.grace": { unit: "SECONDS", min: 60n, max: DAY, source: "JobEscrow.MIN_GRACE, MAX_GRACE" },
  "JobEscrow.disputePeriod": { unit: "SECONDS", min: HOUR, max: 14n * DAY, source: "JobEscrow.MIN_DISPUTE_PERIOD, MAX_DISPUTE_PERIOD" },
  "JobEscrow.disputeDeposit": { unit: "WEI", min: E18, max: 1_000_000n * E18, source: "JobEscrow.MIN_DISPUTE_DEPOSIT, MAX_DISPUTE_DEPOSIT" },
  "JobEscrow.minTrackRecordCost": { unit: "WEI", min: 0n, max: 10_000n * E18, source: "JobEscrow.MAX_MIN_TRACK_RECORD_COST" },
  "LatentGovernor.votingDelay": { unit: "SECONDS", min: 0n, max: 30n * DAY, source: "LatentGovernor.MAX_VOTING_DELAY" },
  "LatentGovernor.votingPeriod": { unit: "SECONDS", min: 1n, max: 30n * DAY, source: "LatentGovernor.MAX_VOTING_PERIOD (non-zero)" },
  // max: the supply's share, filled in by parameterSpec.
  "LatentGovernor.proposalThreshold": { unit: "WEI", min: 0n, max: null, source: "LatentGovernor.maxProposalThreshold(): MAX_PROPOSAL_THRESHOLD_BPS (1%) of the supply" },
  "LatentGovernor.quorumNumerator": { unit: "PERCENT", min: 1n, max: 50n, source: "LatentGovernor.MIN_QUORUM_NUMERATOR, MAX_QUORUM_NUMERATOR" },
  "LatentGovernor.timelock": { unit: "ADDRESS", min: null, max: null, source: "GovernorTimelockControl" },
  "LatentTimelock.minDelay": { unit: "SECONDS", min: 0n, max: 30n * DAY, source: "LatentTimelock.MAX_DELAY" },
};

/** LatentGovernor.MAX_PROPOSAL_THRESHOLD_BPS. */
const MAX_PROPOSAL_THRESHOLD_BPS = 100n;

/** `totalSupply`: LAT's, which bounds the proposal threshold (unknown before the token is indexed). */
export function parameterSpec(id: string, isAddress: boolean, totalSupply: bigint | null): ParameterSpec {
  const spec = PARAMETER_SPECS[id] ?? { unit: isAddress ? "ADDRESS" : "COUNT", min: null, max: null, source: "unknown parameter" };
  if (id === "LatentGovernor.proposalThreshold" && totalSupply !== null) {
    return { ...spec, max: (totalSupply * MAX_PROPOSAL_THRESHOLD_BPS) / 10_000n };
  }
  return spec;
}
