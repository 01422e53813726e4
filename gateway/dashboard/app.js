// The dashboard: loads the network's state from the gateway (GraphQL over HTTP), renders it, and keeps it
// current from the networkStats subscription (graphql-ws): each newly indexed block re-renders the overview and
// refreshes the lists in place, on the page and filters the reader is looking at.
import * as api from "./api.js";
import { ACTIVITY_VIEWS, amountInWords, describe } from "./activity.js";
import { drawHistoryChart, drawInventoryChart } from "./charts.js";
import { byId, h, replace } from "./dom.js";
import {
  count,
  formatBps,
  formatDuration,
  formatHours,
  formatInt,
  formatLat,
  formatParameterValue,
  formatSlashRewardCap,
  latToWei,
  modelLabel,
  quoteWei,
  shortAddress,
  statusLabel,
  weiToLat,
} from "./format.js";
import { GIVEN_BACK_BADGE, GIVEN_BACK_TITLES, giverRole } from "./given-back.js";
import { chainTime } from "./time.js";
import { LiveClient, defaultSocketUrl } from "./ws.js";

const PROVIDER_PAGE_SIZE = 10;
const JOB_PAGE_SIZE = 10;

/** JobCounts fields and the JobStatus each counts, in lifecycle order. */
const JOB_STATUSES = [
  ["open", "OPEN"],
  ["accepted", "ACCEPTED"],
  ["submitted", "SUBMITTED"],
  ["disputed", "DISPUTED"],
  ["completed", "COMPLETED"],
  ["cancelled", "CANCELLED"],
  ["expired", "EXPIRED"],
  ["declined", "DECLINED"],
  ["timedOut", "TIMED_OUT"],
  ["refunded", "REFUNDED"],
];

// ------------------------------------------------------------------------------------------------------ errors

/** Failures by area ("Providers", "Live updates"...): shown until that area next succeeds or the reader dismisses. */
const errors = new Map();

function reportError(area, error) {
  errors.set(area, error instanceof Error ? error.message : String(error));
  renderErrors();
}

function clearError(area) {
  if (errors.delete(area)) renderErrors();
}

function renderErrors() {
  byId("error-banner").hidden = errors.size === 0;
  replace(
    byId("error-list"),
    [...errors].map(([area, message]) => h("li", {}, h("strong", {}, `${area}: `), message)),
  );
}

/**
 * Codes with which the gateway ends a subscription that is worth asking for again: it is restarting, the tab stalled,
 * the server is full, or the source failed. Any other (JOB_REORGED: the job is gone) is the subscription's last word.
 */
const RESUBSCRIBE_CODES = new Set(["SHUTTING_DOWN", "SUBSCRIBER_TOO_SLOW", "TOO_MANY_SUBSCRIPTIONS", "SOURCE_UNAVAILABLE"]);

/** The GraphQL errors of one answer, with their `extensions.code`s. */
class GraphQLErrors extends Error {
  name = "GraphQLErrors";

  constructor(errorList) {
    super(errorList.map((e) => e.message).join("; "));
    this.codes = errorList.map((e) => e.extensions?.code ?? null);
  }

  /** Whether every error says that the same subscription may succeed if asked for again. */
  get resubscribe() {
    return this.codes.length > 0 && this.codes.every((code) => RESUBSCRIBE_CODES.has(code));
  }
}

function graphqlErrors(errorList) {
  return new GraphQLErrors(errorList);
}

/**
 * The areas whose latest load failed (whether or not the reader dismissed their error), for the live feed to read them
 * again once the gateway answers it (onStats).
 */
const failedAreas = new Set();

/**
 * A loader for one area of the page: runs `load` (with the loader's arguments), renders only the answer of the latest
 * call (an earlier request answering late, e.g. for filters since changed, is dropped) and reports failures in the
 * banner, then calls `failed` with the error's message. It never throws: it resolves to the answer it rendered, or null.
 *
 * `stale` (an element's id): where the area's rows are. `failed` answers whether it replaced them (with its own
 * error); where it did not, the rows it keeps are those of an earlier read, and a line before them says so with the
 * error ("Not updated: ..."), as the provider view does, until the area is read again: the banner that also says it is
 * far up the page, and rows a failed refresh left read as the network's state now.
 */
function latestOnly(area, load, render, failed = () => false, stale = null) {
  let token = 0;
  return async (...args) => {
    const mine = ++token;
    try {
      const result = await load(...args);
      if (mine !== token) return null;
      render(result);
      // The gateway answers: the live connection need not wait out its backoff (the indexing status is read every 10 s).
      if (liveState === "offline") liveClient.reconnectNow();
      if (stale !== null) staleNote(stale, null);
      clearError(area);
      failedAreas.delete(area);
      return result;
    } catch (error) {
      if (mine === token) {
        const message = error instanceof Error ? error.message : String(error);
        reportError(area, error);
        failedAreas.add(area);
        const replaced = failed(message);
        if (stale !== null) staleNote(stale, replaced ? null : `Not updated: ${message}`);
      }
      return null;
    }
  };
}

/**
 * Sets (or, with null, removes) the line before the element `id` (before its table, for a table's body) that says
 * the rows after it could not be read again; its test id is `<id>-stale`.
 */
function staleNote(id, text) {
  const anchor = byId(id).closest(".table-wrap") ?? byId(id);
  const testId = `${id}-stale`;
  const shown = anchor.previousElementSibling?.dataset.testid === testId ? anchor.previousElementSibling : null;
  if (text === null) shown?.remove();
  else if (shown !== null) shown.textContent = text;
  else anchor.before(h("p", { class: "empty", role: "status", "data-testid": testId }, text));
}

// ------------------------------------------------------------------------------------------------------- paging

/**
 * Keyset paging over a Relay connection: the API pages forward with `after`; going back replays the cursor that
 * opened the previous page, kept on a stack.
 */
class KeysetPager {
  constructor(prefix, load) {
    this.afters = [null];
    this.endCursor = null;
    this.prev = byId(`${prefix}-prev`);
    this.next = byId(`${prefix}-next`);
    this.label = byId(`${prefix}-page`);
    this.prev.addEventListener("click", () => {
      if (this.afters.length > 1) this.afters.pop();
      load();
    });
    this.next.addEventListener("click", () => {
      // A second click before the next page has loaded would push the same cursor again.
      if (this.endCursor === null || this.endCursor === this.after) return;
      this.afters.push(this.endCursor);
      load();
    });
    this.update({ hasNextPage: false, endCursor: null });
  }

  get after() {
    return this.afters[this.afters.length - 1];
  }

  reset() {
    this.afters = [null];
  }

  /**
   * The reader's page, from `loadPage(after)` (a connection's page). A page sequence reads its first page's block (its
   * cursors carry it), so a later page reloaded with its cursor shows that block forever, and fails (CURSOR_EXPIRED)
   * once a reorg replaced it: with `fresh` (a new block), the sequence starts over at the latest block and walks its
   * pages up to the reader's, or its last. Answers { page, afters } for update().
   */
  async load(loadPage, fresh) {
    if (!fresh || this.afters.length === 1) return { page: await loadPage(this.after), afters: this.afters };
    const depth = this.afters.length;
    const afters = [null];
    for (;;) {
      const page = await loadPage(afters[afters.length - 1]);
      if (afters.length === depth || !page.pageInfo.hasNextPage) return { page, afters };
      afters.push(page.pageInfo.endCursor);
    }
  }

  /** After a load: `afters` are the cursors of the sequence it walked (a fresh one replaces the reader's). */
  update(pageInfo, afters = this.afters) {
    this.afters = afters;
    this.endCursor = pageInfo.hasNextPage ? pageInfo.endCursor : null;
    this.prev.disabled = this.afters.length === 1;
    this.next.disabled = this.endCursor === null;
    this.label.textContent = `Page ${this.afters.length}`;
  }
}

// ---------------------------------------------------------------------------------------------------- overview

function setStat(id, text, value) {
  const el = byId(id);
  el.textContent = text;
  if (value !== undefined) el.dataset.value = String(value);
}

function setLat(id, amount) {
  setStat(id, formatLat(amount.lat), amount.wei);
}

function statusBadge(status) {
  return h("span", { class: `badge status-${status.toLowerCase()}` }, statusLabel(status));
}

/**
 * A job's status badge. A job its provider gave back (JobEscrow.abandonJob) ends TimedOut, as one whose deadline
 * passed does; "Timed out" said the provider let the deadline pass, so its badge says what happened (the settlement's
 * abandonedBy), keeping the status's colour and the status itself in its title.
 */
function jobBadge(job) {
  if (job.status !== "TIMED_OUT" || !job.settlement?.abandonedBy) return statusBadge(job.status);
  return h("span", { class: "badge status-timed_out", title: GIVEN_BACK_BADGE.title }, GIVEN_BACK_BADGE.label);
}

function renderOverview(stats) {
  setStat("stat-providers", formatInt(stats.providers.registered), stats.providers.registered);
  setStat("stat-providers-active", formatInt(stats.providers.active), stats.providers.active);
  setStat("stat-providers-online", formatInt(stats.providers.online), stats.providers.online);
  setStat("stat-gpus", formatInt(stats.gpus.total), stats.gpus.total);
  setStat("stat-gpus-free", formatInt(stats.gpus.free), stats.gpus.free);
  setStat("stat-gpus-in-use", formatInt(stats.gpus.inUse), stats.gpus.inUse);
  setLat("stat-stake", stats.stake.total);
  setLat("stat-stake-locked", stats.stake.locked);
  setLat("stat-stake-thawing", stats.stake.thawing);
  setLat("stat-volume", stats.volume);
  setStat("stat-gpu-hours", formatHours(stats.gpuHoursBilled), stats.gpuHoursBilled);
  setLat("stat-fees", stats.fees);
  setLat("stat-slashed", stats.slashed);
  setLat("stat-escrow", stats.escrowBalance);
  setStat("stat-jobs", formatInt(stats.jobs.total), stats.jobs.total);
  setStat("stat-disputes", formatInt(stats.disputes.total), stats.disputes.total);
  setStat("stat-disputes-open", formatInt(stats.disputes.open), stats.disputes.open);
  replace(
    byId("jobs-by-status"),
    JOB_STATUSES.map(([field, status]) =>
      h(
        "li",
        { "data-testid": `jobs-status-${status}`, "data-value": stats.jobs[field], class: stats.jobs[field] === 0 ? "zero" : null },
        statusBadge(status),
        h("span", { class: "status-count" }, formatInt(stats.jobs[field])),
      ),
    ),
  );

  const byTotal = (a, b) => b.total - a.total || a.label.localeCompare(b.label);
  drawInventoryChart(
    byId("chart-models"),
    stats.gpusByModel.map((m) => ({ key: m.model, label: modelLabel(m.model, m.name), total: m.total, free: m.free })).sort(byTotal),
    "GPUs by model, free of listed",
  );
  drawInventoryChart(
    byId("chart-regions"),
    stats.gpusByRegion.map((r) => ({ key: r.region, label: r.region, total: r.total, free: r.free })).sort(byTotal),
    "GPUs by region, free of listed",
  );
  drawHistoryChart(byId("chart-history"), stats.history, "Jobs created and volume paid per day");

  syncOptions(byId("f-models"), stats.gpusByModel.map((m) => ({ value: m.model, label: modelLabel(m.model, m.name) })));
  syncOptions(byId("f-regions"), stats.gpusByRegion.map((r) => ({ value: r.region, label: r.region })));
}

/** The filter's choices follow the network's models and regions; the reader's selection is kept. */
function syncOptions(select, items) {
  const signature = JSON.stringify(items);
  if (select.dataset.signature === signature) return;
  select.dataset.signature = signature;
  const selected = new Set([...select.selectedOptions].map((o) => o.value));
  replace(select, items.map((item) => h("option", { value: item.value, selected: selected.has(item.value) }, item.label)));
}

/**
 * Seconds between reads of the indexing status besides those at each new block: an indexer that stops indexes no
 * block to refresh the page by, which would say "In sync" for as long as it is down.
 */
const INDEXING_POLL_S = 10;

/** Seconds between reads of the indexing status while the indexer's thread is starting again (its restart is due). */
const RESTART_RECHECK_S = 2;

/** The timer that reads the indexing status again once an indexer restart is due. */
let indexingRecheck;

/** "1 block", "12 blocks". */
function blocks(count) {
  return `${formatInt(count)} ${count === 1 ? "block" : "blocks"}`;
}

function renderIndexing(status) {
  setStat("idx-block", formatInt(status.indexedBlock), status.indexedBlock);
  setStat("idx-head", status.chainHead === null ? "unknown" : formatInt(status.chainHead));
  setStat("idx-lag", status.lag === null ? "unknown" : blocks(status.lag), status.lag ?? "");
  setStat("idx-source", status.source === "EMBEDDED" ? "embedded indexer" : "subgraph endpoint");
  const health = byId("idx-health");
  const restart = status.indexerRestart ?? null;
  clearTimeout(indexingRecheck);
  if (restart !== null) {
    // Nothing is indexed until the new thread runs, so no new block would refresh this line: it is read again once the
    // restart is due (and every few seconds while the thread starts).
    indexingRecheck = setTimeout(loadIndexing, Math.max(restart.inSeconds, RESTART_RECHECK_S) * 1000);
  }
  const [text, tone] = restart !== null
    ? [
        restart.inSeconds > 0
          ? `Indexing restarts in ${formatDuration(restart.inSeconds)} after an error: ${restart.reason}`
          : `Indexing is restarting after an error: ${restart.reason}`,
        "warn",
      ]
    : status.hasIndexingErrors
    ? ["Indexing stopped on an error", "bad"]
    : status.ready
      ? ["In sync", "good"]
      : [`Catching up (more than ${blocks(status.maxLag)} behind)`, "warn"];
  health.textContent = text;
  health.dataset.tone = tone;
}

// --------------------------------------------------------------------------------------------------- providers

const providers = {
  /** The last valid filter values: { criteria, availableOnly }. */
  query: null,
  /** { field, direction } or null for the API's default order. */
  order: null,
  pager: null,
  /** The filters and order of the rows shown (JSON), for a failed load to tell whether they still answer the form. */
  shown: null,
};

/** The filter form as availableCompute requirements; null (with the browser's hint shown) when a field is invalid. */
function readProviderQuery() {
  const form = byId("provider-filters");
  const priceInput = byId("f-price");
  const price = priceInput.value.trim();
  const maxPricePerGpuHour = price === "" ? undefined : latToWei(price);
  priceInput.setCustomValidity(maxPricePerGpuHour === null ? "Enter a price in LAT, such as 2.5" : "");
  // availableCompute refuses a length JobEscrow.createJob would refuse, and a quote for one prices a job that cannot be
  // posted: the field's min and max (index.html) are those lengths, which the browser checks as the reader types (its
  // :invalid outline); the message says them in words.
  const hoursInput = byId("f-hours");
  hoursInput.setCustomValidity("");
  const { rangeUnderflow, rangeOverflow } = hoursInput.validity;
  hoursInput.setCustomValidity(rangeUnderflow || rangeOverflow ? "A job runs from 1 minute (0.0167 hours) to 720 hours (30 days)" : "");
  if (!form.checkValidity()) {
    form.reportValidity();
    return null;
  }
  const selected = (id) => [...byId(id).selectedOptions].map((o) => o.value);
  const optionalNumber = (id) => (byId(id).value === "" ? undefined : Number(byId(id).value));
  const models = selected("f-models");
  const regions = selected("f-regions");
  const reputation = optionalNumber("f-reputation");
  return {
    criteria: {
      gpuModels: models.length > 0 ? models : undefined,
      regions: regions.length > 0 ? regions : undefined,
      minVramGiB: optionalNumber("f-vram"),
      gpuCount: Number(byId("f-count").value),
      hours: Number(byId("f-hours").value),
      tier: byId("f-tier").value,
      maxPricePerGpuHour,
      minReputation: reputation === undefined ? undefined : Math.round(reputation * 100),
    },
    availableOnly: byId("f-available").checked,
  };
}

/** Loads the providers' page the reader is on; `fresh` (a new block): read at the latest block (KeysetPager.load). */
const loadProviders = latestOnly(
  "Providers",
  async (fresh = false) => {
    const { query, order } = providers;
    const loadPage = (after) => api.loadProviders({ ...query, order, after, first: PROVIDER_PAGE_SIZE });
    const { page, afters } = await providers.pager.load(loadPage, fresh);
    return { query, order, page, afters, block: page.block };
  },
  ({ query, order, page, afters }) => {
    providers.shown = JSON.stringify({ query, order });
    renderProviders(query, page, afters);
  },
  (message) => {
    // Rows of other filters or another order, under the form's new ones, would read as the answer to them. The error
    // is said here, where the reader looks: the banner at the top of the page is out of view from the table.
    if (providers.shown === JSON.stringify({ query: providers.query, order: providers.order })) return false;
    fillTable(byId("providers-body"), [], `The providers for these filters could not be loaded: ${message}`);
    // Nor may the previous rows' next page be asked for under these filters: their cursor is not these filters' page.
    providers.pager.update({ hasNextPage: false, endCursor: null });
    return true;
  },
  "providers-body",
);

/** Billed seconds for `hours`, rounded as the gateway's quotes round them. */
function jobSeconds(hours) {
  return Math.round(hours * 3600);
}

function providerStatus(p) {
  if (p.active) return h("span", { class: "badge good" }, "Active");
  if (!p.registered) return h("span", { class: "badge muted" }, "Deregistered");
  if (!p.online) return h("span", { class: "badge muted" }, "Offline");
  return h("span", { class: "badge warn", title: "Staked less than the minimum per GPU" }, "Under-staked");
}

/**
 * Why a provider listed in the "all providers" mode cannot take the job now, from its row's fields (the Status badge's
 * status, then its free GPUs against those asked for); null when it can.
 */
function notNowReason(p, criteria) {
  if (!p.active) return !p.registered ? "deregistered" : !p.online ? "offline" : "under-staked";
  if (p.capacity.gpusFree < criteria.gpuCount) return "busy";
  return null;
}

/**
 * The quote cell: the gateway's quote (availableCompute) or the same computation here; its wei in data-value. A quote
 * computed here for a provider that cannot take the job now says so, in words beside the price.
 */
function quoteCell(p, criteria) {
  // The gateway's own quote: availableCompute lists only offers whose provider can take the job now.
  if (p.quote !== null) {
    return h("td", { class: "num", "data-testid": "provider-quote", "data-value": p.quote.cost.wei }, formatLat(p.quote.cost.lat));
  }
  const wei = quoteWei(p.pricePerGpuHour.wei, criteria.gpuCount, jobSeconds(criteria.hours));
  const reason = notNowReason(p, criteria);
  const note =
    reason === null
      ? null
      : h(
          "span",
          {
            class: "not-now muted",
            "data-testid": "provider-not-now",
            "data-reason": reason,
            title:
              reason === "busy"
                ? `${formatInt(p.capacity.gpusFree)} of the ${count(criteria.gpuCount, "GPU")} needed free now`
                : "Only an active provider takes a job (see Status)",
          },
          `not now: ${reason}`,
        );
  return h("td", { class: "num", "data-testid": "provider-quote", "data-value": wei }, formatLat(weiToLat(wei)), note);
}

/** Whether any job the provider took has finished: until one has, its score is only the prior every provider starts at. */
function hasTrackRecord(r) {
  return r.jobsCompleted + r.jobsTimedOut + r.disputesLost > 0;
}

/**
 * Why a provider has no track record yet. Every job it accepted either has not ended (running, submitted or disputed)
 * or has ended: settled to it, timed out or refunded by an upheld dispute (JobEscrow). With none of the last two (no record), the jobs that ended
 * were settled, each costing less than the `minTrackRecordCost` under which JobEscrow leaves a job out of the record;
 * "1 accepted, none finished" said the opposite. `minTrackRecordCostWei` is null where the page does not have it.
 */
function noTrackRecordReason(r, minTrackRecordCostWei) {
  if (r.jobsAccepted === 0) return "no job accepted";
  const settled = r.jobsAccepted - r.jobsActive;
  // jobsActive counts a submitted or disputed job as well as a running one ("not finished yet" read as all running),
  // and the reputation tells them no further apart.
  const running = r.jobsActive === 0 ? "" : `, ${formatInt(r.jobsActive)} still running or awaiting settlement or a ruling`;
  if (settled === 0) return `${formatInt(r.jobsAccepted)} accepted, none ended yet: running or awaiting settlement or a ruling`;
  const minimum = minTrackRecordCostWei === null ? "the minimum cost" : `the minimum cost of ${formatLat(weiToLat(minTrackRecordCostWei))}`;
  const jobs = settled === 1 ? "1 job settled, under" : `${formatInt(settled)} jobs settled, all under`;
  return `${jobs} ${minimum} that counts toward reputation${running}`;
}

/** The table's reputation figure, which says no more than the provider view does (reputationText). */
function reputationCell(r) {
  if (!hasTrackRecord(r)) {
    return h(
      "td",
      { class: "num muted", "data-testid": "provider-reputation", title: `No track record yet: ${noTrackRecordReason(r, null)} (its score starts at ${formatBps(r.score)})` },
      "no record yet",
    );
  }
  return h(
    "td",
    { class: "num", "data-testid": "provider-reputation", title: `${count(r.jobsCompleted, "job")} completed, ${formatInt(r.jobsTimedOut)} timed out, ${count(r.disputesLost, "dispute")} lost` },
    formatBps(r.score),
  );
}

function address(value) {
  return value ? h("code", { title: value }, shortAddress(value)) : "—";
}

function renderProviders({ criteria, availableOnly }, page, afters) {
  providers.pager.update(page.pageInfo, afters);
  const count = `${criteria.gpuCount} GPU${criteria.gpuCount === 1 ? "" : "s"}`;
  // The time quoted in the units that fit it, as a job's max duration reads: 0.1 hours read "0.1 h" for 6 minutes.
  const duration = formatDuration(jobSeconds(criteria.hours));
  const gpus = `${count} × ${duration}`;
  // The heading wraps between the GPUs and the time, not inside either ("1 GPU × 1" over "h)").
  replace(byId("quote-heading"), "Quote (", h("span", { class: "nowrap" }, count), " × ", h("span", { class: "nowrap" }, duration), ")");
  byId("providers-caption").textContent = availableOnly
    ? `Offers that can run ${gpus} now (availableCompute)`
    : `All providers matching the filters, listing ${count} or more, busy or free (quotes for ${gpus})`;
  for (const th of document.querySelectorAll("th[data-sort]")) {
    const sorted = providers.order?.field === th.dataset.sort;
    th.setAttribute("aria-sort", sorted ? (providers.order.direction === "ASC" ? "ascending" : "descending") : "none");
  }
  const rows = page.rows.map((p) =>
    h(
      "tr",
      {
        "data-testid": "provider-row",
        "data-address": p.address,
        "data-model": p.gpuModel,
        "data-price-wei": p.pricePerGpuHour.wei,
        "data-free": p.capacity.gpusFree,
      },
      h(
        "td",
        {},
        h(
          "button",
          { type: "button", class: "link", "data-testid": "provider-open", title: `${p.address}: its GPUs, stake, jobs and activity, and how to post a job for it`, onclick: () => openProvider(p.address) },
          h("code", {}, shortAddress(p.address)),
        ),
      ),
      h("td", { title: p.gpuModel }, modelLabel(p.gpuModel, p.gpuModelName)),
      h("td", { class: "num" }, `${p.vramGiB} GiB`),
      h("td", { class: "num", "data-testid": "provider-capacity" }, `${p.capacity.gpusFree} / ${p.capacity.gpuCount}`),
      h("td", { class: "mid-hidden" }, p.region ?? "—"),
      h("td", { class: "mid-hidden" }, p.tier ? statusLabel(p.tier) : "—"),
      h("td", { class: "num" }, formatLat(p.pricePerGpuHour.lat)),
      reputationCell(p.reputation),
      h("td", { class: "num mid-hidden", "data-testid": "provider-stake", "data-value": p.stake.staked.wei }, formatLat(p.stake.staked.lat)),
      h(
        "td",
        { class: "num mid-hidden", "data-testid": "provider-slash-cap", "data-value": p.maxSlashRewardBps },
        formatSlashRewardCap(p.maxSlashRewardBps),
      ),
      h("td", {}, providerStatus(p)),
      quoteCell(p, criteria),
    ),
  );
  const none =
    page.pausedUntil === null
      ? !availableOnly && unfiltered(criteria)
        ? // Every provider that ever registered lists one GPU or more: none at all is an empty network, not a filter's doing.
          "No provider has registered on this network yet."
        : "No provider matches these filters."
      : // The pause ends at pausedUntil (PauseGuardian: paused while now < pausedUntil): from then on jobs are taken.
        ["The protocol is paused until ", chainTime(page.pausedUntil, { from: true }), ": JobEscrow takes no job, so nothing is offered now."];
  fillTable(byId("providers-body"), rows, none);
}

/** Whether the providers form asks for no more than the page starts with: any provider listing a GPU. */
function unfiltered(criteria) {
  // The hours price the quotes only: they narrow nothing.
  const { gpuCount, hours, tier, ...rest } = criteria;
  return gpuCount === 1 && tier === "ANY" && Object.values(rest).every((value) => value === undefined);
}

/** Fills a table's body with `rows`, or with a row saying `emptyText` when there are none. */
function fillTable(body, rows, emptyText) {
  replace(body, rows.length > 0 ? rows : emptyRow(body, emptyText));
  labelCells(body);
}

/** Names each cell by its column's heading (data-label), which a phone's card layout shows before the value. */
function labelCells(body) {
  const headings = [...body.closest("table").tHead.rows[0].cells].map((th) => th.textContent.trim());
  for (const row of body.rows) for (const [i, cell] of [...row.cells].entries()) if (cell.colSpan === 1) cell.dataset.label = headings[i];
}

/** A row saying why `body` is empty, across every column its table's head has. */
function emptyRow(body, text) {
  const columns = body.closest("table").tHead.rows[0].cells.length;
  return h("tr", { class: "empty-row" }, h("td", { colspan: columns }, text));
}

function applyProviderFilters() {
  const query = readProviderQuery();
  if (query === null) return;
  providers.query = query;
  providers.pager.reset();
  loadProviders();
}

function initProviders() {
  providers.pager = new KeysetPager("providers", loadProviders);
  providers.query = readProviderQuery();
  const form = byId("provider-filters");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // Enter in a field changes it first: that change has applied this very query already.
    if (JSON.stringify(readProviderQuery()) !== JSON.stringify(providers.query)) applyProviderFilters();
  });
  form.addEventListener("change", applyProviderFilters);
  // The form's values change after the reset event. Reset also drops a column's sort for the API's default order, the
  // page's own at start; the headers' aria-sort follows as the table renders.
  form.addEventListener("reset", () => {
    providers.order = null;
    setTimeout(applyProviderFilters);
  });
  for (const th of document.querySelectorAll("th[data-sort]")) {
    th.querySelector("button").addEventListener("click", () => {
      const field = th.dataset.sort;
      // First click: the useful end (cheapest, or most reputation / free GPUs / memory); then it flips.
      const current = providers.order?.field === field ? providers.order.direction : null;
      const firstDirection = field === "PRICE" ? "ASC" : "DESC";
      providers.order = { field, direction: current === null ? firstDirection : current === "ASC" ? "DESC" : "ASC" };
      providers.pager.reset();
      loadProviders();
    });
  }
}

// -------------------------------------------------------------------------------------------------------- jobs

/** `shown`: the status filter of the rows shown (null: none shown yet). */
/** The jobs table's filters (`client`, `provider`: an address, or null for any) and those of the rows it shows. */
/** `invalid`: by party, the text of an address filter that is not an address (null: none). */
const jobs = { status: "", client: null, provider: null, invalid: { client: null, provider: null }, pager: null, shown: null };

/** The filters as one comparable value: rows read under other filters are not the answer to these. */
function jobFilterKey({ status, client, provider, invalid }) {
  return JSON.stringify([status, client, provider, invalid.client, invalid.provider]);
}

/**
 * Every requirement a job sets that its provider must meet, "2× NVIDIA H100 SXM 80GB ≥80 GiB · eu-west · enterprise ·
 * ≥10 jobs · slash cap ≥25.0%"; those at their "any" value are left out to keep the column short. The model by its
 * name, as the providers table shows it, with its id (what the job's terms hold) as the tooltip.
 */
function needs(r) {
  const model = r.gpuModel === null ? "any GPU" : h("span", { title: r.gpuModel }, modelLabel(r.gpuModel, r.gpuModelName));
  const gpus = [`${r.gpuCount}× `, model, r.minVramGiB > 0 ? ` ≥${r.minVramGiB} GiB` : null];
  const jobs = r.minCompletedJobs > 0 ? `≥${formatInt(r.minCompletedJobs)} ${r.minCompletedJobs === 1 ? "job" : "jobs"}` : null;
  // In the providers table's and the governance panel's basis-point format (2500 → 25.0%), for a client to match them.
  const slashCap = r.minSlashRewardBps > 0 ? `slash cap ≥${formatBps(r.minSlashRewardBps)}` : null;
  const tier = r.tier === "ANY" ? null : r.tier.toLowerCase();
  return [gpus, r.region, tier, jobs, slashCap].filter((part) => part).flatMap((part, i) => (i === 0 ? [part] : [" · ", part]));
}

/** Loads the jobs' page the reader is on; `fresh` (a new block): read at the latest block (KeysetPager.load). */
const loadJobs = latestOnly(
  "Jobs",
  async (fresh = false) => {
    const party = ["client", "provider"].find((p) => jobs.invalid[p] !== null);
    if (party !== undefined) {
      const invalid = `The ${party} filter "${jobs.invalid[party]}" is not an address (0x and 40 hexadecimal digits): no jobs are listed until it is one, or empty.`;
      return { key: jobFilterKey(jobs), invalid };
    }
    const { status, client, provider } = jobs;
    const statuses = status === "" ? [] : [status];
    const { page, afters } = await jobs.pager.load((after) => api.loadJobs({ statuses, client, provider, after, first: JOB_PAGE_SIZE }), fresh);
    return { key: jobFilterKey(jobs), byParty: client !== null || provider !== null, byStatus: status !== "", page, afters, block: page.block };
  },
  ({ key, invalid, byParty, byStatus, page, afters }) => {
    jobs.shown = key;
    if (invalid !== undefined) {
      fillTable(byId("jobs-body"), [], invalid);
      jobs.pager.update({ hasNextPage: false, endCursor: null });
      return;
    }
    jobs.pager.update(page.pageInfo, afters);
    const rows = page.nodes.map((j) =>
      h(
        "tr",
        { "data-testid": "job-row", "data-id": j.id, "data-status": j.status },
        h("td", {}, h("button", { type: "button", class: "link", "data-testid": "job-open", onclick: () => openJob(j.id) }, `#${j.id}`)),
        h("td", {}, jobBadge(j), pastAcceptDeadline(j) ? [h("br"), h("span", { class: "muted", "data-testid": "job-past-deadline" }, "past deadline")] : null),
        h("td", { class: "needs", "data-testid": "job-needs" }, needs(j.requirements)),
        h("td", { class: "mid-hidden" }, address(j.client)),
        h("td", {}, address(j.provider?.address)),
        h("td", { class: "num mid-hidden" }, formatLat(j.maxPricePerGpuHour.lat)),
        h("td", { class: "num" }, formatLat(j.escrowed.lat)),
        h("td", { class: "time" }, chainTime(j.updatedAt)),
      ),
    );
    // Under "All statuses" and no party, none at all: "No jobs with this status" blamed a status no one chose.
    fillTable(byId("jobs-body"), rows, byParty ? "No jobs match these filters." : byStatus ? "No jobs with this status." : "No jobs posted yet.");
  },
  (message) => {
    // Another status's rows, under the filter's new one, would read as the answer to it. The error is said here, as
    // the providers table says its own: the banner is out of view from the table.
    if (jobs.shown === jobFilterKey(jobs)) return false;
    const filters = jobs.client !== null || jobs.provider !== null ? "for these filters" : "with this status";
    fillTable(byId("jobs-body"), [], `The jobs ${filters} could not be loaded: ${message}`);
    jobs.pager.update({ hasNextPage: false, endCursor: null });
    return true;
  },
  "jobs-body",
);

/**
 * An OPEN job past its acceptance deadline stays OPEN until JobEscrow.expireJob refunds it, though no provider may
 * accept it any more: "Open" alone told a client that it still could be.
 */
function pastAcceptDeadline(job) {
  return job.status === "OPEN" && job.pastAcceptDeadline === true;
}

function initJobs() {
  jobs.pager = new KeysetPager("jobs", loadJobs);
  const select = byId("f-status");
  select.append(...JOB_STATUSES.map(([, status]) => h("option", { value: status }, statusLabel(status))));
  select.addEventListener("change", () => {
    jobs.status = select.value;
    jobs.pager.reset();
    loadJobs();
  });
  // A client's own jobs, or a provider's beyond the 10 its view lists: the API's JobFilter.client and .provider.
  for (const party of ["client", "provider"]) {
    const input = byId(`f-job-${party}`);
    input.addEventListener("change", () => {
      const text = input.value.trim();
      const valid = text === "" || ADDRESS.test(text);
      input.setCustomValidity(valid ? "" : "An address: 0x and 40 hexadecimal digits");
      // The rows of the filter before (every client's jobs) stayed under an address cut short, once the browser's
      // bubble had gone, as if they were that client's: the table says why it lists none instead.
      if (!valid) input.reportValidity();
      const value = !valid || text === "" ? null : text;
      const invalid = valid ? null : text;
      if (jobs[party] === value && jobs.invalid[party] === invalid) return;
      jobs[party] = value;
      jobs.invalid[party] = invalid;
      jobs.pager.reset();
      loadJobs();
    });
  }
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The jobs table filtered to the jobs `provider` accepted, from its view, which lists only its latest ones. */
function showJobsOf(provider) {
  byId("provider-dialog").close();
  const input = byId("f-job-provider");
  input.value = provider;
  input.setCustomValidity("");
  jobs.provider = provider;
  jobs.invalid.provider = null;
  jobs.pager.reset();
  loadJobs();
  byId("jobs-title").scrollIntoView();
  // The closed dialog hands focus back to the provider's row far above: the next Tab scrolled the page back up there.
  input.focus({ preventScroll: true });
}

// ------------------------------------------------------------------------------------------------- job detail

/**
 * The gateway may end a subscription with an error while the connection stays up (SUBSCRIBER_TOO_SLOW after a
 * stalled tab, TOO_MANY_SUBSCRIPTIONS when it is full, SHUTTING_DOWN as it restarts): the client then forgets it, and
 * only a reconnection would have sent it again. The page asks again after this pause instead of showing frozen
 * figures as live.
 */
const RESUBSCRIBE_MS = 5_000;

/**
 * The job shown in the dialog: its id, how to stop its jobUpdated subscription, and the timer of a subscription
 * asked for again. Each opening is a new object, so that a late answer for an earlier one is told apart.
 */
let shownJob = null;

/** "JobCreated" → "Job created" */
function eventLabel(kind) {
  const words = kind.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Whether a job ended with nothing paid to its provider: its whole escrow went back to its client. */
function unpaid(job) {
  return Boolean(job.settlement) && job.settlement.amountPaid.wei === "0";
}

/** The submitted result's cost and billed time, or, for a job that ended unpaid, its run time and that it cost nothing. */
function resultFact(job) {
  if (!job.result) return ["Result cost", null];
  const billed = h(
    "span",
    { "data-testid": "job-billed", "data-value": job.result.billedSeconds, title: `${formatInt(job.result.billedSeconds)} s billed` },
    formatDuration(job.result.billedSeconds),
  );
  if (unpaid(job)) {
    return ["Result", h("span", { "data-testid": "job-result-cost" }, "ran ", billed, `; its cost of ${formatLat(job.result.cost.lat)} was not charged`)];
  }
  return ["Result cost", h("span", { "data-testid": "job-result-cost" }, `${formatLat(job.result.cost.lat)} for `, billed)];
}

/**
 * A resolved dispute's ruling and where the client's deposit went (DisputeManager's rule and closeExpired): the
 * ruling alone left a client who lost its deposit to a rejected dispute without a word of it on the job.
 */
function disputeOutcome(dispute) {
  const ruling = dispute.ruling === "EXPIRED" ? "Expired, not ruled in time (a draw)" : statusLabel(dispute.ruling);
  const deposit = `the client's ${formatLat(dispute.deposit.lat)} deposit`;
  return `${ruling}: ${deposit} ${dispute.ruling === "REJECTED" ? "went to the provider" : "went back to it"}`;
}

/**
 * A job's provider, opening its view (in place of the job dialog): a client weighing who runs, or may take, its job
 * had to find that provider again in the table.
 */
function providerLink(value) {
  const open = () => {
    byId("job-dialog").close();
    openProvider(value);
  };
  return h("button", { type: "button", class: "link", "data-testid": "job-provider-open", onclick: open }, address(value));
}

/**
 * A timeline entry's title and who it was by: "Job abandoned" by an address did not say whether the provider or its
 * operator gave the job back (the settlement does), nor that it was given back before its deadline.
 */
function timelineEntry(job, e) {
  const by = job.settlement?.abandonedBy;
  if (GIVEN_BACK_TITLES[e.kind] === undefined || !by) return [eventLabel(e.kind), ["by ", address(e.from)]];
  // With no provider (none accepted the job), an address that is not one reads as an operator's, as it did.
  return [GIVEN_BACK_TITLES[e.kind], [`by ${giverRole(by, job.provider?.address ?? "")} `, address(by)]];
}

function renderJob(job) {
  byId("job-dialog-title").replaceChildren(`Job #${job.id} `, jobBadge(job));
  const facts = [
    ["Client", address(job.client)],
    // The provider that accepted it; before that (and for a job that ended unaccepted) the one it is directed at is no
    // more than that: "Provider" read as if the provider that declined a job had taken it.
    job.provider
      ? ["Provider", providerLink(job.provider.address)]
      : job.targetProvider
        ? ["Directed at", providerLink(job.targetProvider)]
        : ["Provider", job.status === "OPEN" ? "none yet: open to any provider that meets its needs" : "none"],
    ["Needs", needs(job.requirements)],
    ["Max price", `${formatLat(job.maxPricePerGpuHour.lat)} / GPU-hour`],
    // A job may run for any number of seconds from a minute up (`--max-duration 10m`): in hours, 10 minutes read "0.167 h".
    ["Max duration", formatDuration(job.maxDuration)],
    // The next deadline of a live job, which the page read and did not show: until when a provider may accept it,
    // its provider must submit (or be slashed), its client may dispute the result (then anyone may settle it).
    [
      "Deadline",
      job.status === "OPEN"
        ? pastAcceptDeadline(job)
          ? ["accept by ", chainTime(job.acceptDeadline), ": passed, no provider may accept it now (expiring it refunds its client)"]
          : ["accept by ", chainTime(job.acceptDeadline)]
        : job.status === "ACCEPTED"
          ? ["result due by ", chainTime(job.resultDeadline)]
          : job.status === "SUBMITTED"
            ? ["disputable until ", chainTime(job.challengeDeadline), ", then anyone may settle it"]
            : // A disputed job waits on its arbitrator, but not for ever: "Open, not ruled yet" alone left its client
              // with no date, nor with the way out DisputeManager gives once the ruling period is over.
              job.status === "DISPUTED" && job.dispute && !job.dispute.resolved
              ? ["ruling due by ", chainTime(job.dispute.ruleDeadline), ", then anyone may close the dispute as a draw (dispute close-expired)"]
              : null,
    ],
    ["Escrowed", formatLat(job.escrowed.lat)],
    ["Price at acceptance", job.pricePerGpuHour ? `${formatLat(job.pricePerGpuHour.lat)} / GPU-hour` : null],
    ["Collateral", job.collateral ? formatLat(job.collateral.lat) : null],
    // Billed in the largest units that fit, as the max duration above reads ("for 5400 s" hid "1 h 30 min"); the
    // exact seconds, which the cost is computed from, in the tooltip. A job that ended with nothing paid (a refund)
    // was not charged that cost: "Result cost 2.5 LAT" beside "Paid 0 LAT" read as a charge still to come.
    resultFact(job),
    ["Paid", job.settlement ? (unpaid(job) ? "nothing" : formatLat(job.settlement.amountPaid.lat)) : null],
    [
      "Refunded",
      job.settlement
        ? job.settlement.refund.wei === "0"
          ? "nothing"
          : `${formatLat(job.settlement.refund.lat)}, ${unpaid(job) ? "the whole escrow" : "the rest of the escrow"}, to the client`
        : null,
    ],
    // What the provider lost over the job (its time-out, an upheld dispute): the client's side of a failed job.
    ["Collateral slashed", job.settlement && job.settlement.slashed.wei !== "0" ? formatLat(job.settlement.slashed.lat) : null],
    // An open dispute's ruling is NONE, which read "None (pending)" as if there were no dispute.
    ["Dispute", job.dispute ? (job.dispute.resolved ? disputeOutcome(job.dispute) : "Open, not ruled yet") : null],
    ["Spec", job.specURI],
  ].filter(([, value]) => value !== null);
  replace(
    byId("job-detail"),
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    h("h3", {}, "Timeline"),
    h(
      "ol",
      { class: "timeline", "data-testid": "job-timeline" },
      job.timeline.map((e) => {
        const [title, by] = timelineEntry(job, e);
        return h(
          "li",
          { "data-kind": e.kind },
          h("strong", {}, title),
          chainTime(e.timestamp, { className: "time" }),
          h("span", { "data-testid": "job-event-by" }, by),
          amountInWords(e) === null ? null : h("span", { "data-testid": "job-event-amount" }, amountInWords(e)),
          h("span", { class: "muted" }, `block ${formatInt(e.blockNumber)}`),
        );
      }),
    ),
  );
}

function openJob(id) {
  closeJob();
  const dialog = byId("job-dialog");
  byId("job-dialog-title").textContent = `Job #${id}`;
  if (!dialog.open) dialog.showModal();
  const shown = { id, stop: () => {}, retry: null, loaded: false, stopped: null };
  shownJob = shown;
  renderJobLoading();
  followJob(shown);
}

/**
 * The dialog's job comes over the live connection (jobUpdated): while that is down (a restarting gateway, the
 * backoff up to 30 s), "Loading…" alone read as a page that hung.
 */
function renderJobLoading() {
  if (shownJob === null || shownJob.loaded) return;
  const waiting = liveState === "live" ? "Loading…" : "Loading… once the live connection to the gateway is back (see the corner): the job comes over it.";
  replace(byId("job-detail"), h("p", { class: "empty", "data-testid": "job-loading" }, waiting));
}

/**
 * The line under a job whose updates stopped: a restarting gateway (SHUTTING_DOWN) drops the connection right after,
 * and the subscription asked for again waits for it, for up to the 30 s of the backoff: "asking again in 5 s" read as
 * a promise the page did not keep.
 */
function renderJobNotice() {
  const notice = document.querySelector('[data-testid="job-notice"]');
  if (shownJob === null || !shownJob.stopped || notice === null) return;
  const next = liveState === "live" ? `asking again in ${RESUBSCRIBE_MS / 1000} s` : "they resume once the live connection to the gateway is back (see the corner)";
  notice.textContent = `Updates stopped (${shownJob.stopped}); ${next}.`;
}

/** Subscribes the dialog's job to jobUpdated, which sends the job as it is now, then again after each change. */
function followJob(shown) {
  shown.stop = liveClient.subscribe(api.JOB_UPDATED_SUBSCRIPTION, { id: shown.id }, {
    next: (result) => {
      if (shownJob !== shown) return;
      shown.loaded = true;
      shown.stopped = null;
      if (result.errors?.length) {
        replace(byId("job-detail"), h("p", { class: "empty" }, result.errors.map((e) => e.message).join("; ")));
        reportError("Job", graphqlErrors(result.errors));
      } else {
        clearError("Job");
        renderJob(result.data.jobUpdated);
      }
    },
    error: (errorList) => {
      const error = graphqlErrors(errorList);
      reportError("Job", error);
      if (shownJob !== shown) return;
      shown.loaded = true;
      if (error.resubscribe) {
        // A restarting gateway ends every subscription (SHUTTING_DOWN) before it drops the connection: the client
        // then forgets this one, and the dialog would show a state that no longer updates once it is back. The
        // state shown stays, with a line saying that updates stopped, until the new subscription sends the job.
        shown.stopped = error.message;
        // One line, however many times the subscription asked for again is ended in turn.
        if (document.querySelector('[data-testid="job-notice"]') === null) {
          byId("job-detail").append(h("p", { class: "empty", "data-testid": "job-notice" }));
        }
        renderJobNotice();
        shown.retry = setTimeout(() => {
          if (shownJob === shown) followJob(shown);
        }, RESUBSCRIBE_MS);
        return;
      }
      // The subscription is over: the dialog would otherwise stay on "Loading…" (or on a state that no longer
      // updates). h() sets the message as text, so a message with markup is shown, not parsed. The title's status
      // badge goes with the job (a reorg may have removed it).
      byId("job-dialog-title").textContent = `Job #${shown.id}`;
      replace(byId("job-detail"), h("p", { class: "empty", "data-testid": "job-error" }, error.message));
    },
  });
}

function closeJob() {
  if (shownJob !== null) {
    clearTimeout(shownJob.retry);
    shownJob.stop();
  }
  shownJob = null;
}

function initJobDialog() {
  const dialog = byId("job-dialog");
  byId("job-dialog-close").addEventListener("click", () => dialog.close());
  // Closed by the button, Escape or a click on the backdrop.
  dialog.addEventListener("close", closeJob);
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
}

// --------------------------------------------------------------------------------------------- provider view

/**
 * The provider the dialog shows ({ address, loaded }; null: closed), a new object at each opening, so that a late
 * answer for another one (or an earlier opening) is dropped.
 */
let shownProvider = null;

/** Each figure keeps its wei in data-value: the LAT shown is rounded, and a check against the chain needs the exact amount. */
function providerEarnings(e) {
  const lat = (testId, amount) => h("span", { "data-testid": testId, "data-value": amount.wei }, formatLat(amount.lat));
  return h(
    "span",
    { "data-testid": "provider-view-earnings" },
    lat("provider-view-earned", e.earned),
    " from jobs, ",
    lat("provider-view-deposits-won", e.disputeDepositsWon),
    " in dispute deposits won; ",
    lat("provider-view-fees-paid", e.feesPaid),
    " paid in fees, ",
    lat("provider-view-slashed", e.slashed),
    " slashed, ",
    lat("provider-view-deposits-returned", e.disputeDepositsReturned),
    " in deposits returned to clients; ",
    h("span", { "data-testid": "provider-view-gpu-hours", "data-value": e.gpuHoursBilled }, formatHours(e.gpuHoursBilled)),
    " GPU-hours billed",
  );
}

/**
 * A provider's track record in words. The score counts only finished jobs (completed, timed out, disputes lost) over a
 * prior of one success in two (schema: Reputation.score), so before any job finishes it is that prior, 50%, which
 * "50.0%: 0 of 0 jobs completed" passed off as a record.
 */
function reputationText(r, minTrackRecordCostWei) {
  if (!hasTrackRecord(r)) return `No track record yet: ${noTrackRecordReason(r, minTrackRecordCostWei)} (its score starts at ${formatBps(r.score)})`;
  return (
    `${formatBps(r.score)}: ${formatInt(r.jobsCompleted)} of ${formatInt(r.jobsAccepted)} jobs completed, ` +
    `${formatInt(r.jobsTimedOut)} timed out, ${count(r.disputesLost, "dispute")} lost`
  );
}

/** A job length as `job create --max-duration` takes it: "2h", "90m", or seconds. */
function taskDuration(seconds) {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return String(seconds);
}

/**
 * How a client posts a job for this provider: the page only reads the chain, and a client that found its GPUs had no
 * word of how to use them. The Hardhat task (README, Tasks) with the GPUs and hours of the providers form, at most the
 * provider's price; the client's account and workload document are the client's to fill in.
 */
function jobCreateCommand(p, network, tasks) {
  const query = providers.query?.criteria;
  const gpus = query?.gpuCount ?? 1;
  const seconds = jobSeconds(query?.hours ?? 1);
  // A devnet on another chain port than 8545 (Deployment.tasks): without these the task reaches whatever listens on
  // 8545, or finds no record. A URL that may hold a key is not published: the user sets the gateway's --rpc-url.
  const rpcUrl = tasks?.localRpcUrl ?? (tasks?.localRpcUrlWithheld ? "<the gateway's --rpc-url>" : null);
  // The task's own options, then the common ones last, in the order every command the tasks print has them.
  const options = [
    ["--provider", p.address],
    ["--gpus", String(gpus)],
    ["--max-price", p.pricePerGpuHour.lat],
    ["--max-duration", taskDuration(seconds)],
    ["--spec-file", "<your job spec>"],
    ["--network", network ?? "<network>"],
    ...(tasks?.deploymentFile ? [["--deployment", tasks.deploymentFile]] : []),
    ["--from", "<your account>"],
  ];
  // Each flag with its value in a span of its own (styles.css): a line breaks between options, or inside a value too
  // long for it, never after a flag's "--" nor between a flag and its value.
  return [
    rpcUrl === null ? null : [h("span", {}, "LOCAL_RPC_URL=", h("span", { class: "value" }, rpcUrl)), " "],
    h("span", {}, "npx hardhat job create"),
    options.map(([flag, value]) => [" ", h("span", {}, `${flag} `, h("span", { class: "value" }, value))]),
  ];
}

/** A job in one of the provider view's lists: its id (opening the job dialog), status, needs, escrow and `when`. */
function providerViewJob(j, when) {
  return h(
    "li",
    { "data-id": j.id, "data-status": j.status },
    h(
      "span",
      {},
      h("button", { type: "button", class: "link", onclick: () => openJob(j.id) }, `#${j.id}`),
      " ",
      jobBadge(j),
      " ",
      needs(j.requirements),
      // What the client escrowed: a finished job's escrow has been paid out, so not "in escrow".
      ` · ${formatLat(j.escrowed.lat)} escrowed`,
    ),
    when,
  );
}

function renderProvider({ provider: p, directed, activity, contracts, minTrackRecordCost, network, tasks }) {
  byId("provider-dialog-title").replaceChildren(`Provider ${shortAddress(p.address)} `, providerStatus(p));
  const r = p.reputation;
  const facts = [
    ["Address", h("code", {}, p.address)],
    ["Operator", p.operator ? address(p.operator) : "none (the provider itself)"],
    [
      "GPUs",
      h(
        "span",
        { "data-testid": "provider-view-gpus", "data-count": p.capacity.gpuCount, "data-free": p.capacity.gpusFree },
        `${formatInt(p.capacity.gpuCount)}× ${modelLabel(p.gpuModel, p.gpuModelName)}, ${p.vramGiB} GiB each: ` +
          `${formatInt(p.capacity.gpusFree)} free, ${formatInt(p.capacity.gpusInUse)} in use`,
      ),
    ],
    ["Region · tier", `${p.region ?? "—"} · ${p.tier ? statusLabel(p.tier) : "—"}`],
    ["Price", `${formatLat(p.pricePerGpuHour.lat)} / GPU-hour`],
    [
      "Stake",
      h(
        "span",
        { "data-testid": "provider-view-stake", "data-value": p.stake.staked.wei },
        `${formatLat(p.stake.staked.lat)}: ${formatLat(p.stake.locked.lat)} locked as collateral, ` +
          `${formatLat(p.stake.thawing.lat)} thawing, ${formatLat(p.stake.free.lat)} free`,
      ),
    ],
    ["Slash cap", formatSlashRewardCap(p.maxSlashRewardBps)],
    ["Reputation", h("span", { "data-testid": "provider-view-reputation" }, reputationText(r, minTrackRecordCost))],
    ["Earnings", providerEarnings(p.earnings)],
    [
      "Post a job for it",
      h(
        "span",
        {},
        p.active ? null : "It takes none while not active (see its status). ",
        "With the Hardhat task (README, Tasks), for the GPUs and hours of the filters above: ",
        h("code", { class: "command", "data-testid": "provider-view-job-create" }, jobCreateCommand(p, network, tasks)),
      ),
    ],
  ];
  const jobs = p.jobs.nodes;
  replace(
    byId("provider-detail"),
    h("dl", { class: "facts" }, facts.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
    // A job posted for this provider alone waits on its answer, but appears in none of its lists until it accepts:
    // its provider had to find it among every open job of the network.
    directed.length > 0 ? h("h3", {}, "Directed at it, awaiting its answer") : null,
    directed.length > 0
      ? h(
          "ul",
          { class: "feed", "data-testid": "provider-view-directed" },
          directed.map((j) =>
            providerViewJob(
              j,
              h("span", { class: "time" }, "accept by ", chainTime(j.acceptDeadline), pastAcceptDeadline(j) ? ": passed" : null),
            ),
          ),
        )
      : null,
    h("h3", {}, `Latest jobs (${api.PROVIDER_VIEW_SIZE} at most)`),
    jobs.length > 0
      ? h("p", {}, h("button", { type: "button", class: "link", "data-testid": "provider-view-all-jobs", onclick: () => showJobsOf(p.address) }, "All its jobs, in the jobs table"))
      : null,
    h(
      "ul",
      { class: "feed", "data-testid": "provider-view-jobs" },
      jobs.length > 0
        ? jobs.map((j) => providerViewJob(j, chainTime(j.updatedAt)))
        : h("li", { class: "empty" }, "No jobs yet."),
    ),
    h("h3", {}, "Recent activity"),
    h(
      "ol",
      { class: "feed", "data-testid": "provider-view-activity" },
      activity.length > 0
        ? activity.map((event) =>
            h(
              "li",
              { "data-kind": event.kind },
              chainTime(event.timestamp),
              h("span", {}, describe(event, contracts)),
            ),
          )
        : h("li", { class: "empty" }, "No activity yet."),
    ),
  );
}

async function openProvider(providerAddress) {
  const dialog = byId("provider-dialog");
  shownProvider = { address: providerAddress, loaded: false };
  byId("provider-dialog-title").textContent = `Provider ${shortAddress(providerAddress)}`;
  replace(byId("provider-detail"), h("p", { class: "empty" }, "Loading…"));
  if (!dialog.open) dialog.showModal();
  await loadProviderView();
}

/** The provider view's name among failedAreas: it says its own errors, not in the banner. */
const PROVIDER_VIEW = "Provider view";

/** Reads of the provider view started: only the latest one's answer renders, and only while its view is open. */
let providerViewReads = 0;

/**
 * Reads the open provider view; at each new block too (refreshLists), as a provider keeps it open to follow its own
 * standing: read once, its jobs, stake and earnings stayed as they were when it opened while the tables below moved on.
 */
async function loadProviderView() {
  const shown = shownProvider;
  if (shown === null) return;
  const mine = ++providerViewReads;
  try {
    const view = await api.loadProvider(shown.address);
    if (shownProvider !== shown || mine !== providerViewReads) return;
    shown.loaded = true;
    failedAreas.delete(PROVIDER_VIEW);
    renderProvider(view);
  } catch (error) {
    if (shownProvider !== shown || mine !== providerViewReads) return;
    failedAreas.add(PROVIDER_VIEW);
    // h() sets the message as text: one with markup is shown, not parsed. A view already shown stays, saying that
    // it could not be read again, rather than give way to the error.
    const message = h("p", { class: "empty", "data-testid": "provider-error" }, shown.loaded ? `Not updated: ${error.message}` : error.message);
    if (!shown.loaded) replace(byId("provider-detail"), message);
    else {
      byId("provider-detail").querySelector("[data-testid=provider-error]")?.remove();
      byId("provider-detail").append(message);
    }
  }
}

function initProviderDialog() {
  const dialog = byId("provider-dialog");
  byId("provider-dialog-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    shownProvider = null;
    failedAreas.delete(PROVIDER_VIEW);
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
}

// ---------------------------------------------------------------------------------------------------- activity

/** The feed's view: one of ACTIVITY_VIEWS. */
let activityView = ACTIVITY_VIEWS[0];
/** The view whose events the feed shows (null: none yet), for a failed load to tell whether they still answer the select. */
let activityShown = null;

const loadActivity = latestOnly(
  "Activity",
  async () => {
    const view = activityView;
    return { view, ...(await api.loadActivity(view.categories)) };
  },
  renderActivity,
  (message) => {
    // Another view's events (or its "No activity yet."), under the select's new one, would read as the answer to it.
    if (activityShown === activityView) return false;
    replace(byId("activity"), h("li", { class: "empty" }, `The activity (${activityView.label}) could not be loaded: ${message}`));
    return true;
  },
  "activity",
);

function renderActivity({ view, events, contracts }) {
  activityShown = view;
  replace(
    byId("activity"),
    events.length > 0
      ? events.map((event) =>
          h(
            "li",
            { "data-testid": "activity-item", "data-kind": event.kind, "data-category": event.category },
            chainTime(event.timestamp),
            event.jobId !== null
              ? h("button", { type: "button", class: "link", onclick: () => openJob(event.jobId) }, describe(event, contracts))
              : h("span", {}, describe(event, contracts)),
          ),
        )
      : h("li", { class: "empty" }, "No activity yet."),
  );
}

function initActivity() {
  const select = byId("f-activity");
  select.append(...ACTIVITY_VIEWS.map((view) => h("option", { value: view.value }, view.label)));
  select.addEventListener("change", () => {
    activityView = ACTIVITY_VIEWS.find((view) => view.value === select.value) ?? ACTIVITY_VIEWS[0];
    loadActivity();
  });
}

// -------------------------------------------------------------------------------------------------- governance

/**
 * One line per side, so a wide tally does not push the quorum and the deadline off a narrow table; then how many
 * holders voted, which tells a tally carried by one whale from a broad one.
 */
function proposalVotes(p) {
  return [
    h("span", { class: "vote" }, `${formatLat(p.forVotes.lat)} for`),
    h("span", { class: "vote" }, `${formatLat(p.againstVotes.lat)} against`),
    h("span", { class: "vote" }, `${formatLat(p.abstainVotes.lat)} abstain`),
    h("span", { class: "vote muted", "data-testid": "proposal-voters" }, `cast by ${count(p.voterCount, "voter")}`),
  ];
}

/**
 * The time a holder follows a proposal by, in its state: when voting opens, closes or closed, from when the timelock
 * executes it, when it was executed or cancelled. "Voting ends" alone told a pending proposal's holder nothing of when
 * to vote, and a queued one's nothing of when it takes effect.
 */
function proposalWhen(p) {
  switch (p.state) {
    case "PENDING":
      // voteStart is the snapshot, through which the governor is still Pending.
      return ["voting opens ", chainTime(Number(p.voteStart) + 1, { from: true })];
    case "ACTIVE":
      return ["voting ends ", chainTime(p.voteEnd)];
    case "QUEUED":
      return ["executable from ", chainTime(p.eta, { from: true })];
    case "EXECUTED":
      return ["executed ", chainTime(p.executedAt)];
    case "CANCELED":
      return ["cancelled ", chainTime(p.canceledAt)];
    default:
      return ["voting ended ", chainTime(p.voteEnd)];
  }
}

function renderGovernance({ parameters, proposals }) {
  fillTable(
    byId("proposals-body"),
    proposals.map((p) =>
      h(
        "tr",
        { "data-testid": "proposal-row", "data-id": p.id },
        h("td", { class: "wrap", title: `Proposal ${p.id}` }, p.title || "(untitled)"),
        h("td", {}, statusBadge(p.state)),
        h("td", { "data-testid": "proposal-votes" }, proposalVotes(p)),
        h("td", { class: "num" }, `${formatLat(p.quorum.lat)} · ${p.quorumReached ? "reached" : "not reached"}`),
        h("td", { "data-testid": "proposal-when" }, proposalWhen(p)),
      ),
    ),
    "No proposals yet.",
  );
  fillTable(
    byId("parameters-body"),
    parameters.map((p) =>
      h(
        "tr",
        { "data-testid": "parameter-row", "data-name": `${p.contract}.${p.name}` },
        h("td", {}, p.contract),
        h("td", {}, p.name),
        h(
          "td",
          { class: "num", "data-value": p.value ?? p.address ?? "" },
          p.unit === "ADDRESS" ? address(p.address) : formatParameterValue(p.unit, p.value, `${p.contract}.${p.name}`),
        ),
        h(
          "td",
          { class: "num" },
          p.unit === "ADDRESS"
            ? "—"
            : `${formatParameterValue(p.unit, p.min, `${p.contract}.${p.name}`)} – ${formatParameterValue(p.unit, p.max, `${p.contract}.${p.name}`)}`,
        ),
        h("td", {}, chainTime(p.updatedAt)),
      ),
    ),
    "No governed parameters.",
  );
}

/** Whether the governance panel shows an answer: a failed reading after one keeps it, as the provider view does. */
let governanceShown = false;

const loadGovernance = latestOnly(
  "Governance",
  api.loadGovernance,
  (governance) => {
    governanceShown = true;
    renderGovernance(governance);
  },
  (message) => {
    // Headings over no rows said nothing of why; the banner that does is far up the page.
    if (governanceShown) return false;
    fillTable(byId("proposals-body"), [], `The proposals could not be loaded: ${message}`);
    fillTable(byId("parameters-body"), [], `The parameters could not be loaded: ${message}`);
    return true;
  },
  // Above both of its tables, which one read fills.
  "proposals-title",
);

// -------------------------------------------------------------------------------------------------------- live

/**
 * A read of the indexing status that fails (the gateway away) leaves its figures, the latest it read, but not its
 * verdict: "In sync" beside an "Offline" corner and a banner saying the status could not be read.
 */
function indexingUnread(message) {
  const health = byId("idx-health");
  health.textContent = `Not updated: ${message}`;
  health.dataset.tone = "bad";
}

const loadIndexing = latestOnly("Indexing status", api.loadIndexingStatus, renderIndexing, indexingUnread);

let lastBlock = null;
let liveState = "connecting";

/**
 * Counts down the seconds to the next connection while offline: the backoff grows to 30 s, too long to state once. The
 * count is outside the status's live region, which would otherwise be read out every second.
 */
let retryCountdown;

function renderLive(state, retryInMs) {
  liveState = state;
  clearInterval(retryCountdown);
  byId("live").dataset.state = state;
  byId("live-text").textContent = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Offline";
  const retry = byId("live-retry");
  retry.textContent = "";
  if (state === "offline") {
    // What the live feed last said ("the gateway is shutting down", as a restarting gateway ends its subscriptions)
    // was no longer true once the connection closed: the banner kept it all the while the gateway was down. Its
    // subscription's next answer clears the line once the connection is back.
    if (errors.has("Live updates")) reportError("Live updates", "offline: the connection to the gateway closed; trying again (the top bar counts down to the next try)");
    const retryAt = Date.now() + retryInMs;
    const show = () => (retry.textContent = ` · retrying in ${Math.max(1, Math.ceil((retryAt - Date.now()) / 1000))} s`);
    show();
    retryCountdown = setInterval(show, 250);
  }
  renderLiveBlock();
  renderJobLoading();
  renderJobNotice();
}

function renderLiveBlock() {
  byId("live-block").textContent = liveState === "live" && lastBlock !== null ? ` · block ${formatInt(lastBlock)}` : "";
}

let refreshing = false;
let refreshAgain = false;

/** Refreshes every list on its current page and filters; blocks indexed meanwhile fold into one more round. */
async function refreshLists() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  do {
    refreshAgain = false;
    await Promise.all([loadProviders(true), loadJobs(true), loadActivity(), loadIndexing(), loadGovernance(), loadProviderView()]);
  } while (refreshAgain);
  refreshing = false;
}

/**
 * The blocks start-up's lists read (null: one that named none, or failed), until the live feed's first stats. They are
 * read in parallel with the overview, and a block indexed between their answers leaves a list a block behind an
 * overview that already names it, so that those first stats (sent on subscribing) carry no new block number to
 * refresh it by. Lists that read the block those stats name are not read again: every list would be fetched twice.
 */
let startBlocks = null;

/** Reads an area of the page again, at the latest block, after its load failed. */
function reloadArea(area) {
  const reloaders = {
    Providers: () => loadProviders(true),
    Jobs: () => loadJobs(true),
    Activity: loadActivity,
    Governance: loadGovernance,
    "Indexing status": loadIndexing,
    [PROVIDER_VIEW]: loadProviderView,
  };
  reloaders[area]?.();
}

/** `live`: stats from the subscription, not the start-up overview. */
function onStats(stats, live = false) {
  renderOverview(stats);
  const newBlock = lastBlock !== null && stats.blockNumber !== lastBlock;
  lastBlock = stats.blockNumber;
  renderLiveBlock();
  const settle = live && startBlocks !== null && startBlocks.some((block) => block !== stats.blockNumber);
  if (live) {
    startBlocks = null;
    // The live stats are the overview: one that failed at start-up is shown now.
    failedAreas.delete("Overview");
    clearError("Overview");
  }
  if (newBlock || settle) refreshLists();
  // A list that failed while the gateway was away (its filters changed meanwhile) stayed failed until the next block,
  // which a quiet network may not index for long: the stats a reconnection brings say that the gateway is back. Only
  // those are read again, on their own: a round of every list, as a block's, would hold up the next block's round.
  else if (live) for (const area of failedAreas) reloadArea(area);
}

const liveClient = new LiveClient(defaultSocketUrl(), renderLive);


function followStats() {
  liveClient.subscribe(api.NETWORK_STATS_SUBSCRIPTION, { days: api.HISTORY_DAYS }, {
    next: (result) => {
      if (result.errors?.length) reportError("Live updates", graphqlErrors(result.errors));
      else {
        clearError("Live updates");
        onStats(result.data.networkStats, true);
      }
    },
    error: (errorList) => {
      reportError("Live updates", graphqlErrors(errorList));
      setTimeout(followStats, RESUBSCRIBE_MS);
    },
  });
}

async function start() {
  byId("error-dismiss").addEventListener("click", () => {
    errors.clear();
    renderErrors();
  });
  initProviders();
  initJobs();
  initJobDialog();
  initProviderDialog();
  initActivity();
  const overview = latestOnly("Overview", api.loadOverview, ({ stats, indexing }) => {
    onStats(stats);
    renderIndexing(indexing);
  });
  const [, ...lists] = await Promise.all([overview(), loadProviders(), loadJobs(), loadActivity(), loadGovernance()]);
  startBlocks = lists.map((list) => list?.block ?? null);
  followStats();
  setInterval(loadIndexing, INDEXING_POLL_S * 1000);
  document.body.dataset.ready = "true";
}

start();
