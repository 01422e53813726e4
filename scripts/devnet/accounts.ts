// The devnet's accounts and what each one is for: the scenario driver's roles (assignActors), with the machine
// each provider account lists once the demo network is seeded.
import type { Signer } from "ethers";
import { assignActors } from "../scenario";
import type { SeedProvider } from "./seed";

export interface RoleAccount {
  index: number;
  address: string;
  role: string;
  /** Only for a local chain whose keys are Hardhat's public defaults. */
  privateKey?: string;
}

const ROLE_TEXT = {
  deployer: "deployer (deploys; holds no role and no LAT afterwards)",
  guardian: "guardian (may pause new business)",
  arbitrator: "arbitrator (rules disputes)",
  funder: "LAT holder (150M LAT, votes, proposes)",
  voter: "voter",
  provider: "provider (owner key: stake, price, specs)",
  operator: "operator (worker hot key: online, accept, submit)",
  client: "client (posts jobs)",
} as const;

function describeMachine(p: SeedProvider): string {
  const state = p.registered ? `${p.gpuCount}x ${p.gpuModel}, ${p.region}, ${p.tier}` : "left the network (thawed, withdrew, deregistered)";
  return `provider: ${state}`;
}

/** Every scenario account with its role; `providers` (from the seed) adds what each provider account lists. */
export async function roleAccounts(signers: readonly Signer[], providers: readonly SeedProvider[] = []): Promise<RoleAccount[]> {
  const actors = assignActors(signers);
  const roleByAddress = new Map<string, string>();
  const put = async (signer: Signer, role: string): Promise<void> => {
    roleByAddress.set((await signer.getAddress()).toLowerCase(), role);
  };
  await put(actors.deployer, ROLE_TEXT.deployer);
  await put(actors.guardian, ROLE_TEXT.guardian);
  await put(actors.arbitrator, ROLE_TEXT.arbitrator);
  await put(actors.funder, ROLE_TEXT.funder);
  for (const v of actors.voters) await put(v, ROLE_TEXT.voter);
  for (const p of actors.providers) await put(p, ROLE_TEXT.provider);
  for (const o of actors.operators) await put(o, ROLE_TEXT.operator);
  for (const c of actors.clients) await put(c, ROLE_TEXT.client);
  for (const p of providers) {
    if (roleByAddress.has(p.address.toLowerCase())) roleByAddress.set(p.address.toLowerCase(), describeMachine(p));
  }
  const out: RoleAccount[] = [];
  for (const [index, signer] of signers.entries()) {
    const address = await signer.getAddress();
    const role = roleByAddress.get(address.toLowerCase());
    if (role !== undefined) out.push({ index, address, role });
  }
  return out;
}

/** The account index of `address` among `accounts`, or undefined. */
export function indexOf(accounts: readonly RoleAccount[], address: string): number | undefined {
  return accounts.find((a) => a.address.toLowerCase() === address.toLowerCase())?.index;
}
