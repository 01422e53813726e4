/** `npx hardhat stake <task>`: a provider's stake in the Staking contract. */
import { scope, types } from "hardhat/config";
import { latentReadTask, latentTask } from "./lib/define";

const stake = scope("stake", "Provider stake: add, thaw, withdraw, status");
const actions = () => import("./actions/stake");

latentTask(stake.task("add", "Stake LAT from the signer (approve + stake, or --permit)"), async () => (await actions()).add)
  .addParam("amount", "LAT to stake, a decimal such as 5000", undefined, types.string)
  .addFlag("permit", "Sign an EIP-2612 permit instead of sending an approve transaction");

latentTask(stake.task("thaw", "Start thawing free stake (withdrawable after the thawing period)"), async () => (await actions()).thaw).addParam(
  "amount",
  "LAT to thaw, or all for the whole free stake",
  undefined,
  types.string,
);

latentTask(stake.task("withdraw", "Withdraw matured thaw requests, oldest first"), async () => (await actions()).withdraw).addOptionalParam(
  "max",
  "Most thaw requests to pay out",
  "8",
  types.string,
);

latentReadTask(stake.task("status", "Staked, locked, thawing and free stake, and pending thaw requests (needs no account)"), async () => (await actions()).status, {
  accountDefault: true,
}).addOptionalParam("provider", "Provider address or account index (default: --from's account; required on a network with no account)", undefined, types.string);
