/** `npx hardhat deployment verify`: the deployment record checked against the connected chain. */
import { scope } from "hardhat/config";
import { latentTask } from "./lib/define";

const deployment = scope("deployment", "The deployment record: verify");
const actions = () => import("./actions/deployment");

latentTask(
  deployment.task("verify", "Check every address, role and mint the deployment set against the connected chain (exit 1 naming what differs)"),
  async () => (await actions()).verify,
);
