import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProviderInUseError, claimProvider, providerClaimFile } from "../../../scripts/worker/provider-claim";

const PROVIDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

describe("worker provider claim", () => {
  let dir: string;
  /** The start time each pid's process has now, as /proc would say. */
  let startTimes: Map<number, string>;
  const startTimeOf = (pid: number) => startTimes.get(pid);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-claim-"));
    startTimes = new Map([
      [4242, "100"],
      [4343, "300"],
    ]);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses a provider another live worker claimed on the same JobEscrow, naming its pid and the fix", () => {
    claimProvider(dir, PROVIDER, ESCROW, 4242, startTimeOf);
    let error: unknown;
    try {
      claimProvider(dir, PROVIDER, ESCROW.toLowerCase(), 4343, startTimeOf);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(ProviderInUseError);
    expect((error as Error).message).to.equal(
      `another worker (pid 4242) serves provider ${PROVIDER} with this JobEscrow (${providerClaimFile(dir, PROVIDER, ESCROW)}): ` +
        "run one worker per provider, or stop that one first",
    );
  });

  it("takes over the claim of a worker that is gone, its pid now another process's", () => {
    claimProvider(dir, PROVIDER, ESCROW, 4242, startTimeOf);
    startTimes.set(4242, "200");
    claimProvider(dir, PROVIDER, ESCROW, 4343, startTimeOf);
    expect(fs.readFileSync(providerClaimFile(dir, PROVIDER, ESCROW), "utf8")).to.equal("4343\n");
  });

  it("gives the claim back at exit, and lets workers of other providers or another JobEscrow claim beside it", () => {
    const release = claimProvider(dir, PROVIDER, ESCROW, 4242, startTimeOf);
    claimProvider(dir, OTHER, ESCROW, 4343, startTimeOf);
    claimProvider(dir, PROVIDER, OTHER, 4343, startTimeOf);
    release();
    expect(fs.existsSync(providerClaimFile(dir, PROVIDER, ESCROW))).to.equal(false);
    claimProvider(dir, PROVIDER, ESCROW, 4343, startTimeOf);
  });

  it("refuses a results directory mkdir answers ENOENT under a parent that exists (/proc/x), where Node's recursive mkdir would loop forever", () => {
    expect(() => claimProvider("/proc/x", PROVIDER, ESCROW, 4242, startTimeOf)).to.throw().with.property("code", "ENOENT");
  });
});
