/** `npx hardhat deployment verify`: the deployment record checked against the connected chain. */
import { scope } from "hardhat/config";
import { latentReadTask } from "./lib/define";

const deployment = scope("deployment", "The deployment record: verify");
const actions = () => import("./actions/deployment");

latentReadTask(
  deployment.task("verify", "Check the record against the connected chain: every address, governor and timelock setting, protocol parameter, role and mint the deployment set (a guardian, arbitrator, treasury, governance setting, protocol parameter or timelock role governance changed since passes, named with its block; a role granted or revoked by any other sender fails; exit 1 naming what else differs; needs no account)"),
  async () => (await actions()).verify,
);
