// Whether a subgraph endpoint (graph-node, or an indexer of its own) indexes the deployment the gateway reads the
// chain by. The gateway takes the two from separate options (--subgraph-url, --deployment): pointed at another
// network's subgraph, it would serve that network's jobs and providers beside this one's live chain state, and nothing
// would look wrong. The subgraph records the contracts it indexes in what it writes: each governed contract's address
// on its `Parameter` entities (every one of them sets its parameters as it is constructed) and LAT's on
// `Protocol.token` (set by the mints at its deployment).
import { SourceError, SourceRequestAbortedError } from "../errors";
import type { Logger } from "../logger";
import type { DeploymentRecord } from "./deployment";
import type { HeadWatcher } from "./head-watcher";
import type { SubgraphSource } from "./source";

/** The contracts whose `Parameter` entities carry their address (the subgraph's ContractKind values). */
const PARAMETER_KINDS = [
  "PauseGuardian",
  "ProviderRegistry",
  "Staking",
  "JobEscrow",
  "DisputeManager",
  "LatentGovernor",
  "LatentTimelock",
] as const;

const TOKEN = "LatentToken";

const QUERY = `{
  protocol(id: "latent") { token }
  ${PARAMETER_KINDS.map((kind) => `${kind}: parameters(first: 1, where: { contractKind: ${kind} }) { contract }`).join("\n  ")}
}`;

type Answer = { protocol: { token: string | null } | null } & Partial<Record<(typeof PARAMETER_KINDS)[number], { contract: string }[]>>;

/** The subgraph indexes a contract at another address than the deployment record's: it indexes another deployment. */
export class SubgraphDeploymentMismatchError extends Error {
  constructor(
    /** The contract's name, as the deployment record names it. */
    readonly contract: string,
    /** Where the subgraph indexes it. */
    readonly subgraphAddress: string,
    /** Where the deployment record has it. */
    readonly deploymentAddress: string,
    /** The deployment record's path, where it was read from a file. */
    file?: string,
  ) {
    super(
      `the subgraph indexes another deployment than ${file ?? "the deployment record"}: its ${contract} is ${subgraphAddress}, ` +
        `the deployment's is ${deploymentAddress} (check --subgraph-url and --deployment)`,
    );
    this.name = "SubgraphDeploymentMismatchError";
  }
}

/** What the subgraph holds of the deployment: the contracts it showed (all at the record's addresses), or none yet. */
export type DeploymentCheck = { known: true; contracts: string[] } | { known: false; reason: string };

/**
 * Compares the addresses the subgraph indexes with the record's; throws {@link SubgraphDeploymentMismatchError} for
 * the first that differs. `known: false` when the subgraph has indexed none of the contracts yet, or did not answer
 * (the reason says which): it cannot be told then. A contract the record lacks is not compared.
 */
export async function checkSubgraphDeployment(
  source: SubgraphSource,
  record: DeploymentRecord,
  options: { file?: string; signal?: AbortSignal } = {},
): Promise<DeploymentCheck> {
  let answer: Answer;
  try {
    answer = await source.request<Answer>(QUERY, {}, { signal: options.signal });
  } catch (error) {
    // Given up by the caller: not an answer of the source's.
    if (error instanceof SourceRequestAbortedError) throw error;
    if (error instanceof SourceError) return { known: false, reason: error.detail };
    throw error;
  }
  const indexed: [string, string][] = [];
  const token = answer.protocol?.token;
  if (typeof token === "string") indexed.push([TOKEN, token]);
  for (const kind of PARAMETER_KINDS) {
    const contract = answer[kind]?.[0]?.contract;
    if (typeof contract === "string") indexed.push([kind, contract]);
  }
  const compared: string[] = [];
  for (const [name, address] of indexed) {
    const expected = record.contracts[name]?.address;
    if (expected === undefined) continue;
    if (address.toLowerCase() !== expected.toLowerCase()) throw new SubgraphDeploymentMismatchError(name, address.toLowerCase(), expected, options.file);
    compared.push(name);
  }
  return compared.length > 0 ? { known: true, contracts: compared } : { known: false, reason: "the subgraph has indexed none of the deployment's contracts yet" };
}

/** How long the start-up check waits for the subgraph: an endpoint that holds requests must not hold the start (it is
 * checked again at each new head). */
export const START_CHECK_TIMEOUT_MS = 3_000;

/**
 * The start-up check: throws on a mismatch. Where it cannot be told yet, warns and checks again at each new indexed
 * head until it can; a mismatch found then is logged as an error (the gateway already serves) and reported to
 * `onMismatch`. Returns a function that ends the re-checks.
 */
export async function guardSubgraphDeployment(
  source: SubgraphSource,
  record: DeploymentRecord,
  head: HeadWatcher,
  options: { file?: string; logger: Logger; signal?: AbortSignal; onMismatch?: (error: SubgraphDeploymentMismatchError) => void },
): Promise<() => void> {
  const { file, logger } = options;
  const timeout = AbortSignal.timeout(START_CHECK_TIMEOUT_MS);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  let first: DeploymentCheck;
  try {
    first = await checkSubgraphDeployment(source, record, { file, signal });
  } catch (error) {
    if (!(error instanceof SourceRequestAbortedError) || options.signal?.aborted === true || !timeout.aborted) throw error;
    first = { known: false, reason: `the subgraph did not answer within ${START_CHECK_TIMEOUT_MS} ms` };
  }
  if (first.known) return () => undefined;
  logger.warn("cannot tell yet whether the subgraph indexes the deployment; checking again at each new head", { reason: first.reason });
  let done = false;
  let checking = false;
  const stop = new AbortController();
  const unsubscribe = head.subscribe(async () => {
    // One check at a time: a head that comes while one runs is covered by the next.
    if (done || checking) return;
    checking = true;
    try {
      const check = await checkSubgraphDeployment(source, record, { file, signal: stop.signal });
      if (check.known) {
        done = true;
        unsubscribe();
        logger.info("the subgraph indexes the deployment", { contracts: check.contracts });
      }
    } catch (error) {
      if (stop.signal.aborted) return;
      done = true;
      unsubscribe();
      if (error instanceof SubgraphDeploymentMismatchError) {
        logger.error("the subgraph indexes another deployment", { error: error.message });
        options.onMismatch?.(error);
      } else logger.error("the subgraph's deployment check failed", { error });
    } finally {
      checking = false;
    }
  });
  return () => {
    done = true;
    stop.abort();
    unsubscribe();
  };
}
