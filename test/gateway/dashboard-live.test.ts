// The dashboard's live client against a stand-in gateway: the page's files served as the gateway serves them, its
// GraphQL over HTTP refused but for a one-job jobs list, and a graphql-ws endpoint the test scripts message by message.
// It checks what the page does when the gateway ends its networkStats or jobUpdated subscription with an error.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { chromium, type Browser, type Page } from "playwright-core";
import { WebSocketServer, type WebSocket } from "ws";
import { DEFAULT_STATIC_DIR } from "../../gateway/src/gateway";
import { serveStatic } from "../../gateway/src/http/static-files";
import { waitUntil } from "../helpers/wait";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
/** How often the dashboard reads the indexing status (INDEXING_POLL_S in gateway/dashboard/app.js). */
const INDEXING_POLL_MS = 10_000;
/** Playwright's viewport for a new page, which the tests that ask for none were written at. */
const DEFAULT_VIEWPORT = { width: 1280, height: 720 };

const ZERO = { wei: "0", lat: "0" };
/** One job, with the fields the jobs table shows. */
const JOBS_PAGE = {
  pageInfo: { hasNextPage: false, endCursor: null },
  nodes: [
    {
      id: "7",
      status: "OPEN",
      requirements: { gpuModel: null, gpuModelName: null, region: null, minVramGiB: 0, gpuCount: 1, tier: "ANY", minCompletedJobs: 0, minSlashRewardBps: 0 },
      client: "0x00000000000000000000000000000000000000aa",
      provider: null,
      maxPricePerGpuHour: ZERO,
      escrowed: ZERO,
      updatedAt: "1700000000",
    },
  ],
};

/** The job of JOBS_PAGE as jobUpdated sends it, with the fields the job dialog shows. */
function jobUpdate(status: string, specURI = "ipfs://spec"): { data: { jobUpdated: Record<string, unknown> } } {
  return {
    data: {
      jobUpdated: {
        ...JOBS_PAGE.nodes[0],
        status,
        createdAt: "1700000000",
        maxDuration: 3600,
        specURI,
        directed: false,
        targetProvider: null,
        pricePerGpuHour: null,
        collateral: null,
        result: null,
        settlement: null,
        dispute: null,
        timeline: [],
      },
    },
  };
}

/** One activity event, a provider's registration, with every field the feed reads. */
function activityEvent(): Record<string, unknown> {
  const provider = `0x${"ab".repeat(20)}`;
  return { kind: "ProviderRegistered", category: "PROVIDER", timestamp: 1700000000, from: provider, accounts: [provider], jobId: null, provider, amount: null, parameter: null };
}

/** An empty network's statistics at `blockNumber`, with every field the overview shows. */
function networkStats(blockNumber: number): Record<string, unknown> {
  const counts = { open: 0, accepted: 0, submitted: 0, disputed: 0, completed: 0, cancelled: 0, expired: 0, declined: 0, timedOut: 0, refunded: 0 };
  return {
    blockNumber,
    timestamp: 1700000000 + blockNumber,
    providers: { registered: 0, online: 0, active: 0 },
    gpus: { total: 0, inUse: 0, free: 0, online: 0, freeOnline: 0 },
    gpusByModel: [],
    gpusByRegion: [],
    stake: { total: ZERO, locked: ZERO, thawing: ZERO },
    jobs: { total: 0, ...counts },
    volume: ZERO,
    fees: ZERO,
    providerEarnings: ZERO,
    slashed: ZERO,
    escrowBalance: ZERO,
    gpuHoursBilled: 0,
    disputes: { total: 0, open: 0 },
    history: [],
  };
}

/**
 * Providers as wide as the devnet's seeded ones: the catalog's longest model names and regions, six-figure stakes,
 * capped and uncapped slash rewards, and quotes that say why a provider cannot take the job now.
 */
/** A table's layout in the page: its scroll box, the page's, the columns shown, and the cells past its box. */
function tableLayout(page: Page, testId: string) {
  return page.$eval(`[data-testid=${testId}]`, (table) => {
    const wrap = table.parentElement!;
    const box = wrap.getBoundingClientRect();
    return {
      wrap: [wrap.scrollWidth, wrap.clientWidth],
      page: [table.ownerDocument.documentElement.scrollWidth, table.ownerDocument.documentElement.clientWidth],
      columns: [...table.querySelectorAll("th")].filter((th) => th.getBoundingClientRect().width > 0).map((th) => th.textContent!.trim()),
      hidden: [...table.querySelectorAll("th, td")].filter((cell) => cell.getBoundingClientRect().right > box.right + 0.5).map((cell) => cell.textContent),
    };
  });
}

function wideProviders(): Record<string, unknown>[] {
  const models = [
    ["mi300x-192gb", "AMD Instinct MI300X", 192],
    ["rtx-4090-24gb", "NVIDIA GeForce RTX 4090", 24],
    ["h200-sxm-141gb", "NVIDIA H200 SXM 141GB", 141],
    ["a100-pcie-40gb", "NVIDIA A100 PCIe 40GB", 40],
  ] as const;
  return models.map(([gpuModel, gpuModelName, vramGiB], i) => ({
    address: `0x${"c0ffee".repeat(6)}${String(i).padStart(4, "0")}`,
    registered: true,
    online: i !== 1,
    active: i !== 1,
    gpuModel,
    gpuModelName,
    vramGiB,
    region: ["ap-southeast", "sa-east", "ap-northeast", "us-central"][i],
    tier: i === 1 ? "CONSUMER" : "ENTERPRISE",
    pricePerGpuHour: { wei: "2630000000000000000", lat: "2.63" },
    capacity: { gpuCount: 128, gpusFree: i === 2 ? 0 : 128 },
    reputation: { score: 3_333, jobsCompleted: 12, jobsTimedOut: 0, disputesLost: 0 },
    stake: { staked: { wei: "250000000000000000000000", lat: "250000.0" } },
    maxSlashRewardBps: i === 3 ? 2_550 : 10_000,
  }));
}

/**
 * The provider view's answer for the first of wideProviders(), staking `staked` (in LAT, a decimal string), of which
 * 0.5 LAT is locked: what a provider slashed 0.1 LAT off 5,000 reads.
 */
function providerView(staked: string): { data: Record<string, unknown> } {
  const lat = (value: string) => ({ wei: (BigInt(Math.round(Number(value) * 10)) * 10n ** 17n).toString(), lat: value });
  const free = (Number(staked) - 0.5).toFixed(1);
  return {
    data: {
      provider: {
        ...wideProviders()[0],
        operator: null,
        capacity: { gpuCount: 128, gpusInUse: 0, gpusFree: 128 },
        stake: { staked: lat(staked), locked: lat("0.5"), thawing: ZERO, free: lat(free) },
        reputation: { score: 5_000, jobsAccepted: 0, jobsActive: 0, jobsCompleted: 0, jobsTimedOut: 0, disputesLost: 0 },
        earnings: { earned: ZERO, disputeDepositsWon: ZERO, disputeDepositsReturned: ZERO, feesPaid: ZERO, slashed: ZERO, gpuHoursBilled: 0 },
        jobs: { nodes: [] },
      },
      directed: { nodes: [] },
      activity: { nodes: [] },
      deployment: null,
      governance: { parameters: [] },
    },
  };
}

/** Wei (decimal string) of a LAT amount with at most one decimal. */
function parseLat(value: string): string {
  return (BigInt(Math.round(Number(value) * 10)) * 10n ** 17n).toString();
}

/** The governance panel's answer: `titles` as its proposals, with a tally as wide as the devnet's, and two parameters. */
function governancePage(titles: string[]): { data: { governance: Record<string, unknown> } } {
  const lat = (value: string) => ({ wei: `${value}000000000000000000`, lat: value });
  return {
    data: {
      governance: {
        parameters: [
          { contract: "JobEscrow", name: "grace", unit: "SECONDS", value: "7200", address: null, min: "0", max: "86400", updatedAt: "1700000000" },
          { contract: "Staking", name: "treasury", unit: "ADDRESS", value: null, address: `0x${"5f".repeat(20)}`, min: null, max: null, updatedAt: "1700000000" },
        ],
        proposals: {
          nodes: titles.map((title, i) => ({
            id: `${i + 1}${"7".repeat(76)}`,
            title,
            state: "EXECUTED",
            voteStart: "1700000060",
            voteEnd: "1700003600",
            eta: "1700003720",
            executedAt: "1700003780",
            canceledAt: null,
            quorumReached: true,
            voterCount: 2,
            forVotes: lat("174780000"),
            againstVotes: lat("25000000"),
            abstainVotes: lat("0"),
            quorum: lat("40000000"),
          })),
        },
      },
    },
  };
}

/**
 * The contrast ratio (WCAG 2) of the text of each element `selector` matches against what is behind it: its colour
 * and every ancestor's opacity blended over the nearest backgrounds. With the element's text, for the message.
 */
function textContrasts(page: Page, selector: string): Promise<{ text: string; ratio: number }[]> {
  return page.$$eval(selector, (elements) => {
    type Rgba = { r: number; g: number; b: number; a: number };
    const parse = (css: string): Rgba => {
      const srgb = /color\(srgb ([^)]+)\)/.exec(css);
      const parts = (srgb?.[1] ?? /rgba?\(([^)]+)\)/.exec(css)?.[1] ?? "0 0 0 0").split(/[ ,/]+/).filter(Boolean).map(Number);
      const scale = srgb === null ? 1 : 255;
      return { r: parts[0]! * scale, g: parts[1]! * scale, b: parts[2]! * scale, a: parts[3] ?? 1 };
    };
    const over = (top: Rgba, under: Rgba): Rgba => ({
      r: top.r * top.a + under.r * (1 - top.a),
      g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a),
      a: 1,
    });
    const luminance = ({ r, g, b }: Rgba) => {
      const channel = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    return elements.map((element) => {
      const style = (e: typeof element) => element.ownerDocument.defaultView!.getComputedStyle(e);
      const layers: Rgba[] = [];
      let opacity = 1;
      for (let e: typeof element | null = element; e !== null; e = e.parentElement) {
        opacity *= Number(style(e).opacity);
        const background = parse(style(e).backgroundColor);
        if (background.a > 0 && (layers.length === 0 || layers[layers.length - 1]!.a < 1)) layers.push(background);
      }
      const behind = layers.reverse().reduce((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
      const colour = parse(style(element).color);
      const text = over({ ...colour, a: colour.a * opacity }, behind);
      const [light, dark] = [luminance(text), luminance(behind)].sort((x, y) => y - x);
      return { text: element.textContent ?? "", ratio: (light! + 0.05) / (dark! + 0.05) };
    });
  });
}

interface Message {
  id?: string;
  type: string;
  payload?: { query?: string };
}

describe("dashboard live updates against a stand-in gateway", function () {
  let server: http.Server | null = null;
  let wss: WebSocketServer | null = null;
  let browser: Browser | null = null;
  /** Every subscribe message the page sent, with the socket it came on. */
  const subscribes: { socket: WebSocket; message: Message }[] = [];
  /** The answer to a jobs query, by its `after`: JOBS_PAGE unless a test says otherwise. */
  let jobsAnswer: (after: string | null) => unknown = () => ({ data: { jobs: JOBS_PAGE } });
  /** The answer to an availableCompute query; null: refused like every other query. */
  let offersAnswer: (() => unknown) | null = null;
  /** The answer to a providers query; null: refused like every other query. */
  let providersAnswer: (() => unknown) | null = null;
  /** The answer to the governance panel's query; null: refused like every other query. */
  let governanceAnswer: (() => unknown) | null = null;
  /** The answer to the activity feed's query; null: refused like every other query. */
  let activityAnswer: (() => unknown) | null = null;
  /** The message every refused query is answered with. */
  let refusal = "stand-in";
  /** Every GraphQL request body the page sent over HTTP. */
  const requests: { query: string; variables: Record<string, unknown> }[] = [];

  /**
   * The page the tests share. A new page is a new renderer process: 1-4 s under the CI's load (median 2.9 s, and 0.4 s
   * to close it, measured at load 20-30), more than most tests' own work. Each test loads the dashboard afresh on it
   * (goto), at the viewport and colour scheme it asks for; closePage leaves it blank, so that no timer or socket of one
   * test's dashboard reaches the next. A test that routes the WebSocket, installs a clock or adds an init script (none
   * of which a page can undo) opens a page of its own with browser.newPage.
   */
  let shared: Page | null = null;

  async function openPage(options: { viewport?: { width: number; height: number }; colorScheme?: "light" | "dark" } = {}): Promise<Page> {
    shared ??= await browser!.newPage();
    // A test that failed before closePage may have left its routes.
    await shared.unrouteAll({ behavior: "ignoreErrors" });
    await shared.setViewportSize(options.viewport ?? DEFAULT_VIEWPORT);
    await shared.emulateMedia({ colorScheme: options.colorScheme ?? "light" });
    return shared;
  }

  async function closePage(page: Page): Promise<void> {
    if (page !== shared) return page.close();
    await page.unrouteAll({ behavior: "ignoreErrors" });
    await page.goto("about:blank");
  }

  /** The page's networkStats subscriptions from `before` (an index in `subscribes`) on, once the first one came. */
  async function networkStatsSubscriptions(before: number): Promise<() => typeof subscribes> {
    const stats = () => subscribes.slice(before).filter((s) => s.message.payload?.query?.includes("networkStats") === true);
    await waitUntil(() => stats().length === 1, "the page subscribes to networkStats");
    return stats;
  }

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) {
      console.log(`    skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
      this.skip();
    }
    const httpServer = http.createServer((req, res) => {
      if (req.url?.startsWith("/graphql") === true) {
        // The jobs list answers with one job, for the job dialog to be opened from; every other query is refused.
        let body = "";
        req.on("data", (chunk: Buffer) => (body += String(chunk)));
        req.on("end", () => {
          requests.push(JSON.parse(body) as { query: string; variables: Record<string, unknown> });
          if (body.includes("jobs(filter")) {
            const { variables } = JSON.parse(body) as { variables: { after: string | null } };
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jobsAnswer(variables.after)));
            return;
          }
          if (offersAnswer !== null && body.includes("availableCompute(")) {
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(offersAnswer()));
            return;
          }
          if (providersAnswer !== null && body.includes("providers(filter")) {
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(providersAnswer()));
            return;
          }
          if (activityAnswer !== null && body.includes("query Activity(")) {
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(activityAnswer()));
            return;
          }
          if (governanceAnswer !== null && body.includes("query Governance(")) {
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(governanceAnswer()));
            return;
          }
          res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ message: refusal }] }));
        });
        return;
      }
      void serveStatic(DEFAULT_STATIC_DIR, new URL(req.url ?? "/", "http://localhost").pathname, res, false).then((found) => {
        if (!found) res.writeHead(404).end();
      });
    });
    server = httpServer;
    const sockets = new WebSocketServer({ server: httpServer, path: "/graphql", handleProtocols: () => "graphql-transport-ws" });
    wss = sockets;
    sockets.on("connection", (socket) => {
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as Message;
        if (message.type === "connection_init") socket.send(JSON.stringify({ type: "connection_ack" }));
        else if (message.type === "ping") socket.send(JSON.stringify({ type: "pong" }));
        else if (message.type === "subscribe") subscribes.push({ socket, message });
      });
    });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async function () {
    await browser?.close();
    for (const client of wss?.clients ?? []) client.terminate();
    wss?.close();
    const closing = server;
    if (closing !== null) await new Promise<void>((resolve) => closing.close(() => resolve()));
  });

  it("subscribes to networkStats again after the gateway ended it with an error, on the same connection", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    // Counted from here: a page of an earlier test (or of a rerun) may have subscribed already.
    const before = subscribes.length;
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const stats = await networkStatsSubscriptions(before);
    const first = stats()[0];
    if (first === undefined) throw new Error("unreachable");
    first.socket.send(
      JSON.stringify({
        id: first.message.id,
        type: "error",
        payload: [{ message: "too slow", extensions: { code: "SUBSCRIBER_TOO_SLOW", maxQueued: 16 } }],
      }),
    );
    await waitUntil(() => stats().length === 2, "the page subscribes to networkStats again", { timeoutMs: 30_000 });
    expect(stats()[1]?.socket).to.equal(first.socket);
    await closePage(page);
  });

  it("shows, as text, the error that ended the job dialog's jobUpdated subscription", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    const before = subscribes.length;
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.click('[data-testid="job-open"]');
    const updates = () => subscribes.slice(before).filter((s) => s.message.payload?.query?.includes("jobUpdated") === true);
    await waitUntil(() => updates().length === 1, "the dialog subscribes to jobUpdated");
    const subscription = updates()[0];
    if (subscription === undefined) throw new Error("unreachable");
    const message = "<b>source down</b>";
    subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "error", payload: [{ message }] }));
    await page.waitForSelector('[data-testid="job-error"]');
    expect(await page.textContent("#job-detail")).to.equal(message);
    await closePage(page);
  });

  it("wraps long unbroken strings in the job dialog: its spec URI, and the message that stopped its updates", async function () {
    if (browser === null || server === null) return;
    // A phone's width, where the least is left for them.
    const page = await openPage({ viewport: { width: 360, height: 740 } });
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const before = subscribes.filter((s) => s.message.payload?.query?.includes("jobUpdated") === true).length;
      await page.click('[data-testid="job-open"]');
      const updates = () => subscribes.filter((s) => s.message.payload?.query?.includes("jobUpdated") === true).slice(before);
      await waitUntil(() => updates().length === 1, "the dialog subscribes to jobUpdated");
      const subscription = updates()[0];
      if (subscription === undefined) throw new Error("unreachable");
      // JobEscrow's longest spec URI (MAX_URI_LENGTH bytes), and a source failure naming a subgraph endpoint by its
      // deployment hash: neither has a space or a hyphen to break at.
      const specURI = `ipfs://${"bafybeigdyrztq6vdkw4c5rqh3yfpb2xuhkr7l3o".repeat(7)}`.slice(0, 256);
      const endpoint = `https://indexer.latent.example/subgraphs/id/Qm${"Yw4jqtHxzv8P2ZbN7cKdR5sT1uVfWg6hLmXe".repeat(3)}`;
      subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: jobUpdate("OPEN", specURI) }));
      await page.waitForSelector("#job-dialog-title .badge.status-open");
      const failed = [{ message: `the subgraph endpoint ${endpoint} answered HTTP 502`, extensions: { code: "SOURCE_UNAVAILABLE" } }];
      subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "error", payload: failed }));
      await page.waitForSelector('[data-testid="job-notice"]');

      const widths = await page.$eval("#job-dialog", (dialog) => {
        const spec = [...dialog.querySelectorAll("dt")].find((dt) => dt.textContent === "Spec")?.nextElementSibling;
        const named = { dialog, detail: dialog.querySelector("#job-detail"), spec, notice: dialog.querySelector('[data-testid="job-notice"]') };
        return Object.entries(named).map(([name, el]) => ({ name, text: el?.textContent ?? null, scroll: el?.scrollWidth, client: el?.clientWidth }));
      });
      expect(widths.find((w) => w.name === "spec")?.text).to.equal(specURI);
      expect(widths.find((w) => w.name === "notice")?.text).to.include(endpoint);
      for (const w of widths) expect(w.scroll, `${w.name} is ${w.scroll}px wide in ${w.client}px`).to.be.at.most(w.client!);
    } finally {
      await closePage(page);
    }
  });

  it("does not leave the jobs of the previous status filter under a new one whose jobs could not be loaded, saying why in the table", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.route("**/graphql", async (route) => {
        const { query, variables } = route.request().postDataJSON() as { query: string; variables: { filter?: unknown } };
        if (query.includes("query Jobs(") && variables.filter !== null) {
          return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ errors: [{ message: "the embedded indexer cannot answer", extensions: { code: "SOURCE_UNAVAILABLE" } }] }) });
        }
        return route.fallback();
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=job-row]");
      const failed = page.waitForResponse((response) => response.status() === 503 && response.request().postData()?.includes("query Jobs(") === true);
      await page.selectOption("#f-status", "ACCEPTED");
      await failed;
      await waitUntil(async () => (await page.textContent("#error-list"))?.includes("Jobs: the embedded indexer cannot answer") === true, "the banner shows the failure");
      expect(await page.$$("[data-testid=job-row]")).to.have.length(0);
      expect(await page.textContent("#jobs-body")).to.equal("The jobs with this status could not be loaded: the embedded indexer cannot answer");
    } finally {
      await closePage(page);
    }
  });

  it("offers no next page under new filters whose providers could not be loaded: the previous rows' cursor is not theirs", async function () {
    if (browser === null || server === null) return;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: true, endCursor: "previous-filters" }, nodes: wideProviders() } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=provider-row]");
      expect(await page.isEnabled("[data-testid=providers-next]")).to.equal(true);
      const failed = page.waitForResponse((response) => response.status() === 503 && response.request().postData()?.includes("availableCompute(") === true);
      await page.check("[data-testid=filter-available]");
      await failed;
      await waitUntil(async () => (await page.$$("[data-testid=provider-row]")).length === 0, "the table drops the previous filters' rows");
      expect(await page.isDisabled("[data-testid=providers-next]")).to.equal(true);
      expect(await page.textContent("[data-testid=providers-page]")).to.equal("Page 1");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("lists no jobs under a client filter that is not an address, saying why in the table, rather than every client's", async function () {
    if (browser === null || server === null) return;
    jobsAnswer = () => ({ data: { jobs: { ...JOBS_PAGE, pageInfo: { hasNextPage: true, endCursor: "unfiltered" } } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=job-row]");
      await page.fill("[data-testid=filter-job-client]", "0x1234");
      await page.dispatchEvent("[data-testid=filter-job-client]", "change");
      const expected = 'The client filter "0x1234" is not an address (0x and 40 hexadecimal digits): no jobs are listed until it is one, or empty.';
      await waitUntil(async () => (await page.textContent("#jobs-body")) === expected, "the table says the filter is not an address");
      expect(await page.$$("[data-testid=job-row]")).to.have.length(0);
      expect(await page.isDisabled("[data-testid=jobs-next]")).to.equal(true);
    } finally {
      jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
      await closePage(page);
    }
  });

  it("offers no next page under a new status whose jobs could not be loaded", async function () {
    if (browser === null || server === null) return;
    jobsAnswer = () => ({ data: { jobs: { ...JOBS_PAGE, pageInfo: { hasNextPage: true, endCursor: "previous-status" } } } });
    const page = await openPage();
    try {
      await page.route("**/graphql", async (route) => {
        const { query, variables } = route.request().postDataJSON() as { query: string; variables: { filter?: unknown } };
        if (query.includes("query Jobs(") && variables.filter !== null) {
          return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ errors: [{ message: "the embedded indexer cannot answer" }] }) });
        }
        return route.fallback();
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=job-row]");
      expect(await page.isEnabled("[data-testid=jobs-next]")).to.equal(true);
      const failed = page.waitForResponse((response) => response.status() === 503 && response.request().postData()?.includes("query Jobs(") === true);
      await page.selectOption("[data-testid=filter-status]", "OPEN");
      await failed;
      await waitUntil(async () => (await page.$$("[data-testid=job-row]")).length === 0, "the table drops the previous status's rows");
      expect(await page.isDisabled("[data-testid=jobs-next]")).to.equal(true);
    } finally {
      jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
      await closePage(page);
    }
  });

  it("does not leave the providers of the previous filters under new ones whose providers could not be loaded, saying why in the table", async function () {
    if (browser === null || server === null) return;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders() } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=provider-row]");
      // "Available now" asks availableCompute, which the stand-in refuses.
      const failed = page.waitForResponse((response) => response.status() === 503 && response.request().postData()?.includes("availableCompute(") === true);
      await page.check("[data-testid=filter-available]");
      await failed;
      await waitUntil(async () => (await page.textContent("#error-list"))?.includes("Providers: stand-in") === true, "the banner shows the failure");
      expect(await page.$$("[data-testid=provider-row]")).to.have.length(0);
      expect(await page.textContent("#providers-body")).to.equal("The providers for these filters could not be loaded: stand-in");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  /** Opens the job dialog on `page`; returns what sends an update down the jobUpdated subscription it makes. */
  async function openJobDialog(page: Page): Promise<(update: unknown) => void> {
    const jobUpdates = () => subscribes.filter((s) => s.message.payload?.query?.includes("jobUpdated") === true);
    const before = jobUpdates().length;
    await page.click('[data-testid="job-open"]');
    await waitUntil(() => jobUpdates().length === before + 1, "the dialog subscribes to jobUpdated");
    const subscription = jobUpdates()[before]!;
    return (update) => subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: update }));
  }

  it("gives a job's maximum duration in the units that fit it, not in fractions of an hour", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const maxDuration = (seconds: number) => {
        const update = jobUpdate("OPEN");
        update.data.jobUpdated.maxDuration = seconds;
        send(update);
      };
      const shown = () => page.$$eval("#job-detail dt", (dts) => dts.find((dt) => dt.textContent === "Max duration")?.nextElementSibling?.textContent ?? null);
      // `job create --max-duration 10m`, the worker's README example, and 90 minutes.
      maxDuration(600);
      await waitUntil(async () => (await shown()) === "10 min", "the dialog shows the job, 10 min");
      expect(await shown()).to.equal("10 min");
      maxDuration(5_400);
      await waitUntil(async () => (await shown()) === "1 h 30 min", "the dialog shows the update, 1 h 30 min");
      expect(await shown()).to.equal("1 h 30 min");
    } finally {
      await closePage(page);
    }
  });

  it("gives a job's billed time in the units that fit it, as its maximum duration, with the exact seconds in its tooltip", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const update = jobUpdate("SUBMITTED");
      update.data.jobUpdated.result = { uri: "ipfs://result", cost: { wei: "2500000000000000000", lat: "2.5" }, billedSeconds: 5_461 };
      send(update);
      const billed = page.locator("#job-detail [data-testid=job-billed]");
      await billed.waitFor();
      expect(await page.textContent("#job-detail [data-testid=job-result-cost]")).to.equal("2.5 LAT for 1 h 31 min");
      expect(await billed.getAttribute("title")).to.equal("5,461 s billed");
    } finally {
      await closePage(page);
    }
  });

  it("keeps a job's billed time on one line in the job dialog on a 390 px phone, each figure with its unit", async function () {
    if (browser === null || server === null) return;
    const page = await openPage({ viewport: { width: 390, height: 844 } });
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const update = jobUpdate("SUBMITTED");
      // The devnet's job #31: "0.676 LAT for 15 min 1 s" broke between "1" and "s" at 390 px.
      update.data.jobUpdated.result = { uri: "ipfs://result", cost: { wei: "676000000000000000", lat: "0.676" }, billedSeconds: 901 };
      // "Price at acceptance", the widest term, sets the width left to the values.
      update.data.jobUpdated.pricePerGpuHour = { wei: "1350000000000000000", lat: "1.35" };
      send(update);
      const billed = page.locator("#job-detail [data-testid=job-billed]");
      await billed.waitFor();
      expect(await billed.textContent()).to.equal("15 min 1 s");
      expect(await billed.evaluate((span) => span.getClientRects().length), "line boxes of the billed time").to.equal(1);
    } finally {
      await closePage(page);
    }
  });

  it("says a refunded job's result was not charged and its whole escrow went back to its client, keeping its run time", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const update = jobUpdate("REFUNDED");
      Object.assign(update.data.jobUpdated, {
        escrowed: { wei: "6000000000000000000", lat: "6.0" },
        result: { uri: "ipfs://result", cost: { wei: "2500000000000000000", lat: "2.5" }, billedSeconds: 600 },
        settlement: { reason: null, amountPaid: ZERO, refund: { wei: "6000000000000000000", lat: "6.0" }, slashed: ZERO },
        dispute: { ruling: "UPHELD", resolved: true, ruleDeadline: "1700864000", deposit: { wei: "100000000000000000000", lat: "100" } },
      });
      send(update);
      await page.waitForSelector("#job-detail [data-testid=job-billed]");
      const facts = await page.$$eval("#job-detail dt", (dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));
      expect(facts.filter(([term]) => ["Result cost", "Result", "Paid", "Refunded"].includes(term ?? ""))).to.deep.equal([
        ["Result", "ran 10 min; its cost of 2.5 LAT was not charged"],
        ["Paid", "nothing"],
        ["Refunded", "6 LAT, the whole escrow, to the client"],
      ]);
    } finally {
      await closePage(page);
    }
  });

  it("says what a settled job charged its client and what of the escrow went back to it", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const update = jobUpdate("COMPLETED");
      Object.assign(update.data.jobUpdated, {
        escrowed: { wei: "6000000000000000000", lat: "6.0" },
        result: { uri: "ipfs://result", cost: { wei: "2500000000000000000", lat: "2.5" }, billedSeconds: 600 },
        settlement: { reason: "APPROVED", amountPaid: { wei: "2500000000000000000", lat: "2.5" }, refund: { wei: "3500000000000000000", lat: "3.5" }, slashed: ZERO },
      });
      send(update);
      await page.waitForSelector("#job-detail [data-testid=job-billed]");
      const facts = await page.$$eval("#job-detail dt", (dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));
      expect(facts.filter(([term]) => ["Result cost", "Result", "Paid", "Refunded"].includes(term ?? ""))).to.deep.equal([
        ["Result cost", "2.5 LAT for 10 min"],
        ["Paid", "2.5 LAT"],
        ["Refunded", "3.5 LAT, the rest of the escrow, to the client"],
      ]);
    } finally {
      await closePage(page);
    }
  });

  it("names a provider's unfinished jobs as running or awaiting settlement or a ruling in why it has no track record yet", async function () {
    if (browser === null || server === null) return;
    const reputation = (accepted: number, active: number) => ({ score: 5_000, jobsAccepted: accepted, jobsActive: active, jobsCompleted: 0, jobsTimedOut: 0, disputesLost: 0 });
    const nodes = wideProviders().slice(0, 2);
    nodes[0]!.reputation = reputation(3, 2);
    nodes[1]!.reputation = reputation(2, 2);
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } });
    const page = await openPage();
    try {
      const answered = page.waitForResponse((response) => response.request().postData()?.includes("providers(filter") === true);
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await answered;
      const titles = () => page.$$eval("[data-testid=provider-row] [data-testid=provider-reputation]", (tds) => tds.map((td) => td.getAttribute("title")));
      await waitUntil(async () => (await titles()).length === 2, "the providers table lists the stand-in's providers");
      expect(await titles()).to.deep.equal([
        "No track record yet: 1 job settled, under the minimum cost that counts toward reputation, 2 still running or awaiting settlement or a ruling (its score starts at 50.0%)",
        "No track record yet: 2 accepted, none ended yet: running or awaiting settlement or a ruling (its score starts at 50.0%)",
      ]);
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  /** Opens the page on wideProviders()'s first provider, its view answered by `view`, and opens that view. */
  async function pageWithProviderView(view: () => unknown, beforeOpening: (page: Page) => Promise<void> = async () => {}): Promise<Page> {
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders().slice(0, 1) } } });
    const page = await openPage();
    await page.route("**/graphql", async (route) => {
      const { query } = route.request().postDataJSON() as { query: string };
      if (query.includes("query Provider(")) return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(view()) });
      return route.fallback();
    });
    await page.goto(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`);
    await beforeOpening(page);
    await page.click("[data-testid=provider-row] [data-testid=provider-open]");
    await page.waitForSelector("[data-testid=provider-view-stake]");
    return page;
  }

  it("gives a provider's stake over 1,000 LAT to its fractions: 0.1 LAT slashed off 5,000 does not read as 5,000", async function () {
    if (browser === null || server === null) return;
    const page = await pageWithProviderView(() => providerView("4999.9"));
    try {
      expect(await page.textContent("[data-testid=provider-view-stake]")).to.equal("4,999.9 LAT: 0.5 LAT locked as collateral, 0 LAT thawing, 4,999.4 LAT free");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("says in the provider view how to post a job for it: the job create task for the GPUs and hours of the filters, at its price", async function () {
    if (browser === null || server === null) return;
    const view = providerView("5000");
    view.data.deployment = { network: "localhost", contracts: [] };
    const page = await pageWithProviderView(
      () => view,
      async (page) => {
        await page.fill("[data-testid=filter-count]", "2");
        await page.fill("[data-testid=filter-hours]", "1.5");
        await page.dispatchEvent("[data-testid=filter-hours]", "change");
      },
    );
    try {
      const address = wideProviders()[0]!.address as string;
      expect(await page.textContent("[data-testid=provider-view-job-create]")).to.equal(
        `npx hardhat job create --provider ${address} --gpus 2 --max-price 2.63 --max-duration 90m --spec-file <your job spec> --network localhost --from <your account>`,
      );
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("puts in the provider view's job create command the LOCAL_RPC_URL and --deployment a devnet on another chain port needs (Deployment.tasks)", async function () {
    if (browser === null || server === null) return;
    const view = providerView("5000");
    const tasks = { localRpcUrl: "http://127.0.0.1:35345", localRpcUrlWithheld: false, deploymentFile: "/tmp/latent-devnet/deployments/localhost.json" };
    view.data.deployment = { network: "localhost", contracts: [], tasks };
    const page = await pageWithProviderView(() => view);
    try {
      await page.setViewportSize({ width: 320, height: 844 });
      const address = wideProviders()[0]!.address as string;
      expect(await page.textContent("[data-testid=provider-view-job-create]")).to.equal(
        `LOCAL_RPC_URL=http://127.0.0.1:35345 npx hardhat job create --provider ${address} --gpus 1 --max-price 2.63 --max-duration 1h ` +
          "--spec-file <your job spec> --network localhost --deployment /tmp/latent-devnet/deployments/localhost.json --from <your account>",
      );
      const [width, room] = await page.$eval("[data-testid=provider-view-job-create]", (code) => [code.scrollWidth, code.clientWidth]);
      expect(width, `the command is ${width}px wide in ${room}px`).to.be.at.most(room!);
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("names the gateway's --rpc-url in the job create command where the gateway withholds its chain URL", async function () {
    if (browser === null || server === null) return;
    const view = providerView("5000");
    view.data.deployment = { network: "localhost", contracts: [], tasks: { localRpcUrl: null, localRpcUrlWithheld: true, deploymentFile: null } };
    const page = await pageWithProviderView(() => view);
    try {
      expect(await page.textContent("[data-testid=provider-view-job-create]")).to.match(
        /^LOCAL_RPC_URL=<the gateway's --rpc-url> npx hardhat job create --provider 0x[0-9a-fA-F]{40} .* --network localhost --from <your account>$/,
      );
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("lists in the provider view the open jobs directed at it, which its own jobs list holds only once it accepts them", async function () {
    if (browser === null || server === null) return;
    const view = providerView("5000");
    // 2023-11-15 22:13 UTC.
    (view.data.directed as { nodes: unknown[] }).nodes = [{ ...JOBS_PAGE.nodes[0], acceptDeadline: "1700086400", pastAcceptDeadline: false }];
    const page = await pageWithProviderView(() => view);
    try {
      const listed = () => page.$$eval("[data-testid=provider-view-directed] li", (items) => items.map((li) => li.textContent));
      const expected = ["#7 Open 1× any GPU · 0 LAT escrowedaccept by 2023-11-15 22:13 UTC"];
      await waitUntil(async () => JSON.stringify(await listed()) === JSON.stringify(expected), "the view lists the job directed at the provider");
      expect(await listed()).to.deep.equal(expected);
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("moves keyboard focus to the jobs table's provider filter on 'All its jobs', not back to the providers table above", async function () {
    if (browser === null || server === null) return;
    const view = providerView("5000");
    (view.data.provider as { jobs: { nodes: unknown[] } }).jobs.nodes = [JOBS_PAGE.nodes[0]];
    const page = await pageWithProviderView(() => view);
    try {
      const address = wideProviders()[0]!.address as string;
      await page.focus("[data-testid=provider-view-all-jobs]");
      const filtered = page.waitForRequest((request) => {
        const body = request.postDataJSON() as { query: string; variables: { filter?: { provider?: string } | null } } | null;
        return body?.query.includes("query Jobs(") === true && body.variables.filter?.provider === address;
      });
      await page.keyboard.press("Enter");
      await filtered;
      const focused = () => page.$$eval(":focus", (elements) => elements.map((el) => [el.id, (el as unknown as { value?: string }).value ?? null]));
      await waitUntil(async () => JSON.stringify(await focused()) === JSON.stringify([["f-job-provider", address]]), "focus moves to the provider filter");
      expect(await focused()).to.deep.equal([["f-job-provider", address]]);
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  for (const width of [320, 390]) {
    it(`keeps each option of the provider view's job create command on one line with its value at ${width} px, breaking only between options`, async function () {
      if (browser === null || server === null) return;
      const view = providerView("5000");
      view.data.deployment = { network: "localhost", contracts: [] };
      const page = await pageWithProviderView(() => view);
      try {
        await page.setViewportSize({ width, height: 844 });
        const layout = await page.$eval("[data-testid=provider-view-job-create]", (code) => {
          // The line each character of an option lies on (its box's top), from the text nodes under it.
          const lines = (option: typeof code) => {
            const tops: { char: string; top: number }[] = [];
            const walker = code.ownerDocument.createTreeWalker(option, 0x4 /* NodeFilter.SHOW_TEXT */);
            for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
              for (let i = 0; i < node.textContent!.length; i++) {
                const range = code.ownerDocument.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rects = [...range.getClientRects()].filter((r) => r.width > 0);
                tops.push({ char: node.textContent![i]!, top: rects.length > 0 ? Math.round(rects[0]!.top) : NaN });
              }
            }
            return tops;
          };
          return {
            wide: [code.scrollWidth, code.clientWidth],
            options: ([...code.children] as (typeof code)[]).slice(1).map((option) => {
              const tops = lines(option);
              const space = tops.findIndex((t) => t.char === " ");
              // The flag and the first character of its value.
              const head = [...tops.slice(0, space), tops[space + 1]!];
              return { text: option.textContent, lines: new Set(head.map((t) => t.top)).size };
            }),
          };
        });
        expect(layout.wide[0], `the command is ${layout.wide[0]}px wide in ${layout.wide[1]}px`).to.be.at.most(layout.wide[1]!);
        expect(layout.options.map((o) => o.text)).to.have.length(7);
        for (const option of layout.options) expect(option.lines, `${option.text} starts on one line`).to.equal(1);
      } finally {
        providersAnswer = null;
        await closePage(page);
      }
    });
  }

  it("counts one completed job and one lost dispute in the singular, in the provider view and the table's tooltip", async function () {
    if (browser === null || server === null) return;
    const reputation = { score: 4_000, jobsAccepted: 3, jobsActive: 0, jobsCompleted: 1, jobsTimedOut: 1, disputesLost: 1 };
    const view = providerView("5000");
    (view.data.provider as { reputation: unknown }).reputation = reputation;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [{ ...wideProviders()[0], reputation }] } } });
    const page = await openPage();
    try {
      await page.route("**/graphql", async (route) => {
        const { query } = route.request().postDataJSON() as { query: string };
        if (query.includes("query Provider(")) return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(view) });
        return route.fallback();
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=provider-row]");
      expect(await page.getAttribute("[data-testid=provider-row] [data-testid=provider-reputation]", "title")).to.equal("1 job completed, 1 timed out, 1 dispute lost");
      await page.click("[data-testid=provider-row] [data-testid=provider-open]");
      await page.waitForSelector("[data-testid=provider-view-reputation]");
      expect(await page.textContent("[data-testid=provider-view-reputation]")).to.equal("40.0%: 1 of 3 jobs completed, 1 timed out, 1 dispute lost");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("reads the open provider view again at each new block, as the tables are", async function () {
    if (browser === null || server === null) return;
    let staked = "5000";
    const before = subscribes.length;
    const page = await pageWithProviderView(() => providerView(staked));
    try {
      expect(await page.getAttribute("[data-testid=provider-view-stake]", "data-value")).to.equal(parseLat("5000"));
      const stats = await networkStatsSubscriptions(before);
      const subscription = stats()[0]!;
      const send = (blockNumber: number) =>
        subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: networkStats(blockNumber) } } }));
      send(1);
      // A slash of 0.1 LAT in block 2.
      staked = "4999.9";
      const reread = page.waitForRequest((request) => request.postData()?.includes("query Provider(") === true);
      send(2);
      await reread;
      await waitUntil(
        async () => (await page.getAttribute("[data-testid=provider-view-stake]", "data-value")) === parseLat("4999.9"),
        "the provider view shows block 2's stake",
      );
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("reads the open provider view again once the live connection is back, where it could not be read while the gateway was away", async function () {
    if (browser === null || server === null) return;
    let gatewayDown = false;
    let staked = "5000";
    const before = subscribes.length;
    const page = await pageWithProviderView(() => (gatewayDown ? { errors: [{ message: "the gateway cannot be reached" }] } : providerView(staked)));
    try {
      const stats = await networkStatsSubscriptions(before);
      const first = stats()[0]!;
      const send = (to: (typeof subscribes)[number], blockNumber: number) =>
        to.socket.send(JSON.stringify({ id: to.message.id, type: "next", payload: { data: { networkStats: networkStats(blockNumber) } } }));
      send(first, 1);
      // A block whose view cannot be read: the gateway is going away.
      gatewayDown = true;
      const refused = page.waitForResponse((response) => response.request().postData()?.includes("query Provider(") === true);
      send(first, 2);
      await refused;
      await page.waitForSelector("[data-testid=provider-error]");

      // It comes back at the same block: the page reconnects, and the first stats name the block it showed.
      gatewayDown = false;
      staked = "4999.9";
      first.socket.terminate();
      await waitUntil(() => stats().length === 2, "the page subscribes to networkStats again once reconnected", { timeoutMs: 30_000 });
      const reread = page.waitForResponse((response) => response.request().postData()?.includes("query Provider(") === true);
      send(stats()[1]!, 2);
      await reread;
      await page.waitForSelector("[data-testid=provider-error]", { state: "detached" });
      expect(await page.getAttribute("[data-testid=provider-view-stake]", "data-value")).to.equal(parseLat("4999.9"));
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("reads a list that failed while the gateway was away again once the live connection is back, though no block was indexed", async function () {
    if (browser === null || server === null) return;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders().slice(0, 2) } } });
    const page = await openPage();
    try {
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const rows = () => page.$$eval("[data-testid=provider-row]", (trs) => trs.length);
      const stats = await networkStatsSubscriptions(before);
      const first = stats()[0]!;
      first.socket.send(JSON.stringify({ id: first.message.id, type: "next", payload: { data: { networkStats: networkStats(1) } } }));
      await waitUntil(async () => (await rows()) === 2, "the providers table lists the stand-in's providers");

      // The gateway goes away: the filters the reader changes meanwhile cannot be read.
      providersAnswer = null;
      const refused = page.waitForResponse((response) => response.request().postData()?.includes("providers(filter") === true);
      await page.fill("[data-testid=filter-count]", "2");
      await page.dispatchEvent("[data-testid=filter-count]", "change");
      await refused;
      await waitUntil(async () => (await rows()) === 0, "the providers table says that the new filters could not be read");

      // It comes back, at the same block: the page reconnects and the first stats name the block it showed.
      providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders().slice(0, 1) } } });
      first.socket.terminate();
      await waitUntil(() => stats().length === 2, "the page subscribes to networkStats again once reconnected", { timeoutMs: 30_000 });
      const again = stats()[1]!;
      again.socket.send(JSON.stringify({ id: again.message.id, type: "next", payload: { data: { networkStats: networkStats(1) } } }));
      await waitUntil(async () => (await rows()) === 1, "the providers table lists the new filters' providers");
      // The stand-in refuses the other lists: only the providers' error goes.
      expect(await page.textContent("#error-list")).not.to.include("Providers:");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  for (const colorScheme of ["light", "dark"] as const) {
    it(`keeps every job status of an empty network readable in the ${colorScheme} scheme: its badge and count at 4.5:1 or more`, async function () {
      if (browser === null || server === null) return;
      const page = await openPage({ colorScheme });
      try {
        const before = subscribes.length;
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        const stats = await networkStatsSubscriptions(before);
        const subscription = stats()[0]!;
        subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: networkStats(1) } } }));
        await page.waitForSelector("[data-testid=jobs-status-OPEN][data-value='0']");
        const contrasts = await textContrasts(page, "[data-testid=jobs-by-status] .badge, [data-testid=jobs-by-status] .status-count");
        expect(contrasts).to.have.length(20);
        for (const { text, ratio } of contrasts) expect(ratio, `"${text}" at ${ratio.toFixed(2)}:1`).to.be.at.least(4.5);
      } finally {
        await closePage(page);
      }
    });
  }

  it("keeps the element keyboard focus moves to out from under the sticky top bar, tabbing back up the page", async function () {
    if (browser === null || server === null) return;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders() } } });
    // A short window, for the tables to scroll under the bar.
    const page = await openPage({ viewport: { width: 1280, height: 360 } });
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await waitUntil(async () => (await page.$$("[data-testid=provider-row]")).length === 4, "the table lists the stand-in's providers");
      await page.focus("#jobs-next");
      await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)");
      const obscured: string[] = [];
      // Back up through the jobs table and its filters to the providers table's addresses.
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press("Shift+Tab");
        const focus = (await page.evaluate(`({
          text: document.activeElement.textContent.trim() || document.activeElement.id,
          top: document.activeElement.getBoundingClientRect().top,
          bar: document.querySelector(".topbar").getBoundingClientRect().bottom,
        })`)) as { text: string; top: number; bar: number };
        if (focus.top < focus.bar) obscured.push(`${focus.text} at ${focus.top}px, under the bar to ${focus.bar}px`);
      }
      expect(obscured).to.deep.equal([]);
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("says that no job was created and nothing paid in the daily history of a network that has had neither", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const stats = await networkStatsSubscriptions(before);
      const subscription = stats()[0]!;
      const history = Array.from({ length: 14 }, (_, i) => ({ date: 1700000000 - (13 - i) * 86_400, jobsCreated: 0, volume: ZERO }));
      subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: { ...networkStats(1), history } } } }));
      await page.waitForSelector("[data-testid=chart-history] .empty");
      expect(await page.textContent("[data-testid=chart-history]")).to.equal("No job created and nothing paid in these 14 days.");
      expect(await page.$$("[data-testid=history-bar]")).to.have.length(0);
    } finally {
      await closePage(page);
    }
  });

  it("counts one job created, and one GPU listed, in the singular in the charts' tooltips and descriptions", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const stats = await networkStatsSubscriptions(before);
      const subscription = stats()[0]!;
      const day = 1700006400;
      const history = [
        { date: day - 86_400, jobsCreated: 1, volume: { wei: "2000000000000000000", lat: "2" } },
        { date: day, jobsCreated: 2, volume: ZERO },
      ];
      const gpusByRegion = [{ region: "eu-west", total: 1, free: 1 }];
      const update = { ...networkStats(1), history, gpusByRegion };
      subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: update } } }));
      await waitUntil(async () => (await page.$$("[data-testid=history-bar]")).length === 2, "the history chart draws both days");
      expect(await page.$$eval("[data-testid=history-bar] title", (titles) => titles.map((t) => t.textContent))).to.deep.equal([
        "11-14: 1 job created, 2 LAT paid",
        "11-15: 2 jobs created, 0 LAT paid",
      ]);
      expect(await page.getAttribute("[data-testid=chart-history] svg", "aria-label")).to.equal(
        "Jobs created and volume paid per day. 11-14: 1 job, 2 LAT; 11-15: 2 jobs, 0 LAT",
      );
      expect(await page.textContent("[data-testid=chart-regions] [data-testid=chart-bar] title")).to.equal("eu-west: 1 free of 1 GPU");
    } finally {
      await closePage(page);
    }
  });

  /** Sends networkStats with two weeks of history, two models and a region, and waits until the charts draw them. */
  async function drawCharts(page: Page, before: number): Promise<void> {
    const stats = await networkStatsSubscriptions(before);
    const subscription = stats()[0]!;
    const history = Array.from({ length: 14 }, (_, i) => ({ date: 1700006400 + i * 86_400, jobsCreated: i, volume: { wei: `${i}000000000000000000`, lat: `${i}` } }));
    const gpusByModel = [
      { model: "h200-sxm-141gb", name: "NVIDIA H200 SXM 141GB", total: 1_024, free: 512 },
      { model: "rtx-4090-24gb", name: "NVIDIA GeForce RTX 4090", total: 64, free: 8 },
    ];
    const gpusByRegion = [{ region: "ap-southeast", total: 1_088, free: 520 }];
    const update = { ...networkStats(1), history, gpusByModel, gpusByRegion };
    subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: update } } }));
    await waitUntil(
      async () => (await page.$$("[data-testid=history-bar]")).length === 14 && (await page.$$("[data-testid=chart-bar]")).length === 3,
      "the charts draw the stand-in's days, models and region",
    );
  }

  /** Each chart label's size on the screen (its font size in the drawing's units, times the drawing's scale) and right edge. */
  function chartLabels(page: Page): Promise<{ text: string | null; px: number; right: number }[]> {
    // One evaluation, querying and measuring together: with $$eval the texts are found first and measured in a second
    // round trip, by which time a redraw (a resize, a live update) may have detached them.
    return page.$eval("body", (body) =>
      [...body.querySelectorAll("svg.chart text")].map((t) => {
        // An SVG text element (the DOM's SVG types are not in this project's lib).
        const ctm = (t as unknown as { getScreenCTM(): { a: number } }).getScreenCTM();
        const px = Number.parseFloat(t.ownerDocument.defaultView!.getComputedStyle(t).fontSize) * ctm.a;
        return { text: t.textContent, px: Math.round(px * 10) / 10, right: Math.round(t.getBoundingClientRect().right) };
      }),
    );
  }

  function expectLegible(labels: { text: string | null; px: number; right: number }[], width: number): void {
    expect(labels.length).to.be.greaterThan(5);
    for (const label of labels) {
      expect(label.px, `"${label.text}" is ${label.px} px`).to.be.at.least(11);
      expect(label.right, `"${label.text}" ends at ${label.right} px`).to.be.at.most(width);
    }
  }

  for (const width of [390, 1280]) {
    it(`draws the charts' labels at 11 px or more at ${width} px, the charts inside the screen`, async function () {
      if (browser === null || server === null) return;
      const page = await openPage({ viewport: { width, height: 900 } });
      try {
        const before = subscribes.length;
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await drawCharts(page, before);
        expectLegible(await chartLabels(page), width);
      } finally {
        await closePage(page);
      }
    });
  }

  it("draws the charts again at their new width when the window narrows, their labels still 11 px or more", async function () {
    if (browser === null || server === null) return;
    const page = await openPage({ viewport: { width: 1280, height: 900 } });
    try {
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await drawCharts(page, before);
      await page.setViewportSize({ width: 390, height: 844 });
      // Drawn again: the drawing as wide as its container, one unit a pixel.
      // One evaluation (see chartLabels): a redraw between finding the charts and reading them detached them.
      const drawnToWidth = () =>
        page.$eval("body", (body) =>
          [...body.querySelectorAll("svg.chart")].every(
            (svg) => (svg as unknown as { viewBox: { baseVal: { width: number } } }).viewBox.baseVal.width === Math.floor(svg.parentElement!.clientWidth),
          ),
        );
      await waitUntil(drawnToWidth, "the charts are drawn again at the narrower width");
      expectLegible(await chartLabels(page), 390);
    } finally {
      await closePage(page);
    }
  });

  it("gives the muted badges of cancelled and expired jobs 4.5:1 or more in the light scheme", async function () {
    if (browser === null || server === null) return;
    const page = await openPage({ colorScheme: "light" });
    try {
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const stats = await networkStatsSubscriptions(before);
      const subscription = stats()[0]!;
      const empty = networkStats(1) as { jobs: Record<string, number> };
      const ended = { ...empty, jobs: { ...empty.jobs, total: 2, cancelled: 1, expired: 1 } };
      subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: ended } } }));
      await page.waitForSelector("[data-testid=jobs-status-EXPIRED][data-value='1']");
      const contrasts = await textContrasts(page, "[data-testid=jobs-status-CANCELLED] .badge, [data-testid=jobs-status-EXPIRED] .badge");
      expect(contrasts.map((c) => c.text)).to.deep.equal(["Cancelled", "Expired"]);
      for (const { text, ratio } of contrasts) expect(ratio, `"${text}" at ${ratio.toFixed(2)}:1`).to.be.at.least(4.5);
    } finally {
      await closePage(page);
    }
  });

  it("gives the primary buttons' text 4.5:1 or more against their colour in the dark scheme", async function () {
    if (browser === null || server === null) return;
    const page = await openPage({ colorScheme: "dark" });
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("body[data-ready=true]");
      const [apply] = await textContrasts(page, "#provider-filters button[type=submit]");
      expect(apply!.text).to.equal("Apply");
      expect(apply!.ratio, `Apply at ${apply!.ratio.toFixed(2)}:1`).to.be.at.least(4.5);
    } finally {
      await closePage(page);
    }
  });

  it("says what each amount of a job's timeline is, as the activity feed does, and leaves out a ruling that slashed nothing", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const lat = (value: string) => ({ wei: (BigInt(value) * 10n ** 18n).toString(), lat: value });
      const event = (kind: string, amount: { wei: string; lat: string } | null, i: number) => ({
        kind,
        timestamp: String(1700000000 + i),
        blockNumber: 10 + i,
        transaction: `0x${String(i).padStart(64, "0")}`,
        logIndex: 0,
        from: "0x00000000000000000000000000000000000000aa",
        amount,
      });
      const update = jobUpdate("COMPLETED");
      update.data.jobUpdated.timeline = [
        event("JobCreated", lat("6"), 0),
        event("JobAccepted", lat("3"), 1),
        event("ResultSubmitted", lat("2"), 2),
        event("DisputeOpened", lat("100"), 3),
        event("DisputeResolved", lat("0"), 4),
        event("JobSettled", lat("2"), 5),
      ];
      send(update);
      await page.locator("[data-testid=job-timeline] li").first().waitFor();
      const amounts = await page.$$eval("[data-testid=job-timeline] li", (items) =>
        items.map((li) => [li.getAttribute("data-kind"), li.querySelector("[data-testid=job-event-amount]")?.textContent ?? null]),
      );
      expect(amounts).to.deep.equal([
        ["JobCreated", "6 LAT in escrow"],
        ["JobAccepted", "3 LAT collateral"],
        ["ResultSubmitted", "2 LAT cost"],
        ["DisputeOpened", "100 LAT deposit"],
        ["DisputeResolved", null],
        ["JobSettled", "2 LAT paid"],
      ]);
    } finally {
      await closePage(page);
    }
  });

  it("titles a given-back job's settlement 'Ended as given back' in its timeline, and a passed deadline's 'Job timed out'", async function () {
    if (browser === null || server === null) return;
    const provider = `0x${"ef".repeat(20)}`;
    const operator = `0x${"cd".repeat(20)}`;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const event = (kind: string, from: string, i: number) => ({
        kind,
        timestamp: String(1700000000 + i),
        blockNumber: 10 + i,
        transaction: `0x${String(i).padStart(64, "0")}`,
        logIndex: 0,
        from,
        amount: null,
      });
      const ended = (abandonedBy: string | null) => {
        const update = jobUpdate("TIMED_OUT");
        update.data.jobUpdated.provider = { address: provider };
        update.data.jobUpdated.settlement = { reason: null, amountPaid: ZERO, refund: ZERO, slashed: ZERO, abandonedBy };
        update.data.jobUpdated.timeline = abandonedBy === null ? [event("JobTimedOut", operator, 1)] : [event("JobAbandoned", operator, 1), event("JobTimedOut", operator, 1)];
        send(update);
      };
      const titles = () =>
        page.$$eval("[data-testid=job-timeline] li", (items) => items.map((li) => `${li.querySelector("strong")?.textContent} ${li.querySelector("[data-testid=job-event-by]")?.textContent}`));
      ended(operator);
      const givenBack = ["Given back before its deadline by its provider's operator 0xcdcd…cdcd", "Ended as given back by its provider's operator 0xcdcd…cdcd"];
      await waitUntil(async () => (await titles()).length === 2, "the dialog shows the job given back");
      expect(await titles()).to.deep.equal(givenBack);
      ended(null);
      await waitUntil(async () => (await titles()).length === 1, "the dialog shows the job whose deadline passed");
      expect(await titles()).to.deep.equal(["Job timed out by 0xcdcd…cdcd"]);
    } finally {
      await closePage(page);
    }
  });

  it("badges a given-back job 'Given back' in the jobs table and its dialog, and one whose deadline passed 'Timed out'", async function () {
    if (browser === null || server === null) return;
    const operator = `0x${"cd".repeat(20)}`;
    const timedOut = (id: string, abandonedBy: string | null) => ({
      ...JOBS_PAGE.nodes[0],
      id,
      status: "TIMED_OUT",
      provider: { address: `0x${"ef".repeat(20)}` },
      settlement: { abandonedBy },
    });
    jobsAnswer = () => ({ data: { jobs: { ...JOBS_PAGE, nodes: [timedOut("8", operator), timedOut("9", null)] } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=job-row]");
      const badges = await page.$$eval("[data-testid=job-row] .badge", (spans) => spans.map((span) => `${span.textContent} ${span.className}`));
      expect(badges).to.deep.equal(["Given back badge status-timed_out", "Timed out badge status-timed_out"]);
      const send = await openJobDialog(page);
      const update = jobUpdate("TIMED_OUT");
      update.data.jobUpdated.settlement = { reason: null, amountPaid: ZERO, refund: ZERO, slashed: ZERO, abandonedBy: operator };
      send(update);
      await waitUntil(async () => (await page.textContent("#job-dialog-title .badge")) === "Given back", "the dialog's badge says the job was given back");
    } finally {
      jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
      await closePage(page);
    }
  });

  it("shows every date as a <time> with its instant (datetime) and its second (title): jobs table, job dialog, feed, proposals, parameters", async function () {
    if (browser === null || server === null) return;
    governanceAnswer = () => governancePage(["LIP: dates"]);
    activityAnswer = () => ({ data: { activity: { nodes: [activityEvent()] }, deployment: null } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const times = (selector: string) =>
        page.$$eval(selector, (cells) => cells.map((cell) => {
          const time = cell.querySelector("time");
          return time === null ? [cell.textContent] : [time.textContent, time.getAttribute("datetime"), time.getAttribute("title")];
        }));
      // 1700000000 is 2023-11-14 22:13:20 UTC; the proposal executed at 23:16:20, the parameter changed at 22:13:20.
      const at = ["2023-11-14 22:13 UTC", "2023-11-14T22:13:20.000Z", "2023-11-14 22:13:20 UTC (chain time)"];
      await page.waitForSelector("[data-testid=job-row] td.time");
      await page.waitForSelector("[data-testid=proposal-when]");
      await page.waitForSelector("[data-testid=activity-item]");
      expect(await times("[data-testid=job-row] td.time"), "jobs table").to.deep.equal([at]);
      expect(await times("[data-testid=activity-item]"), "activity feed").to.deep.equal([at]);
      expect(await times("[data-testid=parameter-row] td:last-child"), "parameters").to.deep.equal([at, at]);
      expect(await times("[data-testid=proposal-when]"), "proposals").to.deep.equal([
        ["2023-11-14 23:16 UTC", "2023-11-14T23:16:20.000Z", "2023-11-14 23:16:20 UTC (chain time)"],
      ]);
      const send = await openJobDialog(page);
      const update = jobUpdate("OPEN");
      update.data.jobUpdated.acceptDeadline = "1700000000";
      send(update);
      await page.waitForSelector("#job-detail dd time");
      expect(await times("#job-detail dd:has(time)"), "job dialog").to.deep.equal([at]);
    } finally {
      governanceAnswer = null;
      activityAnswer = null;
      await closePage(page);
    }
  });

  it("opens the provider view from a job dialog's provider, for a client weighing who runs or may take its job", async function () {
    if (browser === null || server === null) return;
    const provider = wideProviders()[0]!.address as string;
    const page = await openPage();
    try {
      await page.route("**/graphql", async (route) => {
        const { query } = route.request().postDataJSON() as { query: string };
        if (query.includes("query Provider(")) return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(providerView("5000")) });
        return route.fallback();
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const update = jobUpdate("ACCEPTED");
      update.data.jobUpdated.provider = { address: provider };
      send(update);
      await page.waitForSelector("#job-dialog-title .badge.status-accepted");
      const asked = page.waitForRequest((request) => {
        const body = request.postDataJSON() as { query: string; variables: { address?: string } } | null;
        return body?.query.includes("query Provider(") === true && body.variables.address === provider;
      });
      await page.click("#job-detail [data-testid=job-provider-open]");
      await asked;
      await page.waitForSelector("[data-testid=provider-view-stake]");
      const open = () => page.$$eval("dialog", (dialogs) => dialogs.filter((d) => (d as unknown as { open: boolean }).open).map((d) => d.id));
      expect(await open()).to.deep.equal(["provider-dialog"]);
      expect(await page.textContent("#provider-dialog-title")).to.equal("Provider 0xc0ff…0000 Active");
    } finally {
      await closePage(page);
    }
  });

  it("names a job's provider only once one accepted it: before, the provider it is directed at, or none", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const target = `0x${"ab".repeat(20)}`;
      const facts = () =>
        page.$$eval("#job-detail dt", (dts) =>
          dts
            .filter((dt) => dt.textContent === "Provider" || dt.textContent === "Directed at")
            .map((dt) => [dt.textContent, dt.nextElementSibling?.querySelector("code")?.getAttribute("title") ?? dt.nextElementSibling?.textContent ?? null]),
        );
      const show = async (status: string, fields: Record<string, unknown>) => {
        const update = jobUpdate(status);
        Object.assign(update.data.jobUpdated, fields);
        send(update);
        await page.waitForSelector(`#job-dialog-title .badge.status-${status.toLowerCase()}`);
        return facts();
      };
      expect(await show("OPEN", {})).to.deep.equal([["Provider", "none yet: open to any provider that meets its needs"]]);
      expect(await show("EXPIRED", {})).to.deep.equal([["Provider", "none"]]);
      expect(await show("DECLINED", { directed: true, targetProvider: target })).to.deep.equal([["Directed at", target]]);
      expect(await show("ACCEPTED", { directed: true, targetProvider: target, provider: { address: target } })).to.deep.equal([["Provider", target]]);
    } finally {
      await closePage(page);
    }
  });

  it("gives a live job's next deadline: to accept it, to submit its result, to dispute the result", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const deadline = () => page.$$eval("#job-detail dt", (dts) => dts.find((dt) => dt.textContent === "Deadline")?.nextElementSibling?.textContent ?? null);
      const show = async (status: string) => {
        const update = jobUpdate(status);
        // 2023-11-14 22:13, 23:13 and 2023-11-15 22:13 UTC.
        Object.assign(update.data.jobUpdated, { acceptDeadline: "1700000000", resultDeadline: "1700003600", challengeDeadline: "1700086400" });
        send(update);
        await page.waitForSelector(`#job-dialog-title .badge.status-${status.toLowerCase()}`);
        return deadline();
      };
      expect(await show("OPEN")).to.equal("accept by 2023-11-14 22:13 UTC");
      expect(await show("ACCEPTED")).to.equal("result due by 2023-11-14 23:13 UTC");
      expect(await show("SUBMITTED")).to.equal("disputable until 2023-11-15 22:13 UTC, then anyone may settle it");
      expect(await show("COMPLETED")).to.equal(null);
    } finally {
      await closePage(page);
    }
  });

  it("keeps each date in the job dialog on one line with its time at 390 px, not broken at its hyphens", async function () {
    if (browser === null || server === null) return;
    const page = await openPage({ viewport: { width: 390, height: 844 } });
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const update = jobUpdate("OPEN");
      const from = `0x${"aa".repeat(20)}`;
      Object.assign(update.data.jobUpdated, {
        pastAcceptDeadline: true,
        acceptDeadline: "1798243920",
        timeline: [
          { kind: "JobCreated", timestamp: "1798240320", blockNumber: 123456, transaction: `0x${"12".repeat(32)}`, logIndex: 0, from, amount: { wei: "12000000000000000000", lat: "12.0" } },
        ],
      });
      send(update);
      const deadline = "accept by 2026-12-26 00:12 UTC: passed, no provider may accept it now (expiring it refunds its client)";
      await waitUntil(
        () =>
          page.$eval("#job-detail", (detail) => {
            const dd = [...detail.querySelectorAll("dt")].find((dt) => dt.textContent === "Deadline")?.nextElementSibling;
            return dd?.textContent + "|" + detail.querySelectorAll(".timeline li").length;
          }).then((shown) => shown === `${deadline}|1`),
        "the dialog shows the job's deadline and timeline",
      );
      // Each date's text, and the lines its characters lie on: a date broken at its hyphens spans two.
      const dates = await page.$eval("#job-detail", (detail) => {
        const out: { date: string; lines: number }[] = [];
        const walker = detail.ownerDocument.createTreeWalker(detail, 4 /* NodeFilter.SHOW_TEXT */);
        for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
          for (const match of (node.textContent ?? "").matchAll(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g)) {
            const range = detail.ownerDocument.createRange();
            range.setStart(node, match.index!);
            range.setEnd(node, match.index! + match[0].length);
            out.push({ date: match[0], lines: new Set([...range.getClientRects()].map((r) => Math.round(r.bottom))).size });
          }
        }
        return out;
      });
      expect(dates).to.deep.equal([
        { date: "2026-12-26 00:12 UTC", lines: 1 },
        { date: "2026-12-25 23:12 UTC", lines: 1 },
      ]);
    } finally {
      await closePage(page);
    }
  });

  it("gives a disputed job's deadline: when the arbitrator must rule by, and that anyone may close the dispute after", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const update = jobUpdate("DISPUTED");
      // 2023-11-24 22:13 UTC: DisputeManager's disputePeriod (10 days) after 2023-11-14 22:13.
      update.data.jobUpdated.dispute = { ruling: "NONE", resolved: false, ruleDeadline: "1700864000" };
      send(update);
      const expected = "ruling due by 2023-11-24 22:13 UTC, then anyone may close the dispute as a draw (dispute close-expired)";
      const deadline = () => page.$$eval("#job-detail dt", (dts) => dts.find((dt) => dt.textContent === "Deadline")?.nextElementSibling?.textContent ?? null);
      await waitUntil(async () => (await deadline()) === expected, "the dialog gives the ruling's deadline");
      expect(await deadline()).to.equal(expected);
    } finally {
      await closePage(page);
    }
  });

  it("writes the block number right after the connection state, one space apart as its text reads, not a wide gap", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const stats = await networkStatsSubscriptions(before);
      const subscription = stats()[0]!;
      subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: networkStats(1234) } } }));
      await waitUntil(async () => (await page.textContent("[data-testid=live-indicator]"))?.trim() === "Live · block 1,234", "the corner says the page is live at block 1,234");
      // From the end of "Live" to the "·": the one space the text has (about a third of the font's size), no more.
      const { gap, fontSize } = (await page.evaluate(`(() => {
        const text = document.querySelector("#live-block").firstChild;
        const dot = document.createRange();
        dot.setStart(text, text.data.indexOf("·"));
        dot.setEnd(text, text.data.indexOf("·") + 1);
        return {
          gap: dot.getBoundingClientRect().left - document.querySelector("#live-text").getBoundingClientRect().right,
          fontSize: parseFloat(getComputedStyle(document.querySelector("#live")).fontSize),
        };
      })()`)) as { gap: number; fontSize: number };
      expect(gap / fontSize, `${gap}px between "Live" and "·" in a ${fontSize}px font`).to.be.within(0.15, 0.5);
    } finally {
      await closePage(page);
    }
  });

  it("gives the GPU-hours billed to a fraction of an hour, not rounded to none when jobs ran minutes", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      const indexing = { chainHead: 5, indexedBlock: 5, indexedBlockTimestamp: 1700000005, lag: 0, maxLag: 10, ready: true, hasIndexingErrors: false, indexerRestart: null, source: "EMBEDDED" };
      // One GPU for a minute, then 13 h 18 min of GPU time.
      let gpuHoursBilled = 1 / 60;
      await page.route("**/graphql", async (route) => {
        const { query } = route.request().postDataJSON() as { query: string };
        if (!/^\s*query Overview\(/.test(query)) return route.fallback();
        const body = { data: { networkStats: { ...networkStats(5), gpuHoursBilled }, indexingStatus: indexing }, extensions: { block: { number: 5, hash: `0x${"05".repeat(32)}` } } };
        return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await waitUntil(async () => (await page.getAttribute("[data-testid=stat-gpu-hours]", "data-value")) === String(gpuHoursBilled), "the overview shows");
      expect(await page.textContent("[data-testid=stat-gpu-hours]")).to.equal("0.017");
      gpuHoursBilled = 13.3;
      const answered = page.waitForResponse((response) => response.request().postData()?.includes("query Overview(") === true);
      await page.reload();
      await answered;
      await waitUntil(async () => (await page.getAttribute("[data-testid=stat-gpu-hours]", "data-value")) === "13.3", "the overview shows the new figure");
      expect(await page.textContent("[data-testid=stat-gpu-hours]")).to.equal("13.3");
    } finally {
      await closePage(page);
    }
  });

  it("writes the charts' figures with thousands separators, as the overview and the tables do", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      const indexing = { chainHead: 5, indexedBlock: 5, indexedBlockTimestamp: 1700000005, lag: 0, maxLag: 10, ready: true, hasIndexingErrors: false, indexerRestart: null, source: "EMBEDDED" };
      const stats = {
        ...networkStats(5),
        gpusByModel: [{ model: "h100-sxm-80gb", name: "NVIDIA H100 SXM5 80GB", total: 2_048, free: 1_536 }],
        gpusByRegion: [{ region: "eu-west", total: 2_048, free: 1_536 }],
        history: [
          { date: 1699920000, jobsCreated: 1_200, volume: { wei: "12345500000000000000000", lat: "12345.5" } },
          { date: 1700006400, jobsCreated: 3, volume: { wei: "0", lat: "0" } },
        ],
      };
      await page.route("**/graphql", async (route) => {
        const { query } = route.request().postDataJSON() as { query: string };
        if (!/^\s*query Overview\(/.test(query)) return route.fallback();
        const body = { data: { networkStats: stats, indexingStatus: indexing }, extensions: { block: { number: 5, hash: `0x${"05".repeat(32)}` } } };
        return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const figures = () =>
        page.evaluate(`["chart-models", "chart-regions", "chart-history"].map((id) => {
          const chart = document.querySelector("[data-testid=" + id + "]");
          return {
            values: [...chart.querySelectorAll(".chart-value")].map((t) => t.textContent),
            titles: [...chart.querySelectorAll("title")].map((t) => t.textContent),
            label: chart.querySelector("svg")?.getAttribute("aria-label") ?? null,
          };
        })`) as Promise<{ values: string[]; titles: string[]; label: string | null }[]>;
      await waitUntil(async () => (await figures()).every((chart) => chart.label !== null), "the page draws the three charts");
      expect(await figures()).to.deep.equal([
        {
          values: ["1,536 / 2,048"],
          titles: ["NVIDIA H100 SXM5 80GB: 1,536 free of 2,048 GPUs"],
          label: "GPUs by model, free of listed. NVIDIA H100 SXM5 80GB: 1,536 of 2,048 free",
        },
        { values: ["1,536 / 2,048"], titles: ["eu-west: 1,536 free of 2,048 GPUs"], label: "GPUs by region, free of listed. eu-west: 1,536 of 2,048 free" },
        {
          // The jobs axis from 0 to its highest day, and the volume axis's top in compact notation.
          values: ["1,200", "0", "12.3K"],
          titles: ["11-14: 1,200 jobs created, 12,345.5 LAT paid", "11-15: 3 jobs created, 0 LAT paid"],
          label: "Jobs created and volume paid per day. 11-14: 1,200 jobs, 12,345.5 LAT; 11-15: 3 jobs, 0 LAT",
        },
      ]);
    } finally {
      await closePage(page);
    }
  });

  it("says how much of its provider's collateral a job's ending slashed, and nothing where it slashed none", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const slashed = () => page.$$eval("#job-detail dt", (dts) => dts.find((dt) => dt.textContent === "Collateral slashed")?.nextElementSibling?.textContent ?? null);
      const show = async (status: string, slash: { wei: string; lat: string }) => {
        const update = jobUpdate(status);
        update.data.jobUpdated.settlement = { reason: null, amountPaid: ZERO, refund: { wei: "1000000000000000000", lat: "1" }, slashed: slash };
        send(update);
        await page.waitForSelector(`#job-dialog-title .badge.status-${status.toLowerCase()}`);
        return slashed();
      };
      expect(await show("TIMED_OUT", { wei: "100000000000000000", lat: "0.1" })).to.equal("0.1 LAT");
      expect(await show("CANCELLED", ZERO)).to.equal(null);
    } finally {
      await closePage(page);
    }
  });

  it("gives every governed percentage in one format, whether in basis points or percent, and a count with its unit", async function () {
    if (browser === null || server === null) return;
    const parameter = (contract: string, name: string, unit: string, value: string, min: string, max: string) => ({
      contract,
      name,
      unit,
      value,
      address: null,
      min,
      max,
      updatedAt: "1700000000",
    });
    const answer = governancePage([]);
    answer.data.governance.parameters = [
      parameter("LatentGovernor", "quorumNumerator", "PERCENT", "4", "1", "50"),
      parameter("JobEscrow", "timeoutSlashBps", "BPS", "5000", "500", "10000"),
      parameter("JobEscrow", "protocolFeeBps", "BPS", "25", "0", "1000"),
      parameter("ProviderRegistry", "maxGpusPerProvider", "COUNT", "128", "1", "1024"),
    ];
    governanceAnswer = () => answer;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const expected = [
        ["quorumNumerator", "4.0%", "1.0% – 50.0%"],
        ["timeoutSlashBps", "50.0%", "5.0% – 100.0%"],
        ["protocolFeeBps", "0.25%", "0.0% – 10.0%"],
        ["maxGpusPerProvider", "128 GPUs", "1 GPU – 1,024 GPUs"],
      ];
      const rows = () =>
        page.$$eval("[data-testid=parameter-row]", (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(1, 4).map((td) => td.textContent)));
      await waitUntil(async () => JSON.stringify(await rows()) === JSON.stringify(expected), "the panel shows the parameters in their units");
      expect(await rows()).to.deep.equal(expected);
    } finally {
      governanceAnswer = null;
      await closePage(page);
    }
  });

  it("says in the governance panel, not only in the banner far above it, why it could not be loaded", async function () {
    if (browser === null || server === null) return;
    // governanceAnswer null: the stand-in refuses the panel's query.
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await waitUntil(async () => (await page.textContent("#error-list"))?.includes("Governance: stand-in") === true, "the banner shows the failure");
      await waitUntil(
        async () => (await page.textContent("#proposals-body")) === "The proposals could not be loaded: stand-in",
        "the panel says why it is empty",
      );
      expect(await page.textContent("#proposals-body")).to.equal("The proposals could not be loaded: stand-in");
      expect(await page.textContent("#parameters-body")).to.equal("The parameters could not be loaded: stand-in");
    } finally {
      await closePage(page);
    }
  });

  it("does not leave the previous view's activity under a new one that could not be loaded, saying why in the feed", async function () {
    if (browser === null || server === null) return;
    activityAnswer = () => ({ data: { activity: { nodes: [] }, deployment: null } });
    const page = await openPage();
    try {
      await page.route("**/graphql", async (route) => {
        const { query, variables } = route.request().postDataJSON() as { query: string; variables: { filter: { categories: string[] } | null } };
        if (query.includes("query Activity(") && variables.filter?.categories.join() === "STAKE") {
          return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ errors: [{ message: "the embedded indexer cannot answer" }] }) });
        }
        return route.fallback();
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await waitUntil(async () => (await page.textContent("[data-testid=activity-feed]")) === "No activity yet.", "the feed shows the default view");
      const failed = page.waitForResponse((response) => response.status() === 503 && response.request().postData()?.includes("query Activity(") === true);
      await page.selectOption("[data-testid=filter-activity]", "STAKE");
      await failed;
      await waitUntil(async () => (await page.textContent("#error-list"))?.includes("Activity: the embedded indexer cannot answer") === true, "the banner shows the failure");
      expect(await page.textContent("[data-testid=activity-feed]")).to.equal("The activity (Stake) could not be loaded: the embedded indexer cannot answer");
    } finally {
      activityAnswer = null;
      await closePage(page);
    }
  });

  it("spells a cancelled proposal's state as a cancelled job's, not the Governor's 'Canceled'", async function () {
    if (browser === null || server === null) return;
    governanceAnswer = () => {
      const answer = governancePage(["LIP-4: one-hour grace (withdrawn)"]);
      (answer.data.governance.proposals as { nodes: { state: string }[] }).nodes[0]!.state = "CANCELED";
      return answer;
    };
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=proposal-row] .badge");
      expect(await page.textContent("[data-testid=proposal-row] .badge")).to.equal("Cancelled");
    } finally {
      governanceAnswer = null;
      await closePage(page);
    }
  });

  it("says how many holders voted on each proposal, one in the singular", async function () {
    if (browser === null || server === null) return;
    governanceAnswer = () => {
      const answer = governancePage(["LIP-7: one voter", "LIP-8: many voters"]);
      const nodes = (answer.data.governance.proposals as { nodes: { voterCount: number }[] }).nodes;
      nodes[0]!.voterCount = 1;
      nodes[1]!.voterCount = 1234;
      return answer;
    };
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await waitUntil(async () => (await page.$$("[data-testid=proposal-row]")).length === 2, "the panel lists the proposals");
      expect(await page.$$eval("[data-testid=proposal-voters]", (spans) => spans.map((s) => s.textContent))).to.deep.equal([
        "cast by 1 voter",
        "cast by 1,234 voters",
      ]);
    } finally {
      governanceAnswer = null;
      await closePage(page);
    }
  });

  it("gives each proposal the time its state turns on: when voting opens (the second after its snapshot), ends or ended, when it executes or was executed or cancelled", async function () {
    if (browser === null || server === null) return;
    const states = ["PENDING", "ACTIVE", "SUCCEEDED", "DEFEATED", "QUEUED", "EXECUTED", "CANCELED"];
    governanceAnswer = () => {
      const answer = governancePage(states.map((state) => `LIP: ${state.toLowerCase()}`));
      const nodes = (answer.data.governance.proposals as { nodes: Record<string, unknown>[] }).nodes;
      for (const [i, node] of nodes.entries()) {
        node.state = states[i];
        if (node.state === "CANCELED") Object.assign(node, { eta: null, executedAt: null, canceledAt: "1700000030" });
        // A snapshot at 22:13:59: voting opens at 22:14:00.
        if (node.state === "PENDING") node.voteStart = "1700000039";
      }
      return answer;
    };
    const page = await openPage();
    try {
      const answered = page.waitForResponse((response) => response.request().postData()?.includes("query Governance(") === true);
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await answered;
      await page.waitForSelector("[data-testid=proposal-when]");
      expect(await page.$$eval("[data-testid=proposal-when]", (tds) => tds.map((td) => td.textContent))).to.deep.equal([
        "voting opens 2023-11-14 22:14 UTC",
        "voting ends 2023-11-14 23:13 UTC",
        "voting ended 2023-11-14 23:13 UTC",
        "voting ended 2023-11-14 23:13 UTC",
        // Its eta is 23:15:20: "from 23:15" would be twenty seconds before the timelock executes it.
        "executable from 2023-11-14 23:16 UTC",
        "executed 2023-11-14 23:16 UTC",
        "cancelled 2023-11-14 22:13 UTC",
      ]);
    } finally {
      governanceAnswer = null;
      await closePage(page);
    }
  });

  it("says an open job past its acceptance deadline can no longer be accepted, in the jobs table and the job dialog", async function () {
    if (browser === null || server === null) return;
    jobsAnswer = () => ({ data: { jobs: { ...JOBS_PAGE, nodes: [{ ...JOBS_PAGE.nodes[0], pastAcceptDeadline: true }] } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=job-row]");
      expect(await page.textContent("[data-testid=job-row] [data-testid=job-past-deadline]")).to.equal("past deadline");
      const send = await openJobDialog(page);
      const update = jobUpdate("OPEN");
      Object.assign(update.data.jobUpdated, { pastAcceptDeadline: true, acceptDeadline: "1700000000" });
      send(update);
      await page.waitForSelector("#job-dialog-title .badge.status-open");
      const deadline = await page.$$eval("#job-detail dt", (dts) => dts.find((dt) => dt.textContent === "Deadline")?.nextElementSibling?.textContent ?? null);
      expect(deadline).to.equal("accept by 2023-11-14 22:13 UTC: passed, no provider may accept it now (expiring it refunds its client)");
    } finally {
      jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
      await closePage(page);
    }
  });

  it("says a job's dispute is open, not that its ruling is none, until it is ruled", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const dispute = (ruling: string, resolved: boolean) => {
        const update = jobUpdate(resolved ? "REFUNDED" : "DISPUTED");
        update.data.jobUpdated.dispute = { ruling, resolved, ruleDeadline: "1700864000", deposit: { wei: "100000000000000000000", lat: "100" } };
        send(update);
      };
      const shown = () => page.$$eval("#job-detail dt", (dts) => dts.find((dt) => dt.textContent === "Dispute")?.nextElementSibling?.textContent ?? null);
      dispute("NONE", false);
      await waitUntil(async () => (await shown()) === "Open, not ruled yet", "the dialog shows the open dispute");
      expect(await shown()).to.equal("Open, not ruled yet");
      dispute("UPHELD", true);
      const upheld = "Upheld: the client's 100 LAT deposit went back to it";
      await waitUntil(async () => (await shown()) === upheld, "the dialog shows the ruling, Upheld");
      expect(await shown()).to.equal(upheld);
    } finally {
      await closePage(page);
    }
  });

  it("says where a resolved dispute's deposit went: back to the client, or to the provider where the ruling rejected it", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const send = await openJobDialog(page);
      const shown = () => page.$$eval("#job-detail dt", (dts) => dts.find((dt) => dt.textContent === "Dispute")?.nextElementSibling?.textContent ?? null);
      const rulings = [
        ["COMPLETED", "REJECTED", "Rejected: the client's 100 LAT deposit went to the provider"],
        ["COMPLETED", "DRAW", "Draw: the client's 100 LAT deposit went back to it"],
        ["COMPLETED", "EXPIRED", "Expired, not ruled in time (a draw): the client's 100 LAT deposit went back to it"],
      ] as const;
      for (const [status, ruling, expected] of rulings) {
        const update = jobUpdate(status);
        update.data.jobUpdated.dispute = { ruling, resolved: true, ruleDeadline: "1700864000", deposit: { wei: "100000000000000000000", lat: "100" } };
        send(update);
        await waitUntil(async () => (await shown()) === expected, `the dialog says where the deposit went, ${ruling}`);
        expect(await shown()).to.equal(expected);
      }
    } finally {
      await closePage(page);
    }
  });

  it("counts down the seconds to its next connection while the gateway's WebSocket is down", async function () {
    if (browser === null || server === null) return;
    const page = await browser.newPage();
    try {
      // Every connection is closed at once, as by a gateway that is down: the backoff grows at each try.
      await page.routeWebSocket("**/graphql", (socket) => socket.close());
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const seconds = async () => Number(/retrying in (\d+) s/.exec((await page.textContent("#live")) ?? "")?.[1] ?? 0);
      // The third try's pause is 2 to 4 s, the fourth's 4 to 8 s, each later one 8 s or more: once a pause reads 4 s or
      // more, none after it reads a second less, which only the count down of that pause shows.
      await waitUntil(async () => (await seconds()) >= 4, "the page waits 4 s or more before its next try", { timeoutMs: 30_000 });
      const first = await seconds();
      await waitUntil(async () => (await seconds()) === first - 1, `the page counts down from ${first} s`, { timeoutMs: 5_000 });
    } finally {
      await closePage(page);
    }
  });

  it("says in the banner that the page is offline and trying again once the gateway that was shutting down is gone", async function () {
    if (browser === null || server === null) return;
    const page = await browser.newPage();
    try {
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const stats = await networkStatsSubscriptions(before);
      const first = stats()[0]!;
      const liveLine = () => page.$$eval("#error-list li", (items) => items.map((li) => li.textContent).find((t) => t?.startsWith("Live updates: ")) ?? null);
      // A restarting gateway ends its subscriptions, then drops the connection and refuses new ones until it is back.
      const ended = [{ message: "the gateway is shutting down", extensions: { code: "SHUTTING_DOWN" } }];
      first.socket.send(JSON.stringify({ id: first.message.id, type: "error", payload: ended }));
      await waitUntil(async () => (await liveLine()) === "Live updates: the gateway is shutting down", "the banner says the gateway is shutting down");
      await page.routeWebSocket("**/graphql", (socket) => socket.close());
      first.socket.terminate();
      const offline = "Live updates: offline: the connection to the gateway closed; trying again (the top bar counts down to the next try)";
      await waitUntil(async () => (await liveLine()) === offline, "the banner says the page is offline and trying again");
      expect(await liveLine()).to.equal(offline);
    } finally {
      await closePage(page);
    }
  });

  it("connects again at once when the gateway answers over HTTP, not at the end of the backoff's pause", async function () {
    if (browser === null || server === null) return;
    const page = await browser.newPage();
    try {
      let away = true;
      await page.routeWebSocket("**/graphql", (socket) => {
        if (away) socket.close();
        else socket.connectToServer();
      });
      // The page's clock stands still: its next try, at the end of the pause it counts down, never comes by itself.
      await page.clock.install();
      await page.clock.pauseAt(new Date("2030-01-01T00:00:00Z"));
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=job-row]");
      await page.waitForSelector("#live[data-state=offline]");
      away = false;
      const answered = page.waitForResponse((response) => response.ok() && response.request().postData()?.includes("query Jobs(") === true);
      await page.selectOption("[data-testid=filter-status]", "OPEN");
      await answered;
      await page.waitForSelector("#live[data-state=live]");
      expect(await page.textContent("#live-text")).to.equal("Live");
    } finally {
      await closePage(page);
    }
  });

  it("says the job dialog waits for the live connection while the gateway's WebSocket is down, not just 'Loading…'", async function () {
    if (browser === null || server === null) return;
    const page = await browser.newPage();
    try {
      await page.routeWebSocket("**/graphql", (socket) => socket.close());
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("#live[data-state=offline]");
      await page.click('[data-testid="job-open"]');
      expect(await page.textContent("[data-testid=job-loading]")).to.equal(
        "Loading… once the live connection to the gateway is back (see the corner): the job comes over it.",
      );
    } finally {
      await closePage(page);
    }
  });

  // The tables, the feed and the governance panel give the message too, where they could not be read.
  for (const width of [360, 1280]) {
    it(`wraps a long unbroken error message in the error banner and the areas that could not be read at ${width} px instead of widening the page`, async function () {
      if (browser === null || server === null) return;
      const endpoint = `https://indexer.latent.example/subgraphs/id/Qm${"Yw4jqtHxzv8P2ZbN7cKdR5sT1uVfWg6hLmXe".repeat(3)}`;
      refusal = `the subgraph endpoint ${endpoint} answered HTTP 502`;
      const page = await openPage({ viewport: { width, height: 740 } });
      try {
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await page.waitForSelector('[data-testid="error-banner"]:not([hidden])');
        for (const area of ["#providers-body", "#activity", "#proposals-body"]) {
          await waitUntil(async () => (await page.textContent(area))?.includes(endpoint) === true, `${area} gives the error`);
        }
        const widths = await page.$eval('[data-testid="error-banner"]', (banner) => ({
          text: banner.textContent ?? "",
          banner: [banner.scrollWidth, banner.clientWidth],
          page: [banner.ownerDocument.documentElement.scrollWidth, banner.ownerDocument.documentElement.clientWidth],
        }));
        expect(widths.text).to.include(endpoint);
        expect(widths.banner[0], `the banner is ${widths.banner[0]}px wide in ${widths.banner[1]}px`).to.be.at.most(widths.banner[1]!);
        expect(widths.page[0], `the page is ${widths.page[0]}px wide in ${widths.page[1]}px`).to.be.at.most(widths.page[1]!);
      } finally {
        refusal = "stand-in";
        await closePage(page);
      }
    });
  }

  it("refuses in the form, without asking availableCompute, a job length JobEscrow refuses (under 1 minute, over 720 hours)", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const offers = () => requests.filter((r) => r.query.includes("availableCompute("));
    const before = offers().length;
    for (const refused of ["0.01", "720.01"]) {
      await page.fill('[data-testid="filter-hours"]', refused);
      await page.check('[data-testid="filter-available"]');
      await page.press('[data-testid="filter-hours"]', "Enter");
      const hours = await page.$eval('[data-testid="filter-hours"]', (input) => ({
        valid: input.matches(":valid"),
        message: (input as unknown as { validationMessage: string }).validationMessage,
      }));
      expect(hours, refused).to.deep.equal({ valid: false, message: "A job runs from 1 minute (0.0167 hours) to 720 hours (30 days)" });
    }

    // The lengths it takes, the bounds' own among them, are asked for; the stand-in saw nothing before them.
    for (const [i, taken] of ["0.02", "720"].entries()) {
      await page.fill('[data-testid="filter-hours"]', taken);
      await page.press('[data-testid="filter-hours"]', "Enter");
      await waitUntil(() => offers().length > before + i, `the page asks availableCompute for ${taken} hours`);
    }
    const asked = offers().slice(before).map((r) => (r.variables.requirements as { hours: number }).hours);
    expect(asked).to.deep.equal([0.02, 720]);
    await closePage(page);
  });

  it("has the browser itself hold the hours to JobEscrow's lengths as they are typed, the 1 minute it takes quoted as such", async function () {
    if (browser === null || server === null) return;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders().slice(0, 1) } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=provider-row]");
      // Typed only: no change event yet, so what says the value is out of range is the field's own min and max.
      const typed = async (hours: string) => {
        await page.fill("[data-testid=filter-hours]", hours);
        return page.$eval("[data-testid=filter-hours]", (input) => {
          const { rangeUnderflow, rangeOverflow } = (input as unknown as { validity: { rangeUnderflow: boolean; rangeOverflow: boolean } }).validity;
          return { invalid: input.matches(":invalid"), rangeUnderflow, rangeOverflow };
        });
      };
      const results: Record<string, unknown> = {};
      for (const hours of ["0", "0.01", "0.0166", "0.0167", "1", "720", "720.5"]) results[hours] = await typed(hours);
      expect(results).to.deep.equal({
        "0": { invalid: true, rangeUnderflow: true, rangeOverflow: false },
        "0.01": { invalid: true, rangeUnderflow: true, rangeOverflow: false },
        "0.0166": { invalid: true, rangeUnderflow: true, rangeOverflow: false },
        "0.0167": { invalid: false, rangeUnderflow: false, rangeOverflow: false },
        "1": { invalid: false, rangeUnderflow: false, rangeOverflow: false },
        "720": { invalid: false, rangeUnderflow: false, rangeOverflow: false },
        "720.5": { invalid: true, rangeUnderflow: false, rangeOverflow: true },
      });
      // The least it takes is a job of 1 minute, as the gateway rounds it.
      await typed("0.0167");
      await page.press("[data-testid=filter-hours]", "Enter");
      await waitUntil(async () => (await page.textContent("#quote-heading")) === "Quote (1 GPU × 1 min)", "the heading quotes 1 GPU × 1 min");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("refuses in the form, without asking the gateway, a minimum GPU memory over the 4096 GiB it takes (ProviderRegistry.MAX_VRAM_GIB)", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const minVram = () =>
        requests
          .filter((r) => r.query.includes("providers(filter"))
          .map((r) => (r.variables.filter as { minVramGiB?: number } | null)?.minVramGiB)
          .filter((v) => v !== undefined);
      const before = minVram().length;
      await page.fill('[data-testid="filter-vram"]', "4097");
      await page.dispatchEvent('[data-testid="filter-vram"]', "change");
      expect(await page.$eval('[data-testid="filter-vram"]', (input) => input.matches(":invalid"))).to.equal(true);
      // The bound itself is taken: the stand-in saw nothing before it.
      await page.fill('[data-testid="filter-vram"]', "4096");
      await page.dispatchEvent('[data-testid="filter-vram"]', "change");
      await waitUntil(() => minVram().length > before, "the page asks for providers with at least 4096 GiB");
      expect(minVram().slice(before)).to.deep.equal([4096]);
    } finally {
      await closePage(page);
    }
  });

  it("says the protocol is paused, and until when, where a pause leaves available-now offers empty", async function () {
    if (browser === null || server === null) return;
    let paused = true;
    offersAnswer = () => ({
      data: {
        availableCompute: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
        governance: { paused, pausedUntil: paused ? "1700003600" : "1699990000" },
      },
    });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.check('[data-testid="filter-available"]');
      const empty = () => page.textContent("#providers-body .empty-row");
      await waitUntil(async () => (await empty())?.includes("paused") === true, "the providers table says why it is empty");
      // Paused while now < 23:13:20: "until 23:13" would say it was over twenty seconds early.
      expect(await empty()).to.equal("The protocol is paused until 2023-11-14 23:14 UTC: JobEscrow takes no job, so nothing is offered now.");
      const spans = await page.$eval("#providers-body .empty-row td", (td) => [td.colSpan, td.closest("table")!.tHead!.rows[0]!.cells.length]);
      expect(spans[0], "the row spans every column of the table").to.equal(spans[1]);

      paused = false;
      await page.uncheck('[data-testid="filter-available"]');
      await page.check('[data-testid="filter-available"]');
      await waitUntil(async () => (await empty()) === "No provider matches these filters.", "an empty table without a pause blames the filters");
    } finally {
      offersAnswer = null;
      await closePage(page);
    }
  });

  it("says that no provider has registered, not that none matches the filters, where the unfiltered list is empty", async function () {
    if (browser === null || server === null) return;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } });
    const page = await openPage();
    try {
      const loaded = page.waitForResponse((response) => response.request().postData()?.includes("providers(filter") === true);
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await loaded;
      const empty = () => page.textContent("#providers-body .empty-row");
      await waitUntil(async () => (await empty()) === "No provider has registered on this network yet.", "the providers table says why it is empty");
      expect(await empty()).to.equal("No provider has registered on this network yet.");

      const filtered = page.waitForResponse((response) => response.request().postData()?.includes("providers(filter") === true);
      await page.fill("[data-testid=filter-count]", "2");
      await page.dispatchEvent("[data-testid=filter-count]", "change");
      await filtered;
      await waitUntil(async () => (await empty()) === "No provider matches these filters.", "a filtered empty table blames the filters");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("says that no job has been posted, not that none has the status, where the unfiltered jobs list is empty", async function () {
    if (browser === null || server === null) return;
    jobsAnswer = () => ({ data: { jobs: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } });
    const page = await openPage();
    try {
      const loaded = page.waitForResponse((response) => response.request().postData()?.includes("query Jobs(") === true);
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await loaded;
      const empty = () => page.textContent("#jobs-body .empty-row");
      await waitUntil(async () => (await empty()) === "No jobs posted yet.", "the jobs table says why it is empty");
      expect(await empty()).to.equal("No jobs posted yet.");

      const filtered = page.waitForResponse((response) => response.request().postData()?.includes("query Jobs(") === true);
      await page.selectOption("[data-testid=filter-status]", "OPEN");
      await filtered;
      await waitUntil(async () => (await empty()) === "No jobs with this status.", "a status's empty table names the status");
    } finally {
      jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
      await closePage(page);
    }
  });

  it("counts the one GPU needed in the singular in a busy provider's quote tooltip", async function () {
    if (browser === null || server === null) return;
    // The third of wideProviders() is active with none of its GPUs free; the form asks for 1 GPU at start.
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders() } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=provider-not-now][data-reason=busy]");
      expect(await page.getAttribute("[data-testid=provider-not-now][data-reason=busy]", "title")).to.equal("0 of the 1 GPU needed free now");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("says in the quote cell, in words, which listed providers cannot take the job now: offline, under-staked, deregistered", async function () {
    if (browser === null || server === null) return;
    const provider = (n: number, status: { online: boolean; active: boolean; registered?: boolean }, gpusFree: number) => ({
      address: `0x${n.toString(16).padStart(40, "0")}`,
      registered: true,
      ...status,
      gpuModel: "h100-80gb",
      gpuModelName: "H100 80GB",
      vramGiB: 80,
      region: "eu-west",
      tier: "ENTERPRISE",
      pricePerGpuHour: { wei: "2000000000000000000", lat: "2.0" },
      capacity: { gpuCount: 8, gpusFree },
      reputation: { score: 10_000, jobsCompleted: 3, jobsTimedOut: 0, disputesLost: 0 },
      stake: { staked: ZERO },
      maxSlashRewardBps: 10_000,
    });
    // Every GPU free: only the status keeps the first two from the job.
    const nodes = [
      provider(1, { online: false, active: false }, 8),
      provider(2, { online: true, active: false }, 8),
      provider(3, { online: true, active: true }, 8),
      provider(4, { online: false, active: false, registered: false }, 8),
    ];
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const rows = () =>
        page.$$eval("[data-testid=provider-row]", (trs) =>
          trs.map((tr) => [
            tr.querySelector(".badge")?.textContent,
            tr.querySelector("[data-testid=provider-not-now]")?.textContent ?? null,
          ]),
        );
      await waitUntil(async () => (await rows()).length === 4, "the providers table lists the stand-in's providers");
      expect(await rows()).to.deep.equal([
        ["Offline", "not now: offline"],
        ["Under-staked", "not now: under-staked"],
        ["Active", null],
        ["Deregistered", "not now: deregistered"],
      ]);
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  it("shows in the Needs column every requirement a job sets, and none left at its any value", async function () {
    if (browser === null || server === null) return;
    const base = JOBS_PAGE.nodes[0];
    const requirements = (r: Record<string, unknown>) => ({ ...base, requirements: { ...base?.requirements, ...r } });
    const nodes = [
      {
        ...requirements({
          gpuModel: "h100-sxm-80gb",
          gpuModelName: "NVIDIA H100 SXM5 80GB",
          minVramGiB: 80,
          gpuCount: 2,
          region: "eu-west",
          tier: "ENTERPRISE",
          minCompletedJobs: 10,
          minSlashRewardBps: 2500,
        }),
        id: "9",
      },
      { ...requirements({ tier: "CONSUMER", minCompletedJobs: 1, minSlashRewardBps: 2550 }), id: "8" },
      { ...requirements({}), id: "7" },
    ];
    jobsAnswer = () => ({ data: { jobs: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const cells = () => page.$$eval("[data-testid=job-needs]", (tds) => tds.map((td) => td.textContent));
      await waitUntil(async () => (await cells()).length === 3, "the jobs table lists the stand-in's jobs");
      expect(await cells()).to.deep.equal([
        "2× NVIDIA H100 SXM5 80GB ≥80 GiB · eu-west · enterprise · ≥10 jobs · slash cap ≥25.0%",
        "1× any GPU · consumer · ≥1 job · slash cap ≥25.5%",
        "1× any GPU",
      ]);
    } finally {
      jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
      await closePage(page);
    }
  });

  it("shows a job's GPU model in its Needs cell by name, as the providers table does, with its id as the tooltip", async function () {
    if (browser === null || server === null) return;
    const base = JOBS_PAGE.nodes[0];
    const model = (gpuModel: string, gpuModelName: string | null, id: string) => ({
      ...base,
      id,
      requirements: { ...base?.requirements, gpuModel, gpuModelName },
    });
    const nodes = [model("h100-sxm-80gb", "NVIDIA H100 SXM5 80GB", "9"), model("b200-192gb", null, "8")];
    jobsAnswer = () => ({ data: { jobs: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const models = () =>
        page.$$eval("[data-testid=job-needs] [title]", (spans) => spans.map((span) => [span.textContent, span.getAttribute("title")]));
      await waitUntil(async () => (await models()).length === 2, "the jobs table lists the stand-in's jobs");
      // A model no provider has registered has no name: its id stands in, as in the providers table.
      expect(await models()).to.deep.equal([
        ["NVIDIA H100 SXM5 80GB", "h100-sxm-80gb"],
        ["b200-192gb", "b200-192gb"],
      ]);
    } finally {
      jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
      await closePage(page);
    }
  });

  it("asks the gateway for every requirement of the jobs it lists", async function () {
    if (browser === null || server === null) return;
    const before = requests.length;
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const jobsQuery = () => requests.slice(before).find((r) => r.query.includes("jobs(filter"))?.query;
      await waitUntil(() => jobsQuery() !== undefined, "the page asks for the jobs");
      const selection = /requirements \{([^}]*)\}/.exec(jobsQuery() ?? "")?.[1]?.trim().split(/\s+/);
      expect(selection).to.have.members(["gpuModel", "gpuModelName", "region", "gpuCount", "minVramGiB", "tier", "minCompletedJobs", "minSlashRewardBps"]);
    } finally {
      await closePage(page);
    }
  });

  it("reloads a later page of jobs at each new block, not at the block its cursor was issued at", async function () {
    if (browser === null || server === null) return;
    // Two pages (job 8, then job 7) read at `block`; a cursor carries its block, and one of a block a reorg replaced
    // is refused as the gateway refuses it.
    let block = 1;
    const job = (id: string, status: string) => ({ ...JOBS_PAGE.nodes[0], id, status });
    jobsAnswer = (after) => {
      if (after === null) {
        return { data: { jobs: { pageInfo: { hasNextPage: true, endCursor: `${block}:8` }, nodes: [job("8", "OPEN")] } } };
      }
      if (after === `${block}:8`) {
        return { data: { jobs: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [job("7", block === 1 ? "OPEN" : "ACCEPTED")] } } };
      }
      return { errors: [{ message: `block ${after.split(":")[0]} was replaced`, extensions: { code: "CURSOR_EXPIRED" } }] };
    };
    const page = await openPage();
    try {
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const rows = () => page.$$eval("[data-testid=job-row]", (trs) => trs.map((tr) => `${tr.getAttribute("data-id")} ${tr.getAttribute("data-status")}`));
      await waitUntil(async () => (await rows()).join() === "8 OPEN", "the first page of jobs shows");
      await page.click('[data-testid="jobs-next"]');
      await waitUntil(async () => (await rows()).join() === "7 OPEN", "the second page of jobs shows");

      const stats = await networkStatsSubscriptions(before);
      const subscription = stats()[0];
      if (subscription === undefined) throw new Error("unreachable");
      const send = (blockNumber: number) =>
        subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: networkStats(blockNumber) } } }));
      send(1);
      block = 2;
      send(2);
      await waitUntil(async () => (await rows()).join() === "7 ACCEPTED", "the second page shows block 2's jobs");
      expect(await page.textContent('[data-testid="jobs-page"]')).to.equal("Page 2");
    } finally {
      jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
      await closePage(page);
    }
  });

  it("reloads the lists at start-up when a block was indexed after they read and before the overview read", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      // Job 8 is open at block 1 and accepted at block 2. The first jobs query reads block 1, then block 2 is
      // indexed; the overview reads after that (it names block 2), and the jobs' answer comes after the overview's.
      let block = 1;
      let jobsRead = (): void => {};
      const firstJobsRead = new Promise<void>((resolve) => (jobsRead = resolve));
      let overviewSent = (): void => {};
      const overviewAnswered = new Promise<void>((resolve) => (overviewSent = resolve));
      const json = (data: unknown) => ({ status: 200, contentType: "application/json", body: JSON.stringify({ data }) });
      await page.route("**/graphql", async (route) => {
        const { query } = route.request().postDataJSON() as { query: string };
        if (query.includes("query Jobs(")) {
          const nodes = [{ ...JOBS_PAGE.nodes[0], id: "8", status: block === 1 ? "OPEN" : "ACCEPTED" }];
          const answer = json({ jobs: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } });
          if (block === 1) {
            block = 2;
            jobsRead();
            await overviewAnswered;
          }
          return route.fulfill(answer);
        }
        if (query.includes("query Overview(")) {
          await firstJobsRead;
          const indexing = { chainHead: block, indexedBlock: block, indexedBlockTimestamp: 1700000000 + block, lag: 0, maxLag: 10, ready: true, hasIndexingErrors: false, indexerRestart: null, source: "EMBEDDED" };
          await route.fulfill(json({ networkStats: networkStats(block), indexingStatus: indexing }));
          overviewSent();
          return;
        }
        return route.fallback();
      });
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const rows = () => page.$$eval("[data-testid=job-row]", (trs) => trs.map((tr) => `${tr.getAttribute("data-id")} ${tr.getAttribute("data-status")}`));
      const stats = await networkStatsSubscriptions(before);
      const subscription = stats()[0]!;
      // The subscription's first stats, sent on subscribing, name the block the overview already showed.
      subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: networkStats(2) } } }));
      await waitUntil(async () => (await rows()).join() === "8 ACCEPTED", "the jobs table shows block 2's jobs");
    } finally {
      await closePage(page);
    }
  });

  it("reads each list once at start-up when the lists read the block the live feed's first stats name", async function () {
    if (browser === null || server === null) return;
    const page = await browser.newPage();
    try {
      // Counted in the page, as each query is sent: a second round would be sent in the same task that shows the
      // overview the live feed's first stats carry.
      await page.addInitScript(`{
        window.sentQueries = [];
        const send = window.fetch.bind(window);
        window.fetch = (input, init) => {
          const query = JSON.parse(String(init?.body ?? "{}")).query ?? "";
          window.sentQueries.push(/^\\s*query (\\w+)/.exec(query)?.[1] ?? "?");
          return send(input, init);
        };
      }`);
      const block = { number: 5, hash: `0x${"05".repeat(32)}` };
      const answer = (data: unknown) => ({ status: 200, contentType: "application/json", body: JSON.stringify({ data, extensions: { block } }) });
      const empty = { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] };
      await page.route("**/graphql", async (route) => {
        const { query } = route.request().postDataJSON() as { query: string };
        const name = /^\s*query (\w+)/.exec(query)?.[1];
        const indexing = { chainHead: 5, indexedBlock: 5, indexedBlockTimestamp: 1700000005, lag: 0, maxLag: 10, ready: true, hasIndexingErrors: false, indexerRestart: null, source: "EMBEDDED" };
        if (name === "Overview") return route.fulfill(answer({ networkStats: networkStats(5), indexingStatus: indexing }));
        if (name === "Indexing") return route.fulfill(answer({ indexingStatus: indexing }));
        if (name === "Providers") return route.fulfill(answer({ providers: empty }));
        if (name === "Jobs") return route.fulfill(answer({ jobs: JOBS_PAGE }));
        if (name === "Activity") return route.fulfill(answer({ activity: { nodes: [] }, deployment: null }));
        if (name === "Governance") return route.fulfill(answer(governancePage([]).data));
        return route.fallback();
      });
      const before = subscribes.length;
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const stats = await networkStatsSubscriptions(before);
      const subscription = stats()[0]!;
      // The first stats, sent on subscribing, name the block every list read; 3 providers tell them from the overview's.
      const first = { ...networkStats(5), providers: { registered: 3, online: 3, active: 3 } };
      subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: first } } }));
      await waitUntil(async () => (await page.textContent("[data-testid=stat-providers]")) === "3", "the page shows the live feed's first stats");
      const sent = (await page.evaluate("window.sentQueries")) as string[];
      expect([...sent].sort()).to.deep.equal(["Activity", "Governance", "Jobs", "Overview", "Providers"]);
    } finally {
      await closePage(page);
    }
  });

  /**
   * A page of its own whose timers the test moves on (a clock installed on a page stays), for a read the dashboard
   * makes every INDEXING_POLL_MS: waited for in real time, it was the longest part of such a test.
   */
  async function pageOnClock(): Promise<Page> {
    const page = await browser!.newPage();
    await page.clock.install();
    return page;
  }

  /**
   * Opens the page with the overview's indexingStatus `indexing`, and later reads of it answered by `later`, on `page`
   * (the shared one unless given).
   */
  async function pageWithIndexing(indexing: Record<string, unknown>, later: () => Record<string, unknown>, page?: Page): Promise<Page> {
    page ??= await openPage();
    const status = { chainHead: 9, indexedBlock: 9, indexedBlockTimestamp: 1700000009, lag: 0, maxLag: 10, ready: true, hasIndexingErrors: false, indexerRestart: null, source: "EMBEDDED" };
    const json = (data: unknown) => ({ status: 200, contentType: "application/json", body: JSON.stringify({ data }) });
    await page.route("**/graphql", async (route) => {
      const { query } = route.request().postDataJSON() as { query: string };
      if (query.includes("query Overview(")) return route.fulfill(json({ networkStats: networkStats(9), indexingStatus: { ...status, ...indexing } }));
      if (query.includes("query Indexing ")) return route.fulfill(json({ indexingStatus: { ...status, ...later() } }));
      return route.fallback();
    });
    await page.goto(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`);
    return page;
  }

  const health = (page: Page) => page.$eval("[data-testid=indexing-health]", (el) => [el.textContent, el.getAttribute("data-tone")]);

  it("says that indexing restarts, in how long and after what error, while the indexer's thread awaits its restart", async function () {
    if (browser === null || server === null) return;
    const reason = "the indexer worker thread died (exit code 1): Error: out of memory";
    const down = { ready: false, hasIndexingErrors: true, indexerRestart: { reason, inSeconds: 90 } };
    const page = await pageWithIndexing(down, () => down);
    try {
      const expected = [`Indexing restarts in 1 min 30 s after an error: ${reason}`, "warn"];
      await waitUntil(async () => JSON.stringify(await health(page)) === JSON.stringify(expected), "the page says that indexing restarts");
      expect(await health(page)).to.deep.equal(expected);
    } finally {
      await closePage(page);
    }
  });

  it("reads the indexing status again once the indexer's restart is due, though no block is indexed meanwhile", async function () {
    if (browser === null || server === null) return;
    const reason = "the indexer worker thread did not answer for 30000 ms while processing block 9; it is terminated";
    const page = await pageWithIndexing({ ready: false, hasIndexingErrors: true, indexerRestart: { reason, inSeconds: 1 } }, () => ({}));
    try {
      await waitUntil(async () => (await health(page))[0] === "In sync", "the page reads that the new thread runs", { timeoutMs: 30_000 });
    } finally {
      await closePage(page);
    }
  });

  it("counts a lag of one block, and a readiness threshold of one, in the singular", async function () {
    if (browser === null || server === null) return;
    const page = await pageWithIndexing({ chainHead: 11, indexedBlock: 9, lag: 2, maxLag: 1, ready: false }, () => ({}));
    try {
      await waitUntil(async () => (await health(page))[0] === "Catching up (more than 1 block behind)", "the page says that indexing catches up");
      expect(await health(page)).to.deep.equal(["Catching up (more than 1 block behind)", "warn"]);
    } finally {
      await closePage(page);
    }
    const inSync = await pageWithIndexing({ chainHead: 10, indexedBlock: 9, lag: 1 }, () => ({}));
    try {
      await waitUntil(async () => (await inSync.textContent("[data-testid=indexing-lag]")) === "1 block", "the page shows a lag of 1 block");
      expect(await inSync.textContent("[data-testid=indexing-lag]")).to.equal("1 block");
    } finally {
      await closePage(inSync);
    }
  });

  it("shows that the indexer stopped after the page loaded, though no block is indexed to refresh it", async function () {
    if (browser === null || server === null) return;
    const reason = "the indexer worker thread died (exit code 1): Error: out of memory";
    const page = await pageWithIndexing({}, () => ({ ready: false, hasIndexingErrors: true, indexerRestart: { reason, inSeconds: 60 } }), await pageOnClock());
    try {
      await waitUntil(async () => (await health(page))[0] === "In sync", "the page shows the indexing status");
      // Its periodic read is set once its start-up reads are all in.
      await page.waitForSelector("body[data-ready]");
      await page.clock.fastForward(INDEXING_POLL_MS);
      const expected = [`Indexing restarts in 1 min after an error: ${reason}`, "warn"];
      await waitUntil(async () => JSON.stringify(await health(page)) === JSON.stringify(expected), "the page reads that the indexer stopped", { timeoutMs: 30_000 });
      expect(await health(page)).to.deep.equal(expected);
    } finally {
      await closePage(page);
    }
  });

  it("says the indexing status is not updated, with the error, when it cannot be read again, rather than 'In sync'", async function () {
    if (browser === null || server === null) return;
    const page = await pageOnClock();
    try {
      const status = { chainHead: 9, indexedBlock: 9, indexedBlockTimestamp: 1700000009, lag: 0, maxLag: 10, ready: true, hasIndexingErrors: false, indexerRestart: null, source: "EMBEDDED" };
      await page.route("**/graphql", async (route) => {
        const { query } = route.request().postDataJSON() as { query: string };
        if (query.includes("query Overview(")) {
          return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ data: { networkStats: networkStats(9), indexingStatus: status } }) });
        }
        // The gateway gone after the page loaded: its periodic read of the indexing status gets no answer.
        if (query.includes("query Indexing ")) return route.abort("connectionrefused");
        return route.fallback();
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await waitUntil(async () => (await health(page))[0] === "In sync", "the page shows the indexing status it read at start-up");
      // Its periodic read is set once its start-up reads are all in.
      await page.waitForSelector("body[data-ready]");
      await page.clock.fastForward(INDEXING_POLL_MS);
      const expected = ["Not updated: the gateway cannot be reached (Failed to fetch)", "bad"];
      await waitUntil(async () => JSON.stringify(await health(page)) === JSON.stringify(expected), "the page says the status is not updated", { timeoutMs: 30_000 });
      expect(await health(page)).to.deep.equal(expected);
    } finally {
      await closePage(page);
    }
  });

  it("says that indexing stopped on an error where no restart is due", async function () {
    if (browser === null || server === null) return;
    const page = await pageWithIndexing({ ready: false, hasIndexingErrors: true, indexerRestart: null }, () => ({}));
    try {
      await waitUntil(async () => (await health(page))[0] === "Indexing stopped on an error", "the page says that indexing stopped");
      expect(await health(page)).to.deep.equal(["Indexing stopped on an error", "bad"]);
    } finally {
      await closePage(page);
    }
  });

  it("keeps the jobs of the latest status filter when an earlier filter's answer comes after them", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    try {
      // Each status's jobs are one job of that status; the Open filter's answer is held until the Completed filter's
      // jobs show, as a slow answer for a filter the reader has already left.
      let releaseOpen = (): void => {};
      const openHeld = new Promise<void>((resolve) => (releaseOpen = resolve));
      let openAnswered: Promise<void> | null = null;
      await page.route("**/graphql", async (route) => {
        const body = route.request().postDataJSON() as { query: string; variables: { filter: { statuses?: string[] } | null } };
        // Only the jobs query's filter has statuses: the activity feed's has categories.
        const status = body.query.includes("jobs(filter") ? body.variables.filter?.statuses?.[0] : undefined;
        if (status === undefined) return route.fallback();
        const answer = { data: { jobs: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [{ ...JOBS_PAGE.nodes[0], status }] } } };
        const fulfill = () => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(answer) });
        if (status !== "OPEN") return fulfill();
        openAnswered = openHeld.then(fulfill);
        return openAnswered;
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const statuses = () => page.$$eval("[data-testid=job-row]", (trs) => trs.map((tr) => tr.getAttribute("data-status")));
      await waitUntil(async () => (await statuses()).length === 1, "the jobs table lists the stand-in's job");
      // Every status the table shows from here on, in order (a string: this project's TypeScript has no DOM types).
      await page.evaluate(`{
        const body = document.querySelector("#jobs-body");
        globalThis.shownStatuses = [];
        new MutationObserver(() =>
          globalThis.shownStatuses.push([...body.querySelectorAll("[data-testid=job-row]")].map((tr) => tr.getAttribute("data-status"))),
        ).observe(body, { childList: true });
      }`);

      await page.selectOption("[data-testid=filter-status]", "OPEN");
      await waitUntil(() => openAnswered !== null, "the page asks for the open jobs");
      await page.selectOption("[data-testid=filter-status]", "COMPLETED");
      await waitUntil(async () => (await statuses()).join() === "COMPLETED", "the table shows the completed jobs");
      releaseOpen();
      await openAnswered;
      // A filter chosen after the late answer arrived: the table shows it once the page has had that answer too.
      await page.selectOption("[data-testid=filter-status]", "CANCELLED");
      await waitUntil(async () => (await statuses()).join() === "CANCELLED", "the table shows the cancelled jobs");
      const shown = await page.evaluate(() => (globalThis as unknown as { shownStatuses: string[][] }).shownStatuses);
      expect(shown.map((rows) => rows.join())).to.deep.equal(["COMPLETED", "CANCELLED"]);
    } finally {
      await closePage(page);
    }
  });

  // The codes after which the job dialog keeps the job it shows and subscribes again; any other replaces the job.
  /**
   * Opens the job dialog on `page` and has the gateway show its job OPEN through the jobUpdated subscription the dialog
   * makes; returns the dialog's jobUpdated subscriptions from then on, that one first.
   */
  async function openDialogOnOpenJob(page: Page): Promise<() => { socket: WebSocket; message: Message }[]> {
    const before = subscribes.filter((s) => s.message.payload?.query?.includes("jobUpdated") === true).length;
    await page.click('[data-testid="job-open"]');
    const updates = () => subscribes.filter((s) => s.message.payload?.query?.includes("jobUpdated") === true).slice(before);
    await waitUntil(() => updates().length === 1, "the dialog subscribes to jobUpdated");
    const first = updates()[0]!;
    first.socket.send(JSON.stringify({ id: first.message.id, type: "next", payload: jobUpdate("OPEN") }));
    await page.waitForSelector("#job-dialog-title .badge.status-open");
    return updates;
  }

  for (const [code, kept] of [["SHUTTING_DOWN", true], ["SUBSCRIBER_TOO_SLOW", true], ["TOO_MANY_SUBSCRIPTIONS", true], ["SOURCE_UNAVAILABLE", true], ["JOB_REORGED", false]] as const) {
    it(`${kept ? "keeps the job it shows, saying updates stopped," : "replaces the job with the error"} when the gateway ends the job dialog's jobUpdated with ${code}`, async function () {
      if (browser === null || server === null) return;
      const page = await openPage();
      try {
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        const [first] = (await openDialogOnOpenJob(page))();
        first!.socket.send(JSON.stringify({ id: first!.message.id, type: "error", payload: [{ message: `ended: ${code}`, extensions: { code } }] }));
        await page.waitForSelector(kept ? '[data-testid="job-notice"]' : '[data-testid="job-error"]');
        expect((await page.$("#job-dialog-title .badge.status-open")) !== null, "the job's status still shown").to.equal(kept);
        if (kept) expect(await page.textContent('[data-testid="job-notice"]')).to.include(`Updates stopped (ended: ${code})`);
        else expect(await page.textContent("#job-detail")).to.equal(`ended: ${code}`);
      } finally {
        await closePage(page);
      }
    });
  }

  it("says the job dialog's updates resume once the live connection is back, not in 5 s, while the restarted gateway is away", async function () {
    if (browser === null || server === null) return;
    const page = await browser.newPage();
    try {
      // The stand-in takes the page's connections until the gateway "goes away": each later one is closed at once.
      let away = false;
      await page.routeWebSocket("**/graphql", (socket) => {
        if (away) socket.close();
        else socket.connectToServer();
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const first = (await openDialogOnOpenJob(page))()[0]!;
      away = true;
      const ended = [{ message: "the gateway is shutting down", extensions: { code: "SHUTTING_DOWN" } }];
      first.socket.send(JSON.stringify({ id: first.message.id, type: "error", payload: ended }));
      await page.waitForSelector('[data-testid="job-notice"]');
      first.socket.close();
      await page.waitForSelector("#live[data-state=offline]");
      const expected = "Updates stopped (the gateway is shutting down); they resume once the live connection to the gateway is back (see the corner).";
      await waitUntil(async () => (await page.textContent('[data-testid="job-notice"]')) === expected, "the dialog says its updates wait for the connection");
      expect(await page.textContent('[data-testid="job-notice"]')).to.equal(expected);
    } finally {
      await closePage(page);
    }
  });

  it("subscribes the job dialog to jobUpdated again after the gateway ended it as it restarted (SHUTTING_DOWN)", async function () {
    if (browser === null || server === null) return;
    const page = await openPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const updates = await openDialogOnOpenJob(page);
    const first = updates()[0]!;
    const ended = [{ message: "the gateway is shutting down", extensions: { code: "SHUTTING_DOWN" } }];
    first.socket.send(JSON.stringify({ id: first.message.id, type: "error", payload: ended }));
    await page.waitForSelector('[data-testid="job-notice"]');

    await waitUntil(() => updates().length === 2, "the dialog subscribes to jobUpdated again", { timeoutMs: 30_000 });
    const second = updates()[1];
    if (second === undefined) throw new Error("unreachable");
    second.socket.send(JSON.stringify({ id: second.message.id, type: "next", payload: jobUpdate("ACCEPTED") }));
    await page.waitForSelector("#job-dialog-title .badge.status-accepted");
    expect(await page.$('[data-testid="job-notice"]')).to.equal(null);
    await closePage(page);
  });

  // A title from a proposal's description: any length, and unbroken strings (a hash, a URL) among its words.
  const LONG_TITLES = [
    "LIP-7: raise the protocol fee to 3.5%, cap machines at 256 GPUs, lengthen thawing to 3 days, and move the treasury to the new multisig agreed at the community call",
    `LIP-8: pin the spec schema at ipfs://${"bafybeigdyrztq6vdkw4c5rqh3yfpb2xuhkr7l3o".repeat(3)}`,
  ];

  for (const width of [390, 1280]) {
    it(`wraps long proposal titles inside the governance panel at ${width} px, without widening the table or the page`, async function () {
      if (browser === null || server === null) return;
      governanceAnswer = () => governancePage(LONG_TITLES);
      const page = await openPage({ viewport: { width, height: 900 } });
      try {
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await waitUntil(async () => (await page.$$("[data-testid=proposal-row]")).length === 2, "the panel lists the proposals");
        const shown = await page.$eval("[data-testid=governance]", (panel) => {
          const box = panel.getBoundingClientRect();
          const wrap = panel.querySelector("[data-testid=proposals-table]")!.parentElement!;
          return {
            wrap: [wrap.scrollWidth, wrap.clientWidth],
            page: [panel.ownerDocument.documentElement.scrollWidth, panel.ownerDocument.documentElement.clientWidth],
            titles: [...panel.querySelectorAll("[data-testid=proposal-row] td:first-child")].map((td) => {
              const r = td.getBoundingClientRect();
              return { text: td.textContent, scroll: td.scrollWidth, client: td.clientWidth, inside: r.left >= box.left && r.right <= box.right };
            }),
          };
        });
        expect(shown.titles.map((t) => t.text)).to.deep.equal(LONG_TITLES);
        for (const t of shown.titles) {
          expect(t.scroll, `${t.text} is ${t.scroll}px wide in ${t.client}px`).to.be.at.most(t.client);
          expect(t.inside, `${t.text} lies inside the panel`).to.equal(true);
        }
        expect(shown.wrap[0], `the proposals table is ${shown.wrap[0]}px wide in ${shown.wrap[1]}px`).to.be.at.most(shown.wrap[1]!);
        expect(shown.page[0], `the page is ${shown.page[0]}px wide in ${shown.page[1]}px`).to.be.at.most(shown.page[1]!);
      } finally {
        governanceAnswer = null;
        await closePage(page);
      }
    });
  }

  it("says the time the providers table quotes for in the units that fit it, as a job's maximum duration reads", async function () {
    if (browser === null || server === null) return;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders() } } });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForSelector("[data-testid=provider-row]");
      await page.fill("#f-count", "2");
      // Leaving the count field applies it (the form's change event) with the hours still at 1: the table shows
      // "2 GPUs × 1 h" for a moment before the hours' own change, so the wait is for the final heading.
      await page.fill("#f-hours", "0.1");
      await page.click("[data-testid=provider-filters] button[type=submit]");
      await waitUntil(async () => (await page.textContent("#quote-heading")) === "Quote (2 GPUs × 6 min)", "the heading quotes 2 GPUs × 6 min");
      expect(await page.textContent("#providers-caption")).to.equal("All providers matching the filters, listing 2 GPUs or more, busy or free (quotes for 2 GPUs × 6 min)");
    } finally {
      providersAnswer = null;
      await closePage(page);
    }
  });

  // Wider than the phone's cards (640 px and narrower): up to 1200 px the providers table drops the columns the provider
  // view repeats (region, tier, stake, slash cap); from 1280 px it shows every column.
  for (const width of [641, 800, 1024, 1200, 1280, 1366, 1920]) {
    it(`fits the providers table at ${width} px without scrolling it sideways, every column inside its box`, async function () {
      if (browser === null || server === null) return;
      providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders() } } });
      const page = await openPage({ viewport: { width, height: 900 } });
      try {
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await waitUntil(async () => (await page.$$("[data-testid=provider-row]")).length === 4, "the table lists the stand-in's providers");
        const shown = await tableLayout(page, "providers-table");
        const every = ["Provider", "GPU model", "VRAM", "Free / total", "Region", "Tier", "Price / GPU-h", "Reputation", "Stake", "Slash cap", "Status", "Quote (1 GPU × 1 h)"];
        const mid = ["Region", "Tier", "Stake", "Slash cap"];
        expect(shown.columns).to.deep.equal(width > 1200 ? every : every.filter((c) => !mid.includes(c)));
        expect(shown.hidden, "cells past the table's box").to.deep.equal([]);
        expect(shown.wrap[0], `the providers table is ${shown.wrap[0]}px wide in ${shown.wrap[1]}px`).to.be.at.most(shown.wrap[1]!);
        expect(shown.page[0], `the page is ${shown.page[0]}px wide in ${shown.page[1]}px`).to.be.at.most(shown.page[1]!);
      } finally {
        providersAnswer = null;
        await closePage(page);
      }
    });
  }

  // From the narrowest width at which the table shows every column (above the 1200 px of the narrow-screen rule) to a
  // laptop's: at 1201 px a month-long quote pushed the table 48 px past its box.
  for (const width of [1201, 1240, 1279, 1280, 1366]) {
    it(`fits the providers table at ${width} px with month-long quotes`, async function () {
      if (browser === null || server === null) return;
      // 8 GPUs for 720 hours at 2.63 LAT: 15,148.8 LAT.
      offersAnswer = () => ({
        data: {
          availableCompute: {
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: wideProviders().map((provider) => ({
              freeGpus: 128,
              reputation: 3_333,
              provider,
              quote: { gpuCount: 8, durationSeconds: 2_592_000, cost: { wei: "15148800000000000000000", lat: "15148.8" }, collateral: { wei: "7574400000000000000000", lat: "7574.4" } },
            })),
          },
          governance: { paused: false, pausedUntil: null },
        },
      });
      const page = await openPage({ viewport: { width, height: 900 } });
      try {
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await page.fill("[data-testid=filter-count]", "8");
        await page.fill("[data-testid=filter-hours]", "720");
        await page.check("[data-testid=filter-available]");
        const monthQuotes = () => page.$$eval('[data-testid=provider-quote][data-value="15148800000000000000000"]', (cells) => cells.length);
        await waitUntil(async () => (await monthQuotes()) === 4, "the table shows the four offers' month-long quotes");
        const shown = await tableLayout(page, "providers-table");
        expect(shown.hidden, "cells past the table's box").to.deep.equal([]);
        expect(shown.wrap[0], `the providers table is ${shown.wrap[0]}px wide in ${shown.wrap[1]}px`).to.be.at.most(shown.wrap[1]!);
      } finally {
        offersAnswer = null;
        await closePage(page);
      }
    });
  }

  // A heading wraps where it is wider than its values, but not inside a figure and its unit: "Price / GPU-" over "h",
  // "Quote (1 GPU × 1" over "h)", as the devnet showed them at 1366 px.
  for (const width of [641, 1024, 1280, 1366, 1920]) {
    it(`keeps each figure of the tables' headings with its unit at ${width} px, wrapping between them`, async function () {
      if (browser === null || server === null) return;
      providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders() } } });
      const page = await openPage({ viewport: { width, height: 900 } });
      try {
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await waitUntil(async () => (await page.$$("[data-testid=provider-row]")).length === 4, "the table lists the stand-in's providers");
        await waitUntil(async () => (await page.$$("[data-testid=job-row]")).length === 1, "the jobs table lists the stand-in's job");
        // Each shown heading's pieces that must not break, with the number of lines each one takes.
        const lines = await page.evaluate(`[...document.querySelectorAll("[data-testid=providers-table] th, [data-testid=jobs-table] th")]
          .filter((th) => th.getBoundingClientRect().width > 0)
          .flatMap((th) => {
            const texts = [];
            const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) texts.push(node);
            const whole = texts.map((t) => t.data).join("");
            const at = (offset) => {
              for (const t of texts) {
                if (offset <= t.data.length) return [t, offset];
                offset -= t.data.length;
              }
            };
            return ["GPU-h", "1 GPU", "1 h"].filter((piece) => whole.includes(piece)).map((piece) => {
              const start = whole.indexOf(piece);
              const range = document.createRange();
              range.setStart(...at(start));
              range.setEnd(...at(start + piece.length));
              const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
              return [whole.trim() + ": " + piece, tops.size];
            });
          })`) as [string, number][];
        const pieces = lines.map(([piece]) => piece);
        expect(pieces).to.include.members(width > 1200 ? ["Price / GPU-h: GPU-h", "Quote (1 GPU × 1 h): 1 h", "Max / GPU-h: GPU-h"] : ["Price / GPU-h: GPU-h"]);
        expect(lines.filter(([, count]) => count !== 1), "pieces over two lines").to.deep.equal([]);
      } finally {
        providersAnswer = null;
        await closePage(page);
      }
    });
  }

  // Wider than the phone's cards (640 px and narrower): up to 1200 px the table drops the columns the job dialog
  // repeats; from 1280 px it shares its row with the activity feed and shows every column, a long Needs cell wrapping.
  for (const width of [641, 800, 1024, 1200, 1280, 1366, 1920]) {
    it(`fits the jobs table at ${width} px without scrolling it sideways, every column inside its box`, async function () {
      if (browser === null || server === null) return;
      const lat = (value: string) => ({ wei: `${value.replace(".", "")}0000000000000000`, lat: value });
      const nodes = ["9", "10", "11"].map((id, i) => ({
        ...JOBS_PAGE.nodes[0],
        id: `10000${id}`,
        status: ["TIMED_OUT", "SUBMITTED", "REFUNDED"][i],
        requirements: {
          gpuModel: "h200-sxm-141gb",
          gpuModelName: "NVIDIA H200 SXM 141GB",
          region: "ap-southeast",
          minVramGiB: 141,
          gpuCount: 8,
          tier: "ENTERPRISE",
          minCompletedJobs: 10,
          minSlashRewardBps: 2550,
        },
        client: `0x${"ab".repeat(20)}`,
        provider: { address: `0x${"cd".repeat(20)}` },
        maxPricePerGpuHour: lat("12.34"),
        escrowed: lat("123456.78"),
      }));
      jobsAnswer = () => ({ data: { jobs: { pageInfo: { hasNextPage: false, endCursor: null }, nodes } } });
      const page = await openPage({ viewport: { width, height: 900 } });
      try {
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await waitUntil(async () => (await page.$$("[data-testid=job-row]")).length === 3, "the table lists the stand-in's jobs");
        const shown = await tableLayout(page, "jobs-table");
        const every = ["Job", "Status", "Needs", "Client", "Provider", "Max / GPU-h", "Escrowed", "Updated"];
        expect(shown.columns).to.deep.equal(width > 1200 ? every : every.filter((c) => c !== "Client" && c !== "Max / GPU-h"));
        expect(shown.hidden, "cells past the table's box").to.deep.equal([]);
        expect(shown.wrap[0], `the jobs table is ${shown.wrap[0]}px wide in ${shown.wrap[1]}px`).to.be.at.most(shown.wrap[1]!);
        expect(shown.page[0], `the page is ${shown.page[0]}px wide in ${shown.page[1]}px`).to.be.at.most(shown.page[1]!);
      } finally {
        jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
        await closePage(page);
      }
    });
  }

  it("shows each table's rows at 390 px as cards, every cell labelled with its column and inside the screen", async function () {
    if (browser === null || server === null) return;
    providersAnswer = () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders() } } });
    governanceAnswer = () => governancePage(LONG_TITLES);
    const page = await openPage({ viewport: { width: 390, height: 844 } });
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await waitUntil(async () => (await page.$$("[data-testid=provider-row]")).length === 4, "the table lists the stand-in's providers");
      await waitUntil(async () => (await page.$$("[data-testid=proposal-row]")).length === 2, "the panel lists the proposals");
      // The jobs answer comes on a request of its own: until it does, the jobs table has no row to check.
      await waitUntil(async () => (await page.$$("[data-testid=job-row]")).length === 1, "the jobs table lists the stand-in's job");
      const tables = await page.$$eval("table", (all) =>
        all.map((table) => {
          const wrap = table.parentElement!;
          const headers = [...table.tHead!.rows[0]!.cells].map((th) => th.textContent!.trim());
          const cells = [...table.tBodies[0]!.rows].flatMap((tr) =>
            [...tr.cells].map((td, i) => {
              const r = td.getBoundingClientRect();
              return {
                column: i,
                header: headers[i],
                label: td.dataset.label ?? null,
                before: td.ownerDocument.defaultView!.getComputedStyle(td, "::before").content,
                text: td.textContent,
                inside: r.left >= 0 && r.right <= td.ownerDocument.documentElement.clientWidth,
                scroll: td.scrollWidth,
                client: td.clientWidth,
              };
            }),
          );
          return { table: table.dataset.testid, wrap: [wrap.scrollWidth, wrap.clientWidth], cells };
        }),
      );
      expect(tables.map((t) => t.table)).to.deep.equal(["providers-table", "jobs-table", "proposals-table", "parameters-table"]);
      for (const t of tables) {
        expect(t.wrap[0], `${t.table} is ${t.wrap[0]}px wide in ${t.wrap[1]}px`).to.be.at.most(t.wrap[1]!);
        expect(t.cells, t.table).to.not.be.empty;
        for (const c of t.cells) {
          expect(c.inside, `${t.table}: ${c.header} (${c.text}) lies on the screen`).to.equal(true);
          expect(c.scroll, `${t.table}: ${c.header} (${c.text}) is ${c.scroll}px wide in ${c.client}px`).to.be.at.most(c.client);
          // The first cell heads the card (the provider, the job, the proposal, the contract); every other one says its column.
          if (c.column > 0) {
            expect(c.label, `${t.table}: ${c.text}`).to.equal(c.header);
            expect(c.before, `${t.table}: ${c.header} shows its label`).to.not.be.oneOf(["none", "normal"]);
          }
        }
      }
      const wide = await page.$eval("html", (html) => [html.scrollWidth, html.clientWidth]);
      expect(wide[0], `the page is ${wide[0]}px wide in ${wide[1]}px`).to.be.at.most(wide[1]!);
    } finally {
      providersAnswer = null;
      governanceAnswer = null;
      await closePage(page);
    }
  });

  it("names the contract, the parameter and its values before and after in a parameter change's activity line", async function () {
    if (browser === null || server === null) return;
    // The deployment's addresses in checksum case, the events' in lower case: the page matches them either way.
    const contracts = {
      JobEscrow: "0x9A676e781A523b5d0C0e43731313A708CB607508",
      DisputeManager: "0x0B306BF915C4d645ff596e518fAf3F9669b97016",
      Staking: "0x959922bE3CAee4b8Cd9a407cc3ac1C251C2007B1",
      LatentTimelock: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    };
    const lower = (name: keyof typeof contracts) => contracts[name].toLowerCase();
    const event = (kind: string, category: string, accounts: string[], parameter: Record<string, string | null> | null) => ({
      kind,
      category,
      timestamp: 1700000000,
      from: `0x${"ab".repeat(20)}`,
      accounts,
      jobId: null,
      provider: null,
      amount: null,
      parameter,
    });
    const change = (contract: keyof typeof contracts, name: string, unit: string, values: Record<string, string | null>) =>
      event("ParameterChanged", "PARAMETER", [lower(contract)], {
        contract,
        name,
        unit,
        value: null,
        previousValue: null,
        address: null,
        previousAddress: null,
        ...values,
      });
    const arbitrators = [`0x${"a1".repeat(20)}`, `0x${"b2".repeat(20)}`];
    const nodes = [
      change("JobEscrow", "grace", "SECONDS", { previousValue: "3600", value: "7200" }),
      change("JobEscrow", "protocolFeeBps", "BPS", { previousValue: "250", value: "300" }),
      change("DisputeManager", "arbitrator", "ADDRESS", { previousAddress: arbitrators[0]!, address: arbitrators[1]! }),
      change("Staking", "treasury", "ADDRESS", { previousAddress: arbitrators[0]!, address: lower("LatentTimelock") }),
      // A constructor's first value: nothing before it.
      change("Staking", "minStakePerGpu", "WEI", { value: "1000000000000000000000" }),
      event("CallScheduled", "TIMELOCK", [lower("JobEscrow")], null),
    ];
    activityAnswer = () => ({
      data: {
        activity: { nodes },
        deployment: { contracts: Object.entries(contracts).map(([name, address]) => ({ name, address })) },
      },
    });
    const page = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const lines = () => page.$$eval("[data-testid=activity-item] span", (spans) => spans.map((span) => span.textContent));
      await waitUntil(async () => (await lines()).length === nodes.length, "the feed lists the stand-in's events");
      expect(await lines()).to.deep.equal([
        "JobEscrow grace 1 h → 2 h",
        "JobEscrow protocolFeeBps 2.5% → 3.0%",
        "DisputeManager arbitrator 0xa1a1…a1a1 → 0xb2b2…b2b2",
        "Staking treasury 0xa1a1…a1a1 → LatentTimelock",
        "Staking minStakePerGpu set to 1,000 LAT",
        "The timelock scheduled a call to JobEscrow",
      ]);
    } finally {
      activityAnswer = null;
      await closePage(page);
    }
  });

  it("says a job given back was given back, by its provider or its operator, not that it timed out, from the feed's one query", async function () {
    if (browser === null || server === null) return;
    const operator = `0x${"cd".repeat(20)}`;
    const timedOut = (jobId: string, abandonedBy: string | null) => ({
      kind: "JobTimedOut",
      category: "JOB",
      timestamp: 1700000000,
      from: operator,
      accounts: [`0x${"aa".repeat(20)}`, `0x${"ef".repeat(20)}`],
      jobId,
      provider: `0x${"ef".repeat(20)}`,
      amount: { wei: "12000000000000000000", lat: "12.0" },
      parameter: null,
      abandonedBy,
    });
    // Job 5's JobAbandoned, older than the page's last event, is not on it: its JobTimedOut alone says it was given back.
    activityAnswer = () => ({
      data: { activity: { nodes: [timedOut("6", null), timedOut("5", operator), timedOut("4", `0x${"ef".repeat(20)}`)] }, deployment: null },
    });
    const page = await openPage();
    const before = requests.length;
    try {
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const expected = [
        "Job #6 timed out: no result by its deadline (12 LAT refunded)",
        "Job #5 given back by its provider's operator 0xcdcd…cdcd before its deadline (12 LAT refunded)",
        "Job #4 given back by its provider 0xefef…efef before its deadline (12 LAT refunded)",
      ];
      const lines = () => page.$$eval("[data-testid=activity-item] button", (buttons) => buttons.map((b) => b.textContent));
      await waitUntil(async () => JSON.stringify(await lines()) === JSON.stringify(expected), "the feed says which job was given back");
      expect(await lines()).to.deep.equal(expected);
      // The feed's query asked for abandonedBy, and no request asked any job for it afterwards: no job(id) read, and no
      // abandonedBy but the feed's and the jobs table's own list (its rows' badges).
      const sent = requests.slice(before);
      const feed = sent.filter((r) => r.query.includes("query Activity("));
      expect(feed.length).to.be.greaterThan(0);
      expect(feed.every((r) => /\babandonedBy\b/.test(r.query))).to.equal(true);
      const others = sent.filter((r) => !r.query.includes("query Activity("));
      const followUps = others.filter((r) => /\bjob\(id:/.test(r.query) || (/\babandonedBy\b/.test(r.query) && !r.query.includes("jobs(filter")));
      expect(followUps.map((r) => r.query)).to.deep.equal([]);
    } finally {
      activityAnswer = null;
      await closePage(page);
    }
  });

  // A refresh (a new block) that fails: the rows an earlier read showed stay, as the network's latest known state,
  // with a line above them that says they are not updated and why, until a refresh succeeds.
  const staleAreas = [
    {
      area: "activity feed",
      rows: "[data-testid=activity-item]",
      stale: "activity-stale",
      answer: (on: boolean) => (activityAnswer = on ? () => ({ data: { activity: { nodes: [activityEvent()] }, deployment: null } }) : null),
    },
    {
      area: "governance panel",
      rows: "[data-testid=proposal-row]",
      stale: "proposals-title-stale",
      answer: (on: boolean) => (governanceAnswer = on ? () => governancePage(["LIP-1: two-hour grace"]) : null),
    },
    {
      area: "providers table",
      rows: "[data-testid=provider-row]",
      stale: "providers-body-stale",
      answer: (on: boolean) =>
        (providersAnswer = on ? () => ({ data: { providers: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: wideProviders().slice(0, 1) } } }) : null),
    },
    {
      area: "jobs table",
      rows: "[data-testid=job-row]",
      stale: "jobs-body-stale",
      answer: (on: boolean) => (jobsAnswer = on ? () => ({ data: { jobs: JOBS_PAGE } }) : () => ({ errors: [{ message: "stand-in" }] })),
    },
  ];
  for (const { area, rows, stale, answer } of staleAreas) {
    it(`says above the ${area}'s rows that they are not updated, with the error, when a new block's refresh of them fails`, async function () {
      if (browser === null || server === null) return;
      answer(true);
      const page = await openPage();
      try {
        const before = subscribes.length;
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        const stats = await networkStatsSubscriptions(before);
        const subscription = stats()[0]!;
        const block = (blockNumber: number) =>
          subscription.socket.send(JSON.stringify({ id: subscription.message.id, type: "next", payload: { data: { networkStats: networkStats(blockNumber) } } }));
        const shown = () =>
          page.evaluate(
            `({ rows: document.querySelectorAll(${JSON.stringify(rows)}).length, note: document.querySelector("[data-testid=${stale}]")?.textContent ?? null })`,
          ) as Promise<{ rows: number; note: string | null }>;
        block(1);
        await waitUntil(async () => JSON.stringify(await shown()) === JSON.stringify({ rows: 1, note: null }), `the ${area} shows the stand-in's row`);

        answer(false);
        block(2);
        await waitUntil(
          async () => JSON.stringify(await shown()) === JSON.stringify({ rows: 1, note: "Not updated: stand-in" }),
          `the ${area} keeps its row, saying that it is not updated`,
        );

        answer(true);
        block(3);
        await waitUntil(async () => JSON.stringify(await shown()) === JSON.stringify({ rows: 1, note: null }), `the ${area} is updated again`);
      } finally {
        answer(false);
        jobsAnswer = () => ({ data: { jobs: JOBS_PAGE } });
        await closePage(page);
      }
    });
  }
});
