/** `npx hardhat provider <task>`: list a machine and keep its listing current. */
import { scope, types } from "hardhat/config";
import { latentReadTask, latentTask } from "./lib/define";

const provider = scope("provider", "Providers: list a GPU machine, change it, go online/offline, leave");
const actions = () => import("./actions/provider");

const listingParams = (required: boolean) => {
  // register needs the specs (a catalog model fills name, VRAM and tier); update keeps what is not given. Hardhat's
  // help shows every option as optional (the task checks them itself), so the ones register needs say so.
  const hint = required ? "" : " (default: unchanged)";
  const needed = required ? " (required)" : hint;
  return [
    ["model", `GPU model id, lowercase [a-z0-9-] up to 32 bytes, e.g. h100-sxm-80gb${needed}`],
    ["name", `GPU model display name (default for catalog models: the catalog's)${hint}`],
    ["vram", `Memory per GPU in GiB (default for catalog models: the catalog's)${hint}`],
    ["count", `Number of GPUs listed${needed}`],
    ["region", `Region code, lowercase [a-z0-9-] up to 16 bytes, e.g. eu-west${needed}`],
    ["tier", `enterprise or consumer (default for catalog models: the catalog's)${hint}`],
    ["price", `Price per GPU-hour in LAT, a decimal such as 2.5${needed}`],
    ["metadataUri", `Worker endpoint or metadata document URI, e.g. https://gpu.example/worker.json${needed}`],
  ] as const;
};

const register = latentTask(provider.task("register", "List the signer's machine (it starts offline)"), async () => (await actions()).register);
for (const [name, description] of listingParams(true)) register.addOptionalParam(name, description, undefined, types.string);
register.addOptionalParam("operator", "Operator (worker hot key): address or account index (default: none, the provider signs its work itself)", undefined, types.string);

const update = latentTask(provider.task("update", "Change the signer's listing; options not given keep their value"), async () => (await actions()).update);
for (const [name, description] of listingParams(false)) update.addOptionalParam(name, description, undefined, types.string);

latentTask(provider.task("price", "Change only the price per GPU-hour"), async () => (await actions()).price).addParam(
  "price",
  "New price per GPU-hour in LAT, e.g. 2.2",
  undefined,
  types.string,
);

latentTask(provider.task("operator", "Name the operator (worker hot key), or none"), async () => (await actions()).operator).addParam(
  "operator",
  "Address or account index of the operator, or none to remove it",
  undefined,
  types.string,
);

latentTask(
  provider.task("slash-reward-cap", "Cap the share of the signer's slashes paid to the job's client (set 0 before an operator key is out; lowered only with no collateral locked)"),
  async () => (await actions()).slashRewardCap,
).addParam("bps", "Most of a slash paid to the client, in bps: 0 (all to the treasury) .. 10000 (no cap)", undefined, types.string);

const providerOption = "Provider acted for (address or account index); default: the signer, which must be registered";
latentTask(provider.task("online", "Go online (by the provider or its operator)"), async () => (await actions()).goOnline).addOptionalParam(
  "provider",
  providerOption,
  undefined,
  types.string,
);
latentTask(provider.task("offline", "Go offline (by the provider or its operator)"), async () => (await actions()).goOffline).addOptionalParam(
  "provider",
  providerOption,
  undefined,
  types.string,
);

latentTask(provider.task("deregister", "Leave the registry (no GPUs in use, no collateral locked)"), async () => (await actions()).deregister);

latentReadTask(provider.task("show", "Specs, capacity, status, stake and track record of a provider (needs no account)"), async () => (await actions()).show, {
  accountDefault: true,
}).addOptionalParam("provider", "Provider address or account index (default: --from's account; required on a network with no account)", undefined, types.string);
