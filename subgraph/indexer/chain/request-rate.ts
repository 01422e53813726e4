// The HTTP transport's request rate under maxRequestsPerSecond. A provider's limit is often below the configured one
// (a shared key, a plan's compute units, a limit per second that counts a batch's calls): at a fixed rate every rate
// limit answered is hit again at once. As TCP's congestion window: halved on a rate-limit answer, down to a floor,
// and raised by a tenth of the maximum after each run of answers without one, never above the maximum. Without
// maxRequestsPerSecond the maximum is the rate measured when the first rate limit came (see HttpRpc).
import { Recurring, seconds } from "../recurring";

/** The rate a run of rate limits lowers the request rate to, at the lowest (or maxRequestsPerSecond, when lower). */
export const MIN_REQUESTS_PER_SECOND = 1;
/** Answers in a row, none a rate limit, after which the request rate is raised a step (a tenth of the maximum). */
export const RATE_RAISE_AFTER = 20;
const RAISE_STEPS = 10;
/** The span the rate sent at is measured over, without maxRequestsPerSecond. */
export const RATE_MEASURE_WINDOW_MS = 5_000;
/** The shortest span a measure divides by: requests sent at once would otherwise measure an unbounded rate. */
const MIN_MEASURE_SPAN_MS = 100;

export type RateLogger = (level: "warning" | "info", message: string) => void;

/** Where the maximum comes from: maxRequestsPerSecond, or the rate the transport sent at when first rate limited. */
export type RateOrigin = "configured" | "measured";

export class RequestRate {
  private rate: number;
  /** Milliseconds between two requests' slots at the current rate. */
  intervalMs: number;
  /**
   * Bumped at each lowering. Requests scheduled before a lowering were sent at the rate it answered: their refusals,
   * which arrive after it (a batch's calls, the requests of a prefetch), would otherwise halve it again for nothing.
   */
  epoch = 0;
  private answers = 0;
  private readonly floor: number;
  private readonly reports: Recurring;

  constructor(
    readonly max: number,
    now: () => number,
    private readonly log: RateLogger = () => undefined,
    private readonly origin: RateOrigin = "configured",
  ) {
    this.rate = max;
    this.intervalMs = 1000 / max;
    this.floor = Math.min(max, MIN_REQUESTS_PER_SECOND);
    this.reports = new Recurring(now);
  }

  /** Requests per second now. */
  get current(): number {
    return this.rate;
  }

  /** A request scheduled in `epoch` was refused for its rate. */
  limited(epoch: number): void {
    this.answers = 0;
    if (epoch !== this.epoch) return;
    this.epoch++;
    this.set(Math.max(this.floor, this.rate / 2));
    // Logged again (before the minute is out) only when the rate fell into a lower power of two of the maximum: the
    // halvings of a rate that climbs back and is refused again at about the same level say nothing new.
    const occurrence = this.reports.occurred(String(Math.floor(Math.log2(this.max / this.rate))));
    if (occurrence === null) return;
    const limit = `${perSecond(this.rate)} (${this.maximum()})`;
    if (occurrence.kind === "lasting") {
      this.log("warning", `still rate limited: the request rate was lowered ${times(occurrence.count)} in ${seconds(occurrence.sinceLoggedMs)}, to ${limit}`);
    } else {
      this.log("warning", `rate limited: the request rate is lowered to ${limit}`);
    }
  }

  /** Whether the rate is back at the maximum. */
  get atMax(): boolean {
    return this.rate >= this.max;
  }

  /** A request was answered, not for its rate. */
  answered(): void {
    if (this.rate >= this.max || ++this.answers < RATE_RAISE_AFTER) return;
    this.answers = 0;
    this.set(Math.min(this.max, this.rate + this.max / RAISE_STEPS));
    if (this.rate < this.max) return;
    const ended = this.reports.ended();
    if (ended === null) return;
    const lasted = `${seconds(ended.lastedMs)} after it was first lowered (lowered ${times(ended.count)})`;
    if (this.origin === "configured") {
      this.log("info", `the request rate is back at maxRequestsPerSecond ${this.max}, ${lasted}`);
    } else {
      this.log("info", `the request rate is back at the ${perSecond(this.max)} measured before the first rate limit, ${lasted}: unlimited again`);
    }
  }

  private maximum(): string {
    return this.origin === "configured" ? `maxRequestsPerSecond ${this.max}` : `measured before the first rate limit: ${perSecond(this.max)}`;
  }

  private set(rate: number): void {
    this.rate = rate;
    this.intervalMs = 1000 / rate;
  }
}

function perSecond(rate: number): string {
  return `${Number(rate.toFixed(2))} requests/s`;
}

function times(n: number): string {
  return n === 1 ? "once" : `${n} times`;
}

/** The rate a transport without maxRequestsPerSecond sends at, over the last RATE_MEASURE_WINDOW_MS. */
export class SentRate {
  /** When each request of the window was sent, oldest first. */
  private readonly times: number[] = [];
  /** The first request since the measure (re)started. */
  private start: number | null = null;

  constructor(private readonly now: () => number) {}

  sent(): void {
    const now = this.now();
    this.start ??= now;
    this.times.push(now);
    this.prune(now);
  }

  /** Requests per second (0 before any was sent). */
  get perSecond(): number {
    const now = this.now();
    this.prune(now);
    if (this.start === null) return 0;
    const span = Math.min(RATE_MEASURE_WINDOW_MS, Math.max(MIN_MEASURE_SPAN_MS, now - this.start));
    return (this.times.length * 1000) / span;
  }

  /** Forgets what was sent so far. */
  restart(): void {
    this.times.length = 0;
    this.start = null;
  }

  private prune(now: number): void {
    while (this.times.length > 0 && this.times[0]! <= now - RATE_MEASURE_WINDOW_MS) this.times.shift();
  }
}
