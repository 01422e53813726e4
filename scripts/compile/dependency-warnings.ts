// solc reports warnings about every file of a compilation, OpenZeppelin's included: its TransientSlot draws the
// EIP-1153 warning on every fresh compile, which nobody here can act on and which hides ours. Warnings about our own
// sources stay, and nothing is dropped from an error (Foundry's `ignored_warnings_from` does the same for lib/).

/** The parts of a solc standard-JSON diagnostic this filter reads. */
export interface SolcDiagnostic {
  severity: "error" | "warning" | "info";
  sourceLocation?: { file: string };
}

/** True for a source of this repository (under contracts/), as opposed to a package's. */
export function isOwnSource(sourceName: string): boolean {
  return sourceName.startsWith("contracts/");
}

/** The diagnostics worth printing: every error, and the warnings and notes that concern our own sources or no file. */
export function withoutDependencyWarnings<T extends SolcDiagnostic>(diagnostics: readonly T[]): T[] {
  return diagnostics.filter((d) => d.severity === "error" || d.sourceLocation === undefined || isOwnSource(d.sourceLocation.file));
}
