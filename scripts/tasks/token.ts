/** `npx hardhat token <task>`: an account's LAT. */
import { scope, types } from "hardhat/config";
import { latentReadTask, latentTask } from "./lib/define";

const token = scope("token", "LAT: an account's balance, votes and delegate; transfer");
const actions = () => import("./actions/token");

latentReadTask(token.task("balance", "An account's LAT balance, its votes and its delegate (needs no account)"), async () => (await actions()).balance, {
  accountDefault: true,
}).addOptionalParam("account", "Address or account index (default: --from's account; required on a network with no account)", undefined, types.string);

latentTask(token.task("transfer", "Send LAT from the signer to another account (e.g. to fund a new provider's stake)"), async () => (await actions()).transfer)
  .addParam("to", "Recipient: address or account index", undefined, types.string)
  .addParam("amount", "LAT to send, a decimal such as 1500", undefined, types.string);
