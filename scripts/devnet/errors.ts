// Errors the devnet reports to the person who ran `npm start`: each names what went wrong and what to do about it,
// so the CLI prints the message alone (no stack) and exits non-zero.

/** Something the devnet cannot work around; `message` says what to do. */
export class DevnetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command-line input (exit status 2, with the usage text). */
export class UsageError extends DevnetError {}

/** A port the devnet must listen on is taken. */
export class PortInUseError extends DevnetError {
  constructor(
    readonly host: string,
    readonly port: number,
    what: string,
    option: string,
  ) {
    super(`port ${port} on ${host} (${what}) is already in use: stop whatever listens there (another devnet?) or pick another port with ${option} <n>`);
  }
}

/** `npm run subgraph:build` or the contracts' compilation failed. */
export class BuildError extends DevnetError {}

/** The chain at --rpc-url cannot be used as asked. */
export class ChainError extends DevnetError {}

/** No usable deployment record, or one that does not match the chain. */
export class DeploymentError extends DevnetError {}

/** The gateway's indexer did not reach the chain head. */
export class IndexingError extends DevnetError {}
