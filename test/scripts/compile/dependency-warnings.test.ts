import { expect } from "chai";
import hre from "hardhat";
import { TASK_COMPILE_SOLIDITY_LOG_COMPILATION_ERRORS } from "hardhat/builtin-tasks/task-names";

// What solc says about a file, shaped as in its standard JSON output.
function diagnostic(severity: "error" | "warning", file: string | undefined, message: string) {
  return {
    severity,
    type: severity === "error" ? "TypeError" : "Warning",
    component: "general",
    message,
    formattedMessage: `${severity === "error" ? "TypeError" : "Warning"}: ${message}\n`,
    ...(file === undefined ? {} : { sourceLocation: { file, start: 0, end: 1 } }),
  };
}

/** Runs Hardhat's compilation-log subtask (as `npx hardhat compile` does) and returns what it printed. */
async function printedFor(errors: ReturnType<typeof diagnostic>[]): Promise<string> {
  const printed: string[] = [];
  const { warn, error } = console;
  console.warn = (...parts: unknown[]) => void printed.push(parts.join(" "));
  console.error = (...parts: unknown[]) => void printed.push(parts.join(" "));
  try {
    await hre.run(TASK_COMPILE_SOLIDITY_LOG_COMPILATION_ERRORS, { output: { errors }, quiet: false });
  } finally {
    console.warn = warn;
    console.error = error;
  }
  return printed.join("\n");
}

describe("compile: solc diagnostics", function () {
  it("does not print a warning about a package's source, such as OpenZeppelin's transient storage", async function () {
    const printed = await printedFor([
      diagnostic("warning", "@openzeppelin/contracts/utils/TransientSlot.sol", "Transient storage as defined by EIP-1153"),
    ]);
    expect(printed).to.equal("");
  });

  it("prints a warning about one of our contracts", async function () {
    const printed = await printedFor([diagnostic("warning", "contracts/JobEscrow.sol", "Unused local variable.")]);
    expect(printed).to.contain("Unused local variable.");
  });

  it("prints a warning that names no file", async function () {
    const printed = await printedFor([diagnostic("warning", undefined, "Contract code size exceeds 24576 bytes")]);
    expect(printed).to.contain("Contract code size exceeds 24576 bytes");
  });

  it("prints an error in a package's source", async function () {
    const printed = await printedFor([diagnostic("error", "@openzeppelin/contracts/token/ERC20/ERC20.sol", "Undeclared identifier.")]);
    expect(printed).to.contain("Undeclared identifier.");
  });
});
