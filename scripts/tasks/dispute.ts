/** `npx hardhat dispute <task>`: disputes over submitted results. */
import { scope, types } from "hardhat/config";
import { latentTask } from "./lib/define";

const dispute = scope("dispute", "Disputes: open (client), answer (provider), rule (arbitrator), close-expired (anyone)");
const actions = () => import("./actions/dispute");

latentTask(dispute.task("open", "Dispute a submitted result within its challenge window, posting the deposit (client)"), async () => (await actions()).open)
  .addParam("job", "Job id", undefined, types.string)
  .addParam("evidenceUri", "URI of the client's evidence", undefined, types.string)
  .addFlag("permit", "Sign an EIP-2612 permit for the deposit instead of sending an approve transaction");

latentTask(dispute.task("answer", "Answer an open dispute once with evidence (provider or its operator)"), async () => (await actions()).answer)
  .addParam("job", "Job id", undefined, types.string)
  .addParam("evidenceUri", "URI of the provider's evidence", undefined, types.string);

latentTask(dispute.task("rule", "Rule on an open dispute before its deadline (arbitrator)"), async () => (await actions()).rule)
  .addParam("job", "Job id", undefined, types.string)
  .addParam("ruling", "upheld, rejected or draw", undefined, types.string)
  .addOptionalParam("slash", "For upheld: LAT of collateral to slash, or max (default max)", undefined, types.string);

latentTask(dispute.task("close-expired", "Close a dispute the arbitrator did not rule on in time, as a draw (anyone)"), async () => (await actions()).closeExpired).addParam(
  "job",
  "Job id",
  undefined,
  types.string,
);
