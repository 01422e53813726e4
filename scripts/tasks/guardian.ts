/** `npx hardhat guardian <task>`: the emergency brake. */
import { scope } from "hardhat/config";
import { latentReadTask, latentTask } from "./lib/define";

const guardian = scope("guardian", "Pause guardian: pause (guardian only), status");
const actions = () => import("./actions/guardian");

latentTask(guardian.task("pause", "Pause registrations, new stake, job creation and acceptance (guardian only)"), async () => (await actions()).pause);
latentReadTask(guardian.task("status", "Whether the protocol is paused, until when, and who the guardian is (needs no account)"), async () => (await actions()).status);
