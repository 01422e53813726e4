/** `npx hardhat token <task>`: an account's LAT. */
import { scope, types } from "hardhat/config";
import { latentReadTask } from "./lib/define";

const token = scope("token", "LAT: an account's balance, votes and delegate");
const actions = () => import("./actions/token");

latentReadTask(token.task("balance", "An account's LAT balance, its votes and its delegate (needs no account)"), async () => (await actions()).balance, {
  accountDefault: true,
}).addOptionalParam("account", "Address or account index (default: --from's account; required on a network with no account)", undefined, types.string);
