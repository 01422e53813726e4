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

  it("prints the detected specs as JSON", async () => {
    const fake = path.join(binDir, "nvidia-smi");
    fs.writeFileSync(
      fake,
      "#!/bin/sh\necho 'NVIDIA L40S, 46068, 2, GPU-1, 550.54.14'\necho 'NVIDIA L40S, 46068, 2, GPU-2, 550.54.14'\n",
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
      vramGiB: 45,
      gpuCount: 2,
      displayName: "NVIDIA L40S",
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

  it("exits 2 on a bad timeout", async () => {
    const stderr = collect();
    const code = await runGpuProbe(["--timeout", "soon"], { stdout: collect().stream, stderr: stderr.stream, env: {} });
    expect(code).to.equal(2);
    expect(stderr.text()).to.contain('--timeout must be an integer between 1 and 300, got "soon"');
  });
});
