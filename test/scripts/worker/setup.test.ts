import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig } from "../../../scripts/worker/config";
import { createLogger } from "../../../scripts/worker/logger";
import { GpuMigModeError } from "../../../scripts/worker/gpu";
import { isSetupError, prepareWorkerParts } from "../../../scripts/worker/setup";

describe("worker setup", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-setup-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A worker config detecting its GPUs with the nvidia-smi at `smi`, its operator key in the variable `keyEnv`. */
  function writeConfig(smi: string, keyEnv: string): string {
    const configFile = path.join(dir, "worker.json");
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        chain: { rpcUrl: "http://127.0.0.1:8545" },
        gateway: { httpUrl: "http://127.0.0.1:4000/graphql", wsUrl: "ws://127.0.0.1:4000/graphql" },
        provider: { address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },
        operatorKey: { env: keyEnv },
        contracts: {
          jobEscrow: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
          providerRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
        },
        gpu: { nvidiaSmiPath: smi },
        results: { dir: path.join(dir, "results") },
      }),
    );
    return configFile;
  }

  it("never gives nvidia-smi the operator key's variable, even one named CUDA_*", async () => {
    const dump = path.join(dir, "env.txt");
    const smi = path.join(dir, "smi");
    fs.writeFileSync(smi, `#!/bin/sh\nenv > '${dump}'\necho 'NVIDIA L40S, 46068, 1, GPU-1, 550.54.14, [N/A]'\n`, { mode: 0o755 });
    const configFile = writeConfig(smi, "CUDA_OPERATOR_KEY");
    const key = `0x${"ab".repeat(32)}`;
    const parts = await prepareWorkerParts(loadConfig(configFile), createLogger("error", () => undefined), {
      CUDA_OPERATOR_KEY: key,
      CUDA_VISIBLE_DEVICES: "0",
    });
    expect(parts.gpus).to.deep.include({ model: "l40s-48gb", source: "nvidia-smi" });
    const seen = fs.readFileSync(dump, "utf8");
    expect(seen).to.contain("CUDA_VISIBLE_DEVICES=0");
    expect(seen).not.to.contain("CUDA_OPERATOR_KEY").and.not.to.contain("ab".repeat(32));
  });

  it("refuses to start, as a setup error, when a GPU jobs would be given is in MIG mode", async () => {
    const smi = path.join(dir, "smi");
    fs.writeFileSync(smi, "#!/bin/sh\necho 'NVIDIA A100-SXM4-80GB, 81920, 1, GPU-1, 550.54.14, Enabled'\n", { mode: 0o755 });
    const configFile = writeConfig(smi, "LATENT_OPERATOR_KEY");
    const env = { LATENT_OPERATOR_KEY: `0x${"ab".repeat(32)}` };
    const error = await prepareWorkerParts(loadConfig(configFile), createLogger("error", () => undefined), env).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).to.be.instanceOf(GpuMigModeError);
    expect(isSetupError(error)).to.equal(true);
  });
});
