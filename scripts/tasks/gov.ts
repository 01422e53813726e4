/** `npx hardhat gov <task>`: token-holder governance of the protocol's parameters. */
import { scope, types } from "hardhat/config";
import { latentReadTask, latentTask } from "./lib/define";
import { GOV_VALUE_HELP } from "./lib/format";

const gov = scope("gov", "Governance: delegate, propose a parameter change, vote, queue, execute, cancel, status");
const actions = () => import("./actions/gov");
const id = "Proposal id";

latentTask(
  gov.task("propose", "Propose one parameter change, or a token recovery (the calldata is built from the contract's ABI)"),
  async () => (await actions()).propose,
)
  .addParam("contract", "Target contract: Staking, JobEscrow, ProviderRegistry, DisputeManager, PauseGuardian, LatentGovernor, LatentTimelock", undefined, types.string)
  .addParam(
    "set",
    "Parameter (minStakePerGpu, quorumNumerator) or function (setMinStakePerGpu, unpause, updateQuorumNumerator; recoverTokens on DisputeManager, JobEscrow or Staking, with --token, --to, --amount)",
    undefined,
    types.string,
  )
  .addOptionalParam("value", GOV_VALUE_HELP, undefined, types.string)
  .addOptionalParam("token", "recoverTokens (required with it): the token sent by mistake, LAT or its address", undefined, types.string)
  .addOptionalParam("to", "recoverTokens (required with it): the recipient, an address or account index", undefined, types.string)
  .addOptionalParam("amount", "recoverTokens (required with it): how much, in the token's units (12.5), or all (all that is recoverable at execution)", undefined, types.string)
  .addParam("description", "Proposal description (its hash is part of the proposal id)", undefined, types.string);

latentTask(gov.task("vote", "Vote on an active proposal"), async () => (await actions()).vote)
  .addParam("id", id, undefined, types.string)
  .addParam("support", "for, against or abstain", undefined, types.string)
  .addOptionalParam("reason", "Reason, recorded in the VoteCast event (default: none, the vote is cast without one)", undefined, types.string);

latentTask(gov.task("queue", "Queue a succeeded proposal in the timelock (anyone)"), async () => (await actions()).queue).addParam("id", id, undefined, types.string);
latentTask(gov.task("execute", "Execute a queued proposal once its timelock delay passed (anyone)"), async () => (await actions()).execute).addParam("id", id, undefined, types.string);
latentTask(gov.task("cancel", "Cancel the signer's own proposal while it is Pending, before voting opens (its proposer only)"), async () => (await actions()).cancel).addParam("id", id, undefined, types.string);
latentReadTask(gov.task("status", "State, actions, tallies, quorum and eta of a proposal (needs no account)"), async () => (await actions()).status).addParam("id", id, undefined, types.string);

latentTask(gov.task("delegate", "Delegate the signer's LAT votes (needed before voting or proposing)"), async () => (await actions()).delegate).addOptionalParam(
  "to",
  "Delegate: address or account index (default: the signer itself)",
  undefined,
  types.string,
);
