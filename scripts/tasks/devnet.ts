/** `npx hardhat devnet <task>`: a development chain's own levers (Hardhat Network, anvil, Ganache). */
import { scope, types } from "hardhat/config";
import { latentChainTask } from "./lib/define";

const devnet = scope("devnet", "A development chain's clock: advance");
const actions = () => import("./actions/devnet");

latentChainTask(
  devnet.task(
    "advance",
    "Move a development chain's clock forward (chain id 31337 or 1337 only) and mine a block at the new time: past a thawing period, " +
      "an acceptance or result deadline, a challenge window, a ruling period or a vote (needs no account and no deployment record; --deployment, optional, is checked to be the connected chain's)",
  ),
  async () => (await actions()).advance,
)
  .addOptionalParam("by", "How far: seconds, or units such as 90m, 2h, 1h30m, 1d (this or --to is required)", undefined, types.string)
  .addOptionalParam("to", "To when: unix seconds, or an ISO date such as 2030-01-01T12:00:00Z (UTC where it names no zone), after the latest block's time (instead of --by)", undefined, types.string);
