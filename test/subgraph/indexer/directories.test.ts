import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DirectoryRefusedError, describeFailure, makeDirectory, makeWritableDirectory } from "../../../subgraph/indexer/directories";

describe("directories (directories.ts: the directories the indexer, the gateway, npm start and the worker make)", function () {
  let dir: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "latent-directories-"));
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("makes every missing level of a path, and leaves one that exists as it is", function () {
    const deep = path.join(dir, "a", "b", "c");
    makeDirectory(deep);
    expect(fs.statSync(deep).isDirectory()).to.equal(true);
    fs.writeFileSync(path.join(deep, "kept"), "x");
    makeDirectory(deep);
    expect(fs.readFileSync(path.join(deep, "kept"), "utf8")).to.equal("x");
  });

  it("refuses a path with a file in the way as EEXIST naming the path asked for", function () {
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "");
    expect(() => makeDirectory(file)).to.throw(`${file} is not a directory`).with.property("code", "EEXIST");
  });

  it("throws mkdir's ENOENT under /proc at once where Node's recursive mkdir retries it forever", function () {
    if (!fs.existsSync("/proc/self/stat")) this.skip(); // procfs (Linux): mkdir answers ENOENT under /proc.
    expect(() => makeDirectory("/proc/x/y")).to.throw().with.property("code", "ENOENT");
  });

  it("names the file in the way, however deep under it the directory asked for is", function () {
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "");
    for (const target of [file, path.join(file, "data"), path.join(file, "data", "deeper")]) {
      expect(() => makeWritableDirectory(target), target).to.throw(DirectoryRefusedError, `${target}: ${file} is a file, not a directory`);
    }
  });

  it("words each refusal by the system's code, naming where it came from when that is not the directory itself", function () {
    // Run as root here, a read-only or forbidden directory cannot be made to refuse: the refusals are built as mkdir's.
    const refusal = (code: string | undefined, at?: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: refused`), { code, path: at });
    expect(describeFailure(refusal("EACCES", "/data"), "/data")).to.equal("permission denied: EACCES");
    expect(describeFailure(refusal("EPERM", "/sys/x"), "/sys/x/data")).to.equal("not permitted at /sys/x: EPERM");
    expect(describeFailure(refusal("EROFS", "/ro"), "/ro")).to.equal("read-only file system: EROFS");
    expect(describeFailure(refusal("ENOSPC", "/full/d"), "/full/d")).to.equal("no space left on the device: ENOSPC");
    expect(describeFailure(refusal("ELOOP", "/loop/a"), "/loop/a/b")).to.equal("ELOOP at /loop/a");
    expect(describeFailure(refusal(undefined), "/d")).to.equal("undefined: refused");
  });
});

describe("directories: one way to make one", function () {
  it("no product or script source calls Node's recursive mkdir, which hangs under /proc: makeDirectory does it", function () {
    const root = path.resolve(__dirname, "../../..");
    const skip = new Set(["node_modules", "build", "generated", "dist", ".data"]);
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (skip.has(entry.name) || entry.name.startsWith(".")) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith(".ts")) {
          // Code lines only: directories.ts's comment names the call it replaces.
          const code = fs.readFileSync(full, "utf8").split("\n").filter((line) => !/^\s*(\*|\/\/)/.test(line));
          if (code.some((line) => /\bmkdir(Sync)?\([^)]*recursive:\s*true/.test(line))) offenders.push(path.relative(root, full));
        }
      }
    };
    for (const top of ["scripts", "subgraph", "gateway"]) walk(path.join(root, top));
    expect(offenders).to.deep.equal([]);
  });
});
