import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { GpuConfig } from "../../../scripts/worker/config";
import {
  GpuMigModeError,
  GpuSpecsUnavailableError,
  NvidiaSmiOutputError,
  groupGpus,
  offeredVramGiB,
  gpuModelIdFor,
  normaliseGpuModelId,
  parseNvidiaSmiOutput,
  resolveGpuSpecs,
} from "../../../scripts/worker/gpu";
import { offeredGpuIds } from "../../../scripts/worker/gpu-pool";
import { GPU_MODELS } from "../../../scripts/scenario/catalog";
import { LogRecord, createLogger } from "../../../scripts/worker/logger";

// Output captured from real machines (UUIDs shortened).
const H100_X8 = Array.from(
  { length: 8 },
  (_, i) => `NVIDIA H100 80GB HBM3, 81559, 8, GPU-4c0b5e2a-000${i}, 535.129.03`,
).join("\n");
const RTX_4090 = "NVIDIA GeForce RTX 4090, 24564, 1, GPU-9f3e1c77-1d2a, 550.54.14";
const MIXED = [
  "NVIDIA GeForce RTX 3090, 24576, 3, GPU-aa01, 535.104.05",
  "NVIDIA RTX A6000, 49140, 3, GPU-bb02, 535.104.05",
  "NVIDIA GeForce RTX 3090, 24576, 3, GPU-cc03, 535.104.05",
].join("\n");

/** `lines` as the query with mig.mode.current prints them: "[N/A]" for a GPU without MIG (every GeForce). */
function withMigMode(lines: string, ...modes: string[]): string {
  return lines
    .split("\n")
    .map((line, index) => `${line}, ${modes[index] ?? modes[0] ?? "[N/A]"}`)
    .join("\n");
}

describe("GPU detection", () => {
  describe("model id normalisation", () => {
    const cases: [string, number, string][] = [
      ["NVIDIA H100 80GB HBM3", 81559, "h100-80gb-hbm3"],
      ["NVIDIA H100 PCIe", 81559, "h100-pcie-80gb"],
      ["NVIDIA H100 NVL", 95830, "h100-nvl-94gb"],
      ["NVIDIA H200", 143771, "h200-141gb"],
      ["NVIDIA A100-SXM4-40GB", 40960, "a100-sxm4-40gb"],
      ["NVIDIA A100-SXM4-80GB", 81920, "a100-sxm4-80gb"],
      ["NVIDIA A100-PCIE-40GB", 40960, "a100-pcie-40gb"],
      ["NVIDIA A100 80GB PCIe", 81920, "a100-80gb-pcie"],
      ["NVIDIA L40S", 46068, "l40s-48gb"],
      ["NVIDIA L4", 23034, "l4-24gb"],
      ["NVIDIA A10G", 23028, "a10g-24gb"],
      ["Tesla T4", 15360, "t4-16gb"],
      ["Tesla V100-SXM2-16GB", 16160, "v100-sxm2-16gb"],
      ["NVIDIA GeForce RTX 4090", 24564, "rtx-4090-24gb"],
      ["NVIDIA GeForce RTX 3090", 24576, "rtx-3090-24gb"],
      ["NVIDIA GeForce RTX 3080 Ti", 12288, "rtx-3080-ti-12gb"],
      ["NVIDIA GeForce RTX 4090 Laptop GPU", 16376, "rtx-4090-laptop-16gb"],
      ["NVIDIA RTX A6000", 49140, "rtx-a6000-48gb"],
      ["NVIDIA RTX 6000 Ada Generation", 49140, "rtx-6000-ada-48gb"],
      ["Quadro RTX 8000", 48601, "rtx-8000-48gb"],
    ];
    for (const [name, memoryMiB, id] of cases) {
      it(`maps "${name}" with ${memoryMiB} MiB to ${id}`, () => {
        expect(normaliseGpuModelId(name, memoryMiB)).to.equal(id);
      });
    }

    // nvidia-smi's names for the catalog's data-centre models, from real machines: offered under the catalog's ids,
    // which providers register and clients ask for.
    const catalogCases: [string, number, string][] = [
      ["NVIDIA H100 80GB HBM3", 81559, "h100-sxm-80gb"],
      ["NVIDIA H100 PCIe", 81559, "h100-pcie-80gb"],
      ["NVIDIA H200", 143771, "h200-sxm-141gb"],
      ["NVIDIA A100-SXM4-80GB", 81920, "a100-sxm-80gb"],
      ["NVIDIA A100-PCIE-40GB", 40960, "a100-pcie-40gb"],
      ["NVIDIA L40S", 46068, "l40s-48gb"],
      ["NVIDIA RTX A6000", 49140, "rtx-a6000-48gb"],
      ["NVIDIA GeForce RTX 4090", 24564, "rtx-4090-24gb"],
    ];
    for (const [name, memoryMiB, id] of catalogCases) {
      it(`offers "${name}" under the catalog's id ${id}`, () => {
        expect(GPU_MODELS.map((m) => m.id)).to.include(id);
        expect(gpuModelIdFor(name, memoryMiB)).to.equal(id);
      });
    }

    // The catalog lists marketed sizes; the driver reports less (an H200 143771 MiB, 140 GiB rounded).
    const catalogVram: [string, number, number][] = [
      ["NVIDIA H200", 143771, 141],
      ["NVIDIA L40S", 46068, 48],
      ["NVIDIA H100 80GB HBM3", 81559, 80],
      ["NVIDIA GeForce RTX 4090", 24564, 24],
    ];
    for (const [name, memoryMiB, vramGiB] of catalogVram) {
      it(`offers "${name}" with ${memoryMiB} MiB with the catalog's ${vramGiB} GiB per GPU`, () => {
        const { offered } = groupGpus([{ name, memoryMiB, uuid: "GPU-1", driverVersion: "580.159.04" }]);
        expect(GPU_MODELS.find((m) => m.id === offered.model)?.vramGiB).to.equal(vramGiB);
        expect(offered.vramGiB).to.equal(vramGiB);
      });
    }

    it("offers a model the catalog does not list with its measured memory, rounded", () => {
      const { offered } = groupGpus([{ name: "NVIDIA H100 NVL", memoryMiB: 95830, uuid: "GPU-1", driverVersion: "580.159.04" }]);
      expect([offered.model, offered.vramGiB]).to.deep.equal(["h100-nvl-94gb", 94]);
    });

    it("offers a catalog id with memory other than its marketed size with the measured memory", () => {
      // An "L40S" reporting 40 GiB (a partitioned or misreported board) is not given the catalog's 48.
      expect(offeredVramGiB("l40s-48gb", 40960)).to.equal(40);
    });

    it("offers a model the catalog does not list under its normalised name", () => {
      expect(gpuModelIdFor("NVIDIA H100 NVL", 95830)).to.equal("h100-nvl-94gb");
      expect(gpuModelIdFor("NVIDIA A100-SXM4-40GB", 40960)).to.equal("a100-sxm4-40gb");
    });

    it("keeps ids within 32 bytes of [a-z0-9-] and keeps the memory size when shortening", () => {
      const id = normaliseGpuModelId(
        "NVIDIA Some Very Long Experimental Accelerator Engineering Sample (rev 2)",
        98304,
      );
      expect(id).to.match(/^[a-z0-9-]{1,32}$/);
      expect(id.endsWith("-96gb")).to.equal(true);
      expect(id.startsWith("some-very-long")).to.equal(true);
    });

    it("reports the measured memory when no marketed size is near it", () => {
      expect(normaliseGpuModelId("NVIDIA Prototype", 56 * 1024)).to.equal("prototype-56gb");
    });
  });

  describe("nvidia-smi output", () => {
    it("parses one device per line", () => {
      expect(parseNvidiaSmiOutput(RTX_4090)).to.deep.equal([
        { name: "NVIDIA GeForce RTX 4090", memoryMiB: 24564, uuid: "GPU-9f3e1c77-1d2a", driverVersion: "550.54.14" },
      ]);
    });

    it("reads mig.mode.current when the query asks for it: Enabled, or not (Disabled, [N/A] on a GPU without MIG)", () => {
      const devices = parseNvidiaSmiOutput(withMigMode(MIXED, "Enabled", "Disabled", "[N/A]"), true);
      expect(devices.map((device) => device.migEnabled)).to.deep.equal([true, false, false]);
      expect(devices[0]).to.deep.include({ name: "NVIDIA GeForce RTX 3090", memoryMiB: 24576, uuid: "GPU-aa01" });
      expect(() => parseNvidiaSmiOutput(RTX_4090, true)).to.throw(NvidiaSmiOutputError, "expected 6 comma-separated fields");
    });

    it("rejects a line whose memory is not a number", () => {
      expect(() => parseNvidiaSmiOutput("NVIDIA L4, [N/A], 1, GPU-1, 550.54.14")).to.throw(
        NvidiaSmiOutputError,
        "memory.total",
      );
    });

    it("offers the largest homogeneous group of a mixed machine and lists the rest", () => {
      const { offered, ignored } = groupGpus(parseNvidiaSmiOutput(MIXED));
      expect(offered.model).to.equal("rtx-3090-24gb");
      expect(offered.devices.map((device) => device.uuid)).to.deep.equal(["GPU-aa01", "GPU-cc03"]);
      expect(ignored.map((group) => [group.model, group.devices.length])).to.deep.equal([["rtx-a6000-48gb", 1]]);
    });

    it("breaks a tie between groups in favour of more VRAM", () => {
      const { offered } = groupGpus(
        parseNvidiaSmiOutput(`${RTX_4090}\nNVIDIA RTX A6000, 49140, 2, GPU-bb02, 550.54.14`),
      );
      expect(offered.model).to.equal("rtx-a6000-48gb");
    });
  });

  describe("resolving specs with a fake nvidia-smi on PATH", () => {
    let binDir: string;
    let records: LogRecord[];
    const logger = () => createLogger("debug", (record) => records.push(record));
    const env = () => ({ ...process.env, PATH: `${binDir}:${process.env.PATH ?? ""}` });
    const gpuConfig = (overrides: Partial<GpuConfig> = {}): GpuConfig => ({
      detect: true,
      nvidiaSmiPath: "nvidia-smi",
      detectTimeoutMs: 5000,
      region: "eu-west",
      tier: "enterprise",
      ...overrides,
    });

    // The fake insists on the exact query, so a test also fails if the worker asks nvidia-smi the wrong question, and
    // notes each run in `calls`.
    function installNvidiaSmi(body: string): void {
      const script = [
        "#!/bin/sh",
        `echo "$*" >> '${path.join(binDir, "calls")}'`,
        'if [ "$1" != "--query-gpu=name,memory.total,count,uuid,driver_version,mig.mode.current" ] || [ "$2" != "--format=csv,noheader,nounits" ]; then',
        '  echo "unexpected arguments: $*" >&2; exit 64',
        "fi",
        body,
      ].join("\n");
      fs.writeFileSync(path.join(binDir, "nvidia-smi"), `${script}\n`, { mode: 0o755 });
    }
    const calls = (): string[] => fs.readFileSync(path.join(binDir, "calls"), "utf8").split("\n").filter((line) => line !== "");

    beforeEach(() => {
      binDir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-gpu-"));
      records = [];
    });
    afterEach(() => fs.rmSync(binDir, { recursive: true, force: true }));

    it("reports eight H100s from an 8-GPU server", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(H100_X8, "Disabled")}\nEOF`);
      const specs = await resolveGpuSpecs(gpuConfig(), logger(), env());
      expect(specs).to.deep.include({
        model: "h100-sxm-80gb",
        displayName: "NVIDIA H100 80GB HBM3",
        vramGiB: 80,
        gpuCount: 8,
        region: "eu-west",
        tier: "enterprise",
        source: "nvidia-smi",
        driverVersion: "535.129.03",
      });
      expect(specs.uuids).to.have.length(8);
    });

    it("lets config fields win over what nvidia-smi says", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(RTX_4090)}\nEOF`);
      const specs = await resolveGpuSpecs(gpuConfig({ model: "rtx-4090-oc-24gb", gpuCount: 1 }), logger(), env());
      expect(specs).to.deep.include({ model: "rtx-4090-oc-24gb", vramGiB: 24, source: "nvidia-smi+config" });
    });

    it("names a config.gpu.model other than the detected one as the catalog does, by its id if unknown, never by nvidia-smi's name", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(RTX_4090)}\nEOF`);
      const catalog = await resolveGpuSpecs(gpuConfig({ model: "rtx-3090-24gb" }), logger(), env());
      expect(catalog.displayName).to.equal("NVIDIA GeForce RTX 3090");
      const unknown = await resolveGpuSpecs(gpuConfig({ model: "rtx-4090-oc-24gb" }), logger(), env());
      expect(unknown.displayName).to.equal("rtx-4090-oc-24gb");
      const same = await resolveGpuSpecs(gpuConfig({ model: "rtx-4090-24gb" }), logger(), env());
      expect(same.displayName).to.equal("NVIDIA GeForce RTX 4090");
      const named = await resolveGpuSpecs(gpuConfig({ model: "rtx-3090-24gb", displayName: "Rack 7 3090" }), logger(), env());
      expect(named.displayName).to.equal("Rack 7 3090");
    });

    it("warns when config.gpu names another model or more memory than nvidia-smi detects, saying how to offer what it does", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode("NVIDIA GeForce RTX 3090, 24576, 1, GPU-aa01, 535.104.05")}\nEOF`);
      const specs = await resolveGpuSpecs(gpuConfig({ model: "rtx-4090-24gb", vramGiB: 48 }), logger(), env());
      expect(specs).to.deep.include({ model: "rtx-4090-24gb", vramGiB: 48 });
      expect(records.filter((record) => record.level === "warn").map(({ msg, fields }) => ({ msg, fields }))).to.deep.equal([
        {
          msg:
            "config.gpu offers GPUs other than those detected: jobs are matched against config.gpu, not this machine; " +
            "remove config.gpu.model and config.gpu.vramGiB to offer what nvidia-smi reports",
          fields: { model: { config: "rtx-4090-24gb", detected: "rtx-3090-24gb" }, vramGiB: { config: 48, detected: 24 } },
        },
      ]);
    });

    it("does not warn when config.gpu restates the detected model and memory, or offers less memory", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(RTX_4090)}\nEOF`);
      await resolveGpuSpecs(gpuConfig({ model: "rtx-4090-24gb", vramGiB: 20, gpuCount: 1 }), logger(), env());
      expect(records.filter((record) => record.level === "warn")).to.deep.equal([]);
    });

    it("warns when config.gpu.gpuCount offers more GPUs than were detected, which cannot all be assigned", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(RTX_4090)}\nEOF`);
      const specs = await resolveGpuSpecs(gpuConfig({ gpuCount: 4 }), logger(), env());
      expect(offeredGpuIds(specs)).to.deep.equal(["GPU-9f3e1c77-1d2a"]);
      expect(records.filter((record) => record.level === "warn").map(({ msg, fields }) => ({ msg, fields }))).to.deep.equal([
        {
          msg: "config.gpu.gpuCount is more than the GPUs detected: jobs are assigned only the detected ones",
          fields: { gpuCount: 4, detected: 1 },
        },
      ]);
    });

    it("runs nvidia-smi once per detection, MIG mode included", async () => {
      // Answers any query the worker ever asked, so that only the count tells them apart.
      const script = [
        "#!/bin/sh",
        `echo "$*" >> '${path.join(binDir, "calls")}'`,
        'case "$*" in',
        `  "--query-gpu=name,memory.total,count,uuid,driver_version,mig.mode.current --format=csv,noheader,nounits") printf '%s\\n' '${withMigMode(H100_X8, "Disabled").split("\n").join("' '")}' ;;`,
        `  "--query-gpu=uuid,mig.mode.current --format=csv,noheader") echo 'GPU-4c0b5e2a-0000, Disabled' ;;`,
        `  *) printf '%s\\n' '${H100_X8.split("\n").join("' '")}' ;;`,
        "esac",
      ].join("\n");
      fs.writeFileSync(path.join(binDir, "nvidia-smi"), `${script}\n`, { mode: 0o755 });
      const specs = await resolveGpuSpecs(gpuConfig(), logger(), env());
      expect(specs.gpuCount).to.equal(8);
      expect(calls()).to.have.length(1);
    });

    it("asks again without mig.mode.current a driver from before MIG, which refuses the field with status 2", async () => {
      const script = [
        "#!/bin/sh",
        `echo "$*" >> '${path.join(binDir, "calls")}'`,
        'case "$*" in',
        '  *mig.mode.current*) echo \'Field "mig.mode.current" is not a valid field to query.\'; exit 2 ;;',
        `  "--query-gpu=name,memory.total,count,uuid,driver_version --format=csv,noheader,nounits") echo '${RTX_4090}' ;;`,
        '  *) echo "unexpected arguments: $*" >&2; exit 64 ;;',
        "esac",
      ].join("\n");
      fs.writeFileSync(path.join(binDir, "nvidia-smi"), `${script}\n`, { mode: 0o755 });
      const specs = await resolveGpuSpecs(gpuConfig(), logger(), env());
      expect(specs).to.deep.include({ model: "rtx-4090-24gb", gpuCount: 1, source: "nvidia-smi" });
      expect(calls()).to.have.length(2);
    });

    it("runs nvidia-smi once when it fails otherwise, and falls back to config", async () => {
      installNvidiaSmi('echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2\nexit 9');
      const specs = await resolveGpuSpecs(gpuConfig({ model: "l4-24gb", vramGiB: 22, gpuCount: 1 }), logger(), env());
      expect(specs.source).to.equal("config");
      expect(calls()).to.have.length(1);
    });

    it("refuses GPUs jobs would be given in MIG mode, naming them and how to turn MIG off", async () => {
      const [first, second] = H100_X8.split("\n");
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(`${first}\n${second}`, "Enabled", "Disabled")}\nEOF`);
      const error = await resolveGpuSpecs(gpuConfig(), logger(), env()).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).to.be.instanceOf(GpuMigModeError);
      expect((error as GpuMigModeError).uuids).to.deep.equal(["GPU-4c0b5e2a-0000"]);
      expect((error as Error).message).to.equal(
        "MIG mode is enabled on GPU GPU-4c0b5e2a-0000: CUDA cannot run a job on a whole GPU in MIG mode, and this worker " +
          "does not offer MIG instances. Disable MIG on it (sudo nvidia-smi -i <uuid> -mig 0, then reset the GPU or " +
          "reboot), check with nvidia-smi --query-gpu=uuid,mig.mode.current --format=csv, and start again",
      );
    });

    it("offers the GPUs without complaint where those in MIG mode are beyond config.gpu.gpuCount or of a group left out", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(H100_X8, "Disabled", "Disabled", "Enabled")}\nEOF`);
      expect((await resolveGpuSpecs(gpuConfig({ gpuCount: 2 }), logger(), env())).uuids).to.have.length(2);
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(MIXED, "[N/A]", "Enabled", "[N/A]")}\nEOF`);
      expect((await resolveGpuSpecs(gpuConfig(), logger(), env())).uuids).to.deep.equal(["GPU-aa01", "GPU-cc03"]);
    });

    it("lists only the first config.gpu.gpuCount of the detected UUIDs when the config offers fewer", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(H100_X8, "Disabled")}\nEOF`);
      const specs = await resolveGpuSpecs(gpuConfig({ gpuCount: 2 }), logger(), env());
      expect(specs.uuids).to.deep.equal(["GPU-4c0b5e2a-0000", "GPU-4c0b5e2a-0001"]);
    });

    it("warns when it leaves GPUs of another model out", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(MIXED)}\nEOF`);
      const specs = await resolveGpuSpecs(gpuConfig(), logger(), env());
      expect(specs.gpuCount).to.equal(2);
      expect(specs.ignored).to.deep.equal([{ model: "rtx-a6000-48gb", count: 1 }]);
      expect(records.some((record) => record.level === "warn" && record.msg.includes("heterogeneous"))).to.equal(true);
    });

    it("on a mixed machine, assigns jobs only the offered group's GPUs, by their UUIDs", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(MIXED)}\nEOF`);
      const specs = await resolveGpuSpecs(gpuConfig(), logger(), env());
      expect(offeredGpuIds(specs)).to.deep.equal(["GPU-aa01", "GPU-cc03"]);
    });

    it("falls back to config when nvidia-smi fails, logging why", async () => {
      installNvidiaSmi(
        'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2\nexit 9',
      );
      const specs = await resolveGpuSpecs(
        gpuConfig({ model: "rtx-3090-24gb", vramGiB: 24, gpuCount: 2 }),
        logger(),
        env(),
      );
      expect(specs).to.deep.include({
        model: "rtx-3090-24gb",
        displayName: "NVIDIA GeForce RTX 3090",
        gpuCount: 2,
        source: "config",
      });
      const warning = records.find((record) => record.level === "warn");
      expect(String(warning?.fields.reason)).to.contain("exited with status 9").and.to.contain("couldn't communicate");
    });

    it("falls back to config when nvidia-smi hangs past the timeout", async () => {
      installNvidiaSmi("sleep 30");
      const config = gpuConfig({ detectTimeoutMs: 300, model: "l4-24gb", vramGiB: 22, gpuCount: 1 });
      const specs = await resolveGpuSpecs(config, logger(), env());
      expect(specs.source).to.equal("config");
      expect(String(records.find((record) => record.level === "warn")?.fields.reason)).to.contain(
        "ran longer than 300 ms",
      );
    });

    it("falls back to config when nvidia-smi is not installed", async () => {
      const config = gpuConfig({ model: "l4-24gb", vramGiB: 22, gpuCount: 1 });
      const specs = await resolveGpuSpecs(config, logger(), { PATH: binDir });
      expect(specs.source).to.equal("config");
      expect(String(records.find((record) => record.level === "warn")?.fields.reason)).to.equal("nvidia-smi not found");
    });

    it("with nothing detected, names a catalog model by the catalog's name, not its id", async () => {
      const specs = await resolveGpuSpecs(gpuConfig({ model: "rtx-3090-24gb", vramGiB: 24, gpuCount: 1 }), logger(), { PATH: binDir });
      expect(specs.displayName).to.equal("NVIDIA GeForce RTX 3090");
    });

    it("with nothing detected, names a model the catalog does not know by its id, and config's displayName wins over either", async () => {
      const unknown = await resolveGpuSpecs(gpuConfig({ model: "l4-24gb", vramGiB: 22, gpuCount: 1 }), logger(), { PATH: binDir });
      expect(unknown.displayName).to.equal("l4-24gb");
      const named = await resolveGpuSpecs(
        gpuConfig({ model: "rtx-3090-24gb", vramGiB: 24, gpuCount: 1, displayName: "My 3090" }),
        logger(),
        { PATH: binDir },
      );
      expect(named.displayName).to.equal("My 3090");
    });

    it("names the config fields it needs when nothing detects the GPUs", async () => {
      const attempt = resolveGpuSpecs(gpuConfig({ model: "l4-24gb" }), logger(), { PATH: binDir });
      const error = await attempt.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).to.be.instanceOf(GpuSpecsUnavailableError);
      expect((error as GpuSpecsUnavailableError).missingFields).to.deep.equal(["vramGiB", "gpuCount"]);
      expect((error as Error).message).to.contain("config.gpu.vramGiB, config.gpu.gpuCount");
    });

    it("gives nvidia-smi PATH, LD_LIBRARY_PATH and CUDA_* only, never the operator key's variable", async () => {
      const dump = path.join(binDir, "env.txt");
      installNvidiaSmi(`env > '${dump}'\ncat <<'EOF'\n${withMigMode(RTX_4090)}\nEOF`);
      const parent = {
        ...env(),
        LD_LIBRARY_PATH: "/usr/lib/nvidia",
        CUDA_VISIBLE_DEVICES: "0",
        LATENT_OPERATOR_KEY: `0x${"ab".repeat(32)}`,
        AWS_SECRET_ACCESS_KEY: "not-for-probes",
      };
      await resolveGpuSpecs(gpuConfig(), logger(), parent);
      const seen = fs.readFileSync(dump, "utf8");
      expect(seen).to.contain(`PATH=${parent.PATH}`).and.to.contain("LD_LIBRARY_PATH=/usr/lib/nvidia").and.to.contain("CUDA_VISIBLE_DEVICES=0");
      expect(seen).not.to.contain("LATENT_OPERATOR_KEY").and.not.to.contain("ab".repeat(32));
      expect(seen).not.to.contain("AWS_SECRET_ACCESS_KEY");
    });

    it("offers what config.gpu declares when detection is off, whatever nvidia-smi says, and says nothing when it lists as many GPUs", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(RTX_4090)}\nEOF`);
      const config = gpuConfig({ detect: false, model: "l4-24gb", vramGiB: 22, gpuCount: 1 });
      const specs = await resolveGpuSpecs(config, logger(), env());
      expect(specs).to.deep.include({ model: "l4-24gb", source: "config", uuids: [] });
      expect(records).to.deep.equal([]);
    });

    it("warns when detection is off and nvidia-smi lists fewer GPUs than config.gpu.gpuCount declares, naming both counts and the fix", async () => {
      installNvidiaSmi(`cat <<'EOF'\n${withMigMode(RTX_4090)}\nEOF`);
      const config = gpuConfig({ detect: false, model: "rtx-4090-24gb", vramGiB: 24, gpuCount: 4 });
      const specs = await resolveGpuSpecs(config, logger(), env());
      expect(offeredGpuIds(specs)).to.deep.equal(["0", "1", "2", "3"]);
      expect(records.filter((record) => record.level === "warn").map(({ msg, fields }) => ({ msg, fields }))).to.deep.equal([
        {
          msg:
            "config.gpu.detect is false and config.gpu.gpuCount declares 4 GPUs, but nvidia-smi lists 1: jobs would be " +
            "handed CUDA devices 0..3, of which only 1 exist. Set config.gpu.detect to true and remove config.gpu.model, " +
            "vramGiB and gpuCount to offer what nvidia-smi reports, or set config.gpu.gpuCount to 1 (and register no more than that)",
          fields: { gpuCount: 4, detected: 1 },
        },
      ]);
    });

    it("says nothing when detection is off and nvidia-smi is not installed, as on a machine without GPUs", async () => {
      const config = gpuConfig({ detect: false, model: "rtx-4090-24gb", vramGiB: 24, gpuCount: 4 });
      const specs = await resolveGpuSpecs(config, logger(), { PATH: binDir });
      expect(specs).to.deep.include({ gpuCount: 4, source: "config" });
      expect(records).to.deep.equal([]);
    });
  });
});
