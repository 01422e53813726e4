// The gateway's GraphQL API over HTTP (POST /graphql on this page's own origin), and the queries the page runs.
// Every function returns the data or throws an ApiError carrying the API's own messages, for the error banner.

const GRAPHQL_URL = new URL("/graphql", location.href).href;

class ApiError extends Error {
  name = "ApiError";
}

/** Runs one operation; GraphQL errors (even with partial data) are errors here: the page never shows half a view. */
async function graphql(query, variables = {}) {
  return (await graphqlAt(query, variables)).data;
}

/**
 * graphql(), with the block the answer read (its `extensions.block` number; null where it names none: a page after a
 * cursor, or a gateway that does not say), for the page to tell whether a list is older than the overview.
 */
async function graphqlAt(query, variables = {}) {
  let response;
  try {
    response = await fetch(GRAPHQL_URL, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError(`the gateway cannot be reached (${error.message})`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the gateway answered HTTP ${response.status} without a GraphQL response`);
  }
  if (Array.isArray(body.errors) && body.errors.length > 0) {
    throw new ApiError(body.errors.map((e) => e.message).join("; "));
  }
  if (!response.ok || body.data === null || body.data === undefined) {
    throw new ApiError(`the gateway answered HTTP ${response.status}`);
  }
  return { data: body.data, block: body.extensions?.block?.number ?? null };
}

// ------------------------------------------------------------------------------------------------- fragments

const AMOUNT = "{ wei lat }";

/** Everything the overview, the charts and the filter choices need; also what the live subscription sends. */
const NETWORK_STATS_FIELDS = `
  blockNumber
  providers { registered online active }
  gpus { total inUse free }
  gpusByModel { model name total free }
  gpusByRegion { region total free }
  stake { total ${AMOUNT} locked ${AMOUNT} thawing ${AMOUNT} }
  jobs { total open accepted submitted disputed completed cancelled expired declined timedOut refunded }
  volume ${AMOUNT} fees ${AMOUNT} slashed ${AMOUNT} escrowBalance ${AMOUNT}
  gpuHoursBilled
  disputes { total open }
  history { date jobsCreated volume ${AMOUNT} }`;

/** Days of history the overview charts. */
export const HISTORY_DAYS = 14;

const INDEXING_FIELDS = "chainHead indexedBlock indexedBlockTimestamp lag maxLag ready hasIndexingErrors indexerRestart { reason inSeconds } source";

export async function loadOverview() {
  const data = await graphql(
    `query Overview($days: Int!) {
      networkStats(days: $days) { ${NETWORK_STATS_FIELDS} }
      indexingStatus { ${INDEXING_FIELDS} }
    }`,
    { days: HISTORY_DAYS },
  );
  return { stats: data.networkStats, indexing: data.indexingStatus };
}

export async function loadIndexingStatus() {
  return (await graphql(`query Indexing { indexingStatus { ${INDEXING_FIELDS} } }`)).indexingStatus;
}

export const NETWORK_STATS_SUBSCRIPTION = `subscription LiveStats($days: Int!) { networkStats(days: $days) { ${NETWORK_STATS_FIELDS} } }`;

// ------------------------------------------------------------------------------------------------- providers

const PROVIDER_FIELDS = `
  address registered online active gpuModel gpuModelName vramGiB region tier
  pricePerGpuHour ${AMOUNT}
  capacity { gpuCount gpusFree }
  reputation { score jobsAccepted jobsActive jobsCompleted jobsTimedOut disputesLost }
  stake { staked ${AMOUNT} }
  maxSlashRewardBps`;

/**
 * One page of the providers table. `criteria` holds availableCompute's requirements (gpuModels, minVramGiB,
 * gpuCount, hours, regions, tier, maxPricePerGpuHour, minReputation). With `availableOnly`, the page is
 * availableCompute itself (active providers that can take the job now, with the gateway's quote); otherwise
 * every provider matching the same criteria through `providers(filter)`, whose quote the page computes the way
 * JobEscrow does, and which asks for the GPUs listed (`minGpuCount`), not those free: a provider whose GPUs all run
 * jobs could run this one later, and availableCompute leaves it out. `order` is {field, direction} over PRICE,
 * REPUTATION, FREE_GPUS or VRAM (both APIs have them), or null for each API's default order.
 */
export async function loadProviders({ criteria, availableOnly, order, after, first }) {
  if (availableOnly) {
    const { data, block } = await graphqlAt(
      `query Offers($requirements: ComputeRequirements!, $orderBy: OfferOrder, $first: Int!, $after: String) {
        availableCompute(requirements: $requirements, orderBy: $orderBy, first: $first, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes {
            freeGpus reputation
            provider { ${PROVIDER_FIELDS} }
            quote { gpuCount durationSeconds cost ${AMOUNT} collateral ${AMOUNT} }
          }
        }
        governance { paused pausedUntil }
      }`,
      { requirements: criteria, orderBy: order, first, after },
    );
    const page = data.availableCompute;
    // During a guardian pause there are no offers: the page says why instead of blaming the filters.
    const pausedUntil = data.governance.paused ? data.governance.pausedUntil : null;
    return { pageInfo: page.pageInfo, rows: page.nodes.map((offer) => ({ ...offer.provider, quote: offer.quote })), pausedUntil, block };
  }
  const filter = {
    gpuModels: criteria.gpuModels,
    regions: criteria.regions,
    tier: criteria.tier,
    minVramGiB: criteria.minVramGiB,
    minGpuCount: criteria.gpuCount,
    maxPricePerGpuHour: criteria.maxPricePerGpuHour,
    minReputation: criteria.minReputation,
  };
  const { data, block } = await graphqlAt(
    `query Providers($filter: ProviderFilter, $orderBy: ProviderOrder, $first: Int!, $after: String) {
      providers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ${PROVIDER_FIELDS} }
      }
    }`,
    { filter, orderBy: order, first, after },
  );
  return { pageInfo: data.providers.pageInfo, rows: data.providers.nodes.map((p) => ({ ...p, quote: null })), pausedUntil: null, block };
}

// ------------------------------------------------------------------------------------------------------ jobs

const JOB_SUMMARY_FIELDS = `
  id status pastAcceptDeadline client createdAt updatedAt maxDuration
  provider { address }
  requirements { gpuModel gpuModelName region gpuCount minVramGiB tier minCompletedJobs minSlashRewardBps }
  maxPricePerGpuHour ${AMOUNT}
  escrowed ${AMOUNT}
  settlement { abandonedBy }`;

const TIMELINE_FIELDS = `timeline { kind timestamp blockNumber transaction logIndex from amount ${AMOUNT} }`;

/**
 * One page of jobs, newest first; `statuses` null, undefined or empty: every status (the API's `filter: null`);
 * `client`, `provider`: only the jobs that client posted, that provider accepted (null or left out: any).
 */
export async function loadJobs({ statuses, client = null, provider = null, after, first }) {
  const { data, block } = await graphqlAt(
    `query Jobs($filter: JobFilter, $first: Int!, $after: String) {
      jobs(filter: $filter, first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ${JOB_SUMMARY_FIELDS} }
      }
    }`,
    { filter: jobFilter(statuses, client, provider), first, after },
  );
  return { ...data.jobs, block };
}

function jobFilter(statuses, client, provider) {
  const filter = {};
  if (statuses !== null && statuses !== undefined && statuses.length > 0) filter.statuses = statuses;
  if (client !== null) filter.client = client;
  if (provider !== null) filter.provider = provider;
  return Object.keys(filter).length === 0 ? null : filter;
}

const JOB_DETAIL_FIELDS = `
  ${JOB_SUMMARY_FIELDS}
  specURI directed targetProvider acceptDeadline acceptedAt submittedAt closedAt resultDeadline challengeDeadline
  pricePerGpuHour ${AMOUNT}
  collateral ${AMOUNT}
  result { uri cost ${AMOUNT} billedSeconds }
  settlement { reason amountPaid ${AMOUNT} refund ${AMOUNT} slashed ${AMOUNT} abandonedBy }
  dispute { ruling resolved ruleDeadline deposit ${AMOUNT} }
  ${TIMELINE_FIELDS}`;

/**
 * The job shown in the dialog: its state and timeline when the subscription starts, then again after each change
 * (each push is read afresh, nested timeline included).
 */
export const JOB_UPDATED_SUBSCRIPTION = `subscription JobUpdated($id: ID!) { jobUpdated(id: $id) { ${JOB_DETAIL_FIELDS} } }`;

// -------------------------------------------------------------------------------------------------- activity

/** Entries the activity feed shows. */
export const ACTIVITY_SIZE = 15;

// abandonedBy: a JobTimedOut's giver-back, which the same JobTimedOut alone read as a deadline the provider let pass.
const ACTIVITY_FIELDS = `
  kind category timestamp from accounts jobId provider amount ${AMOUNT} abandonedBy
  parameter { contract name unit value previousValue address previousAddress }`;

/**
 * The deployment's contracts by address (lower case), for the activity sentences to name a contract rather than show
 * its address; empty when the gateway runs without a deployment record (`deployment` null).
 */
function contractsByAddress(deployment) {
  return new Map((deployment?.contracts ?? []).map((c) => [c.address.toLowerCase(), c.name]));
}

/** The latest contract events of `categories` (null: every category), newest first, and the contracts' names. */
export async function loadActivity(categories) {
  const { data, block } = await graphqlAt(
    `query Activity($filter: ActivityFilter, $first: Int!) {
      activity(filter: $filter, first: $first) { nodes { ${ACTIVITY_FIELDS} } }
      deployment { contracts { name address } }
    }`,
    { filter: categories === null ? null : { categories }, first: ACTIVITY_SIZE },
  );
  return { events: data.activity.nodes, contracts: contractsByAddress(data.deployment), block };
}

/** Jobs and events the provider view lists, newest first. */
export const PROVIDER_VIEW_SIZE = 10;

/**
 * One provider's view: its machine, stake, reputation and earnings, the open jobs directed at it (its own jobs list
 * holds only those it accepted), its latest jobs and its latest events.
 */
export async function loadProvider(address) {
  const data = await graphql(
    `query Provider($address: Address!, $first: Int!) {
      provider(address: $address) {
        ${PROVIDER_FIELDS}
        operator
        capacity { gpuCount gpusInUse gpusFree }
        stake { staked ${AMOUNT} locked ${AMOUNT} thawing ${AMOUNT} free ${AMOUNT} }
        reputation { score jobsAccepted jobsActive jobsCompleted jobsTimedOut disputesLost }
        earnings { earned ${AMOUNT} disputeDepositsWon ${AMOUNT} disputeDepositsReturned ${AMOUNT} feesPaid ${AMOUNT} slashed ${AMOUNT} gpuHoursBilled }
        jobs(first: $first) { nodes { ${JOB_SUMMARY_FIELDS} } }
      }
      directed: jobs(filter: { targetProvider: $address, statuses: [OPEN] }, first: $first) { nodes { ${JOB_SUMMARY_FIELDS} acceptDeadline } }
      activity(filter: { provider: $address }, first: $first) { nodes { ${ACTIVITY_FIELDS} } }
      deployment { network contracts { name address } tasks { localRpcUrl localRpcUrlWithheld deploymentFile } }
      governance { parameters { contract name value } }
    }`,
    { address, first: PROVIDER_VIEW_SIZE },
  );
  if (data.provider === null) throw new ApiError(`the index has no provider ${address}`);
  // The least cost of a settled job that counts toward a track record: what a provider whose jobs all cost less is told.
  const minTrackRecordCost = data.governance.parameters.find((p) => p.contract === "JobEscrow" && p.name === "minTrackRecordCost")?.value ?? null;
  // The network the Hardhat tasks name (--network), for the view's job create command; null without a deployment record.
  const network = data.deployment?.network ?? null;
  // What the command needs besides --network to reach the deployment (a devnet on another chain port); null: nothing the gateway knows.
  const tasks = data.deployment?.tasks ?? null;
  return { provider: data.provider, directed: data.directed.nodes, activity: data.activity.nodes, contracts: contractsByAddress(data.deployment), minTrackRecordCost, network, tasks };
}

/** Proposals a token holder reads at a glance, newest first. */
export const PROPOSALS_SHOWN = 10;

/** The governed parameters in force and the latest proposals, for the governance panel. */
export async function loadGovernance() {
  const { data, block } = await graphqlAt(
    `query Governance($first: Int!) {
      governance {
        parameters { contract name unit value address min max updatedAt }
        proposals(first: $first) {
          nodes {
            id title state voteStart voteEnd eta executedAt canceledAt quorumReached voterCount
            forVotes ${AMOUNT} againstVotes ${AMOUNT} abstainVotes ${AMOUNT} quorum ${AMOUNT}
          }
        }
      }
    }`,
    { first: PROPOSALS_SHOWN },
  );
  return { parameters: data.governance.parameters, proposals: data.governance.proposals.nodes, block };
}
