import { expect } from "chai";
import { keccak256 } from "ethers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { runTryJob } from "../../../scripts/worker/try-job";

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

// Four GPUs of one model and one of another: only the first group's are ever assigned.
const NVIDIA_SMI = [
  "NVIDIA L40S, 46068, 5, GPU-5c6d0a11-0000, 550.54.14, [N/A]",
  "NVIDIA L40S, 46068, 5, GPU-5c6d0a11-0001, 550.54.14, [N/A]",
  "NVIDIA RTX A6000, 49140, 5, GPU-bb02, 550.54.14, [N/A]",
  "NVIDIA L40S, 46068, 5, GPU-5c6d0a11-0002, 550.54.14, [N/A]",
].join("\n");

describe("worker:try", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-try-test-"));
    fs.writeFileSync(path.join(dir, "nvidia-smi"), `#!/bin/sh\ncat <<'EOF'\n${NVIDIA_SMI}\nEOF\n`, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A node program with an absolute shebang, so it runs with the allow-listed environment alone. */
  function program(source: string): string {
    const file = path.join(dir, "job.js");
    fs.writeFileSync(file, `#!${process.execPath}\n${source}\n`, { mode: 0o755 });
    return file;
  }

  /** A config enabling the command executor with `programPath`; its path. */
  function writeConfig(programPath: string, gpu: Record<string, unknown> = {}): string {
    const config = path.join(dir, "worker.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        chain: { rpcUrl: "http://127.0.0.1:8545" },
        gateway: { httpUrl: "http://127.0.0.1:4000/graphql", wsUrl: "ws://127.0.0.1:4000/graphql" },
        provider: { address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" },
        operatorKey: { env: "LATENT_OPERATOR_KEY" },
        contracts: { deploymentFile: "deployments/localhost.json" },
        gpu: { nvidiaSmiPath: path.join(dir, "nvidia-smi"), ...gpu },
        policy: { acceptedKinds: ["command"] },
        executors: {
          builtin: { matmul: { enabled: false } },
          command: { enabled: true, program: programPath, workDir: path.join(dir, "work"), envAllowList: ["CUDA_VISIBLE_DEVICES"] },
        },
        results: { dir: path.join(dir, "results") },
        logLevel: "warn",
      }),
    );
    return config;
  }

  function writeSpec(document: unknown): string {
    const file = path.join(dir, "spec.json");
    fs.writeFileSync(file, typeof document === "string" ? document : JSON.stringify(document));
    return file;
  }

  async function tryJob(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const stdout = collect();
    const stderr = collect();
    const code = await runTryJob(argv, { stdout: stdout.stream, stderr: stderr.stream, env });
    // The log lines (JSON) aside: the mixed machine's warning comes before every run.
    const message = stderr
      .text()
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("{"))
      .map((line) => `${line}\n`)
      .join("");
    return { code, stdout: stdout.text(), stderr: message, log: stderr.text() };
  }

  const ENV_PRINTER = `const fs=require("fs");process.stdout.write(JSON.stringify({cuda:process.env.CUDA_VISIBLE_DEVICES,nvidia:process.env.NVIDIA_VISIBLE_DEVICES,count:process.env.LATENT_GPU_COUNT,input:JSON.parse(fs.readFileSync(process.env.LATENT_SPEC_PATH,"utf8")).params.input}))`;
  const SPEC = { version: 1, kind: "command", params: { input: '{"n":64,"seed":1}' } };

  it("runs the spec with the configured program on --gpus of the offered GPUs, printing them, the result and its run time", async () => {
    const config = writeConfig(program(ENV_PRINTER));
    const spec = writeSpec(SPEC);
    const { code, stdout, stderr, log } = await tryJob(["--config", config, "--spec", spec, "--gpus", "2"], { CUDA_VISIBLE_DEVICES: "7" });
    expect(stderr).to.equal("");
    expect(log).to.contain("heterogeneous GPUs: offering the largest homogeneous group only");
    expect(code).to.equal(0);
    const printed = JSON.parse(stdout);
    const seen = { cuda: "GPU-5c6d0a11-0000,GPU-5c6d0a11-0001", nvidia: "GPU-5c6d0a11-0000,GPU-5c6d0a11-0001", count: "2", input: '{"n":64,"seed":1}' };
    expect(printed).to.deep.include({
      gpus: ["GPU-5c6d0a11-0000", "GPU-5c6d0a11-0001"],
      gpuSource: "nvidia-smi",
      spec: { path: spec, hash: keccak256(fs.readFileSync(spec)), kind: "command" },
      result: JSON.stringify(seen),
      resultHash: keccak256(Buffer.from(JSON.stringify(seen))),
    });
    expect(printed.wallMs).to.be.a("number");
    expect(printed.device).to.deep.equal({
      type: "external",
      name: path.join(dir, "job.js"),
      gpus: { ids: ["GPU-5c6d0a11-0000", "GPU-5c6d0a11-0001"], model: "l40s-48gb", displayName: "NVIDIA L40S" },
    });
  });

  it("checks the spec against --spec-hash, exiting 1 naming both hashes when they differ", async () => {
    const config = writeConfig(program(ENV_PRINTER));
    const spec = writeSpec(SPEC);
    const wrong = `0x${"ab".repeat(32)}`;
    const { code, stderr } = await tryJob(["--config", config, "--spec", spec, "--spec-hash", wrong]);
    expect(code).to.equal(1);
    expect(stderr).to.equal(
      `worker:try: spec document hashes to ${keccak256(fs.readFileSync(spec))}, but the job commits to ${wrong}\n`,
    );
  });

  it("exits 1 when fewer of the offered GPUs exist than --gpus asks for, never using the ones left out", async () => {
    const config = writeConfig(program(ENV_PRINTER));
    const { code, stdout, stderr } = await tryJob(["--config", config, "--spec", writeSpec(SPEC), "--gpus", "4"]);
    expect(code).to.equal(1);
    expect(stdout).to.equal("");
    expect(stderr).to.contain("worker:try: needs 4 GPUs, this worker offers 3\n");
  });

  it("exits 1 naming the field of a spec that is not a valid document", async () => {
    const config = writeConfig(program(ENV_PRINTER));
    const spec = writeSpec({ version: 1, kind: "command", params: { input: 4096 } });
    const { code, stderr } = await tryJob(["--config", config, "--spec", spec]);
    expect(code).to.equal(1);
    expect(stderr).to.match(/^worker:try: spec\.params\.input: /);
  });

  it("exits 1 when the spec file cannot be read", async () => {
    const config = writeConfig(program(ENV_PRINTER));
    const { code, stderr } = await tryJob(["--config", config, "--spec", path.join(dir, "absent.json")]);
    expect(code).to.equal(1);
    expect(stderr).to.contain(`worker:try: cannot read the spec file ${path.join(dir, "absent.json")}: ENOENT`);
  });

  it("exits 1 when no enabled executor runs the spec's kind", async () => {
    const config = writeConfig(program(ENV_PRINTER));
    const spec = writeSpec({ version: 1, kind: "matmul", params: { n: 4, seed: `0x${"11".repeat(32)}` } });
    const { code, stderr } = await tryJob(["--config", config, "--spec", spec]);
    expect(code).to.equal(1);
    expect(stderr).to.equal("worker:try: no enabled executor accepts matmul jobs\n");
  });

  it("exits 1 with the program's status and stderr when it fails", async () => {
    const config = writeConfig(program(`process.stderr.write("CUDA out of memory");process.exit(3)`));
    const { code, stdout, stderr } = await tryJob(["--config", config, "--spec", writeSpec(SPEC)]);
    expect(code).to.equal(1);
    expect(stdout).to.equal("");
    expect(stderr).to.match(/^worker:try: .*status 3.*CUDA out of memory/s);
  });

  it("exits 2 naming config.executors.command.program when the program is absent or not executable, as the worker's setup does", async () => {
    const notExecutable = path.join(dir, "plain.js");
    fs.writeFileSync(notExecutable, "process.stdout.write('x')\n", { mode: 0o644 });
    for (const programPath of [path.join(dir, "absent"), notExecutable]) {
      const { code, stdout, stderr } = await tryJob(["--config", writeConfig(programPath), "--spec", writeSpec(SPEC)]);
      expect(code, programPath).to.equal(2);
      expect(stdout, programPath).to.equal("");
      expect(stderr, programPath).to.match(
        new RegExp(`^worker:try: config\\.executors\\.command\\.program: ${programPath.replace(/[.]/g, "\\.")} cannot be run: `),
      );
    }
  });

  it("exits 2 with the usage for a missing --spec or a bad --gpus, and for a config that does not load", async () => {
    const config = writeConfig(program(ENV_PRINTER));
    for (const [argv, message] of [
      [["--config", config], "worker:try: --spec is required\nUsage: worker:try"],
      [["--config", config, "--spec", "x", "--gpus", "0"], 'worker:try: --gpus must be an integer between 1 and 65535, got "0"\nUsage'],
      [["--config", path.join(dir, "absent.json"), "--spec", "x"], "worker:try: "],
    ] as const) {
      const { code, stderr } = await tryJob([...argv]);
      expect(code, argv.join(" ")).to.equal(2);
      expect(stderr, argv.join(" ")).to.contain(message);
    }
  });
});
