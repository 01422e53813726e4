import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SCRIPT = path.resolve(__dirname, "../../../../scripts/worker/examples/cuda-matmul.py");

// The CI machine has python3 but not PyTorch, nor a GPU: what can be checked there is how the example refuses. A fake
// `torch` package, first on PYTHONPATH, makes each refusal the same wherever the test runs, a real torch installed or not.
describe("example command program cuda-matmul.py", function () {
  let dir: string;

  before(function () {
    const probe = spawnSync("python3", ["--version"]);
    if (probe.error !== undefined || probe.status !== 0) {
      console.log(`      skipped: python3 cannot be run (${probe.error?.message ?? `status ${probe.status}`})`);
      this.skip();
    }
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-cuda-example-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A `torch` package in `dir` whose __init__.py is `source`. */
  function fakeTorch(source: string): void {
    fs.mkdirSync(path.join(dir, "torch"));
    fs.writeFileSync(path.join(dir, "torch", "__init__.py"), `${source}\n`);
  }

  function run(input: string, env: NodeJS.ProcessEnv = {}) {
    const spec = path.join(dir, "spec.json");
    fs.writeFileSync(spec, JSON.stringify({ version: 1, kind: "command", params: { input } }));
    const child = spawnSync("python3", [SCRIPT], {
      env: { PATH: process.env.PATH, PYTHONPATH: dir, LATENT_SPEC_PATH: spec, ...env },
      encoding: "utf8",
    });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
  }

  it("exits 2 naming PyTorch when torch cannot be imported", () => {
    fakeTorch('raise ModuleNotFoundError("No module named \'torch\'", name="torch")');
    expect(run('{"n":64,"seed":1}')).to.deep.equal({
      status: 2,
      stdout: "",
      stderr: "cuda-matmul: PyTorch is not installed (no module named torch): pip install torch\n",
    });
  });

  it("exits 2 naming CUDA_VISIBLE_DEVICES as it saw it when no CUDA device is visible", () => {
    fakeTorch("class cuda:\n    is_available = staticmethod(lambda: False)\n    device_count = staticmethod(lambda: 0)");
    expect(run('{"n":64,"seed":1}', { CUDA_VISIBLE_DEVICES: "" })).to.deep.equal({
      status: 2,
      stdout: "",
      stderr: "cuda-matmul: no CUDA device is visible (CUDA_VISIBLE_DEVICES=)\n",
    });
  });

  it("exits 1 naming the field when params.input.n is out of range", () => {
    const { status, stderr } = run('{"n":0}');
    expect(status).to.equal(1);
    expect(stderr).to.equal("cuda-matmul: params.input.n must be an integer 1..16384, got 0\n");
  });
});
