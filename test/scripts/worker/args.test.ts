import { expect } from "chai";
import { UsageError, parseArgs } from "../../../scripts/worker/args";

const SPECS = [
  { name: "config", alias: "c", takesValue: true },
  { name: "check", takesValue: false },
];

describe("argument parsing", () => {
  it("reads --name value, --name=value, -x value and flags", () => {
    expect([...parseArgs(["--config", "a.json", "--check"], SPECS)]).to.deep.equal([
      ["config", "a.json"],
      ["check", true],
    ]);
    expect(parseArgs(["--config=b.json"], SPECS).get("config")).to.equal("b.json");
    expect(parseArgs(["-c", "c.json"], SPECS).get("config")).to.equal("c.json");
  });

  it("names an unknown option", () => {
    expect(() => parseArgs(["--confg", "a.json"], SPECS)).to.throw(UsageError, "unknown option --confg");
  });

  it("rejects an option missing its value", () => {
    expect(() => parseArgs(["--config"], SPECS)).to.throw(UsageError, "--config needs a value");
    expect(() => parseArgs(["--config", "--check"], SPECS)).to.throw(UsageError, "--config needs a value");
  });

  it("rejects a value given to a flag", () => {
    expect(() => parseArgs(["--check=yes"], SPECS)).to.throw(UsageError, "--check takes no value");
  });

  it("rejects a stray positional argument", () => {
    expect(() => parseArgs(["worker.json"], SPECS)).to.throw(UsageError, 'unexpected argument "worker.json"');
  });
});
