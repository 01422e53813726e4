import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { runGpuProbe } from "../../../scripts/worker/gpu-probe";

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("gpu-probe", () => {
  let binDir: string;
  beforeEach(() => {
    binDir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-probe-"));
  });
  afterEach(() => fs.rmSync(binDir, { recursive: true, force: true }));

  /** Writes a worker config whose chain and gpu sections are `chain` and `gpu`, the rest a local devnet's; its path. */
  function writeConfig(chain: Record<string, unknown>, gpu?: Record<string, unknown>): string {
    const config = path.join(binDir, "worker.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        chain,
        gateway: { httpUrl: "http://127.0.0.1:4000/graphql", wsUrl: "ws://127.0.0.1:4000/graphql" },
        provider: { address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },
        operatorKey: { env: "LATENT_OPERATOR_KEY" },
        contracts: { deploymentFile: "deployments/localhost.json" },
        ...(gpu === undefined ? {} : { gpu }),
      }),
    );
    return config;
  }

  it("prints the detected specs as JSON", async () => {
    const fake = path.join(binDir, "nvidia-smi");
    fs.writeFileSync(
      fake,
      "#!/bin/sh\necho 'NVIDIA L40S, 46068, 2, GPU-1, 550.54.14, [N/A]'\necho 'NVIDIA L40S, 46068, 2, GPU-2, 550.54.14, [N/A]'\n",
      { mode: 0o755 },
    );
    const stdout = collect();
    const code = await runGpuProbe(["--nvidia-smi", fake], {
      stdout: stdout.stream,
      stderr: collect().stream,
      env: {},
    });
    expect(code).to.equal(0);
    expect(JSON.parse(stdout.text())).to.deep.include({
      model: "l40s-48gb",
      vramGiB: 48,
      gpuCount: 2,
      displayName: "NVIDIA L40S",
    });
  });

  it("exits 1, printing no specs, saying how to turn MIG off, when the GPU is in MIG mode", async () => {
    const fake = path.join(binDir, "nvidia-smi");
    fs.writeFileSync(fake, "#!/bin/sh\necho 'NVIDIA A100-SXM4-80GB, 81920, 1, GPU-1, 550.54.14, Enabled'\n", { mode: 0o755 });
    const stdout = collect();
    const stderr = collect();
    const code = await runGpuProbe(["--nvidia-smi", fake], { stdout: stdout.stream, stderr: stderr.stream, env: {} });
    expect(code).to.equal(1);
    expect(stdout.text()).to.equal("");
    expect(stderr.text()).to.match(/^gpu-probe: MIG mode is enabled on GPU GPU-1: .* Disable MIG on it \(sudo nvidia-smi -i <uuid> -mig 0, /);
  });

  it("with --config never gives nvidia-smi the operator key's variable, even one named CUDA_*", async () => {
    const dump = path.join(binDir, "env.txt");
    const fake = path.join(binDir, "smi");
    fs.writeFileSync(fake, `#!/bin/sh\nenv > '${dump}'\necho 'NVIDIA L40S, 46068, 1, GPU-1, 550.54.14, [N/A]'\n`, { mode: 0o755 });
    const config = writeConfig({ rpcUrl: "http://127.0.0.1:8545" }, { nvidiaSmiPath: fake });
    const json = JSON.parse(fs.readFileSync(config, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(config, JSON.stringify({ ...json, operatorKey: { env: "CUDA_OPERATOR_KEY" } }));
    const key = `0x${"ab".repeat(32)}`;
    const env = { CUDA_OPERATOR_KEY: key, CUDA_VISIBLE_DEVICES: "0" };
    const code = await runGpuProbe(["--config", config], { stdout: collect().stream, stderr: collect().stream, env });
    expect(code).to.equal(0);
    const seen = fs.readFileSync(dump, "utf8");
    expect(seen).to.contain("CUDA_VISIBLE_DEVICES=0");
    expect(seen).not.to.contain("CUDA_OPERATOR_KEY").and.not.to.contain("ab".repeat(32));
  });

  it("with --config applies the worker's gpu section: its nvidia-smi, overrides, region and tier", async () => {
    const fake = path.join(binDir, "smi");
    fs.writeFileSync(fake, "#!/bin/sh\necho 'NVIDIA L40S, 46068, 1, GPU-1, 550.54.14, [N/A]'\n", { mode: 0o755 });
    const config = writeConfig(
      { rpcUrl: "http://127.0.0.1:8545" },
      { nvidiaSmiPath: fake, displayName: "Rack 7 L40S", region: "eu-west", tier: "enterprise" },
    );
    const stdout = collect();
    const code = await runGpuProbe(["--config", config], { stdout: stdout.stream, stderr: collect().stream, env: {} });
    expect(code).to.equal(0);
    expect(JSON.parse(stdout.text())).to.deep.include({
      model: "l40s-48gb",
      gpuCount: 1,
      displayName: "Rack 7 L40S",
      region: "eu-west",
      tier: "enterprise",
    });
  });

  it("exits 1 explaining why when no GPU can be found", async () => {
    const stderr = collect();
    const code = await runGpuProbe(["--nvidia-smi", path.join(binDir, "absent")], {
      stdout: collect().stream,
      stderr: stderr.stream,
      env: {},
    });
    expect(code).to.equal(1);
    expect(stderr.text()).to.contain("not found").and.to.contain("config.gpu.model");
  });

  it("exits 1 without the key of a URL given as nvidia-smi, in its warning or its error, with or without a config", async () => {
    const url = "https://eth.example.org/v2/sEcReTkEy0123456789?apikey=qUeRyKeY";
    const config = writeConfig({ rpcUrl: "https://other.example.org/v3/oThErKeY" });
    for (const argv of [["--nvidia-smi", url], ["--config", config, "--nvidia-smi", url]]) {
      const stderr = collect();
      const code = await runGpuProbe(argv, { stdout: collect().stream, stderr: stderr.stream, env: {} });
      expect(code).to.equal(1);
      const [warning, error] = stderr.text().trimEnd().split("\n");
      expect(warning).to.contain("GPU detection failed").and.to.contain("https://eth.example.org/…");
      expect(error).to.contain("GPU detection failed (https://eth.example.org/… not found)");
      expect(stderr.text()).not.to.contain("sEcReTkEy").and.not.to.contain("qUeRyKeY");
    }
  });

  it("exits 1 without the key of a URL pasted from Windows as nvidia-smi, in its JSON warning or its error", async () => {
    const url = "C:\\work\\https:\\eth.example.org\\v2\\sEcReTkEy0123456789";
    const stderr = collect();
    const code = await runGpuProbe(["--nvidia-smi", url], { stdout: collect().stream, stderr: stderr.stream, env: {} });
    expect(code).to.equal(1);
    const [warning, error] = stderr.text().trimEnd().split("\n");
    expect(JSON.parse(warning).msg).to.contain("GPU detection failed");
    expect(warning).to.contain("C:\\\\work\\\\https:\\\\eth.example.org/…");
    expect(error).to.contain("GPU detection failed (C:\\work\\https:\\eth.example.org/… not found)");
    expect(stderr.text()).not.to.contain("sEcReTkEy");
  });

  it("exits 2 for a config error without the API key of a URL its message quotes", async () => {
    // The RPC URL pasted into the wrong field: chain.chainId's error quotes the value, key and all.
    const config = writeConfig({ rpcUrl: "https://eth.example.org", chainId: "https://eth.example.org/v2/sEcReTkEy0123456789" });
    const stderr = collect();
    const code = await runGpuProbe(["--config", config], { stdout: collect().stream, stderr: stderr.stream, env: {} });
    expect(code).to.equal(2);
    expect(stderr.text()).to.equal(
      'gpu-probe: config.chain.chainId: must be an integer between 1 and 9007199254740991, got "https://eth.example.org/…"\n',
    );
  });

  it("gives nvidia-smi --timeout seconds, then exits 1 naming the limit it ran past", async () => {
    const fake = path.join(binDir, "nvidia-smi");
    fs.writeFileSync(fake, "#!/bin/sh\nsleep 30\n", { mode: 0o755 });
    const stderr = collect();
    const code = await runGpuProbe(["--nvidia-smi", fake, "--timeout", "1"], {
      stdout: collect().stream,
      stderr: stderr.stream,
      env: {},
    });
    expect(code).to.equal(1);
    expect(stderr.text()).to.contain(`GPU detection failed (${fake} ran longer than 1000 ms and was killed)`);
  });

  it("exits 2 on a bad timeout", async () => {
    const stderr = collect();
    const code = await runGpuProbe(["--timeout", "soon"], { stdout: collect().stream, stderr: stderr.stream, env: {} });
    expect(code).to.equal(2);
    expect(stderr.text()).to.contain('--timeout must be an integer between 1 and 300, got "soon"');
  });
});
