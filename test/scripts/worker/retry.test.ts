import { expect } from "chai";
import { makeError } from "ethers";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  HttpStatusError,
  RetryExhaustedError,
  RetryPolicy,
  backoffDelayMs,
  briefError,
  deadlineSignal,
  isTransientError,
  raceAbort,
  withRetry,
  type TimerClock,
} from "../../../scripts/worker/retry";
import { MAX_TIMER_MS } from "../../../subgraph/indexer/option-rules";

const FAST: RetryPolicy = { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 5, multiplier: 2, jitter: 0.5 };

/** A server on an ephemeral port that answers `failStatus` to the first `failures` requests, then 200. */
async function flakyServer(
  failures: number,
  failStatus: number,
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((_request, response) => {
    requests += 1;
    response.statusCode = requests <= failures ? failStatus : 200;
    response.end(requests <= failures ? "try later" : "ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function getText(url: string): Promise<string> {
  const response = await fetch(url);
  if (!response.ok) throw new HttpStatusError(url, response.status);
  return response.text();
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: Error) => error,
  );
}

describe("retry", () => {
  describe("against a flaky local server", () => {
    it("succeeds once a server failing with 503 recovers", async () => {
      const server = await flakyServer(3, 503);
      try {
        expect(await withRetry(() => getText(server.url), { policy: FAST })).to.equal("ok");
        expect(server.requests()).to.equal(4);
      } finally {
        await server.close();
      }
    });

    it("does not retry a 400", async () => {
      const server = await flakyServer(1, 400);
      try {
        const error = await rejection(withRetry(() => getText(server.url), { policy: FAST }));
        expect(error).to.be.instanceOf(HttpStatusError).and.to.include({ status: 400 });
        expect(server.requests()).to.equal(1);
      } finally {
        await server.close();
      }
    });

    it("gives up after maxAttempts, keeping the last error", async () => {
      const server = await flakyServer(100, 502);
      try {
        const error = await rejection(withRetry(() => getText(server.url), { policy: { ...FAST, maxAttempts: 3 } }));
        expect(error).to.be.instanceOf(RetryExhaustedError).and.to.include({ attempts: 3 });
        expect((error as RetryExhaustedError).lastError).to.be.instanceOf(HttpStatusError);
        expect(server.requests()).to.equal(3);
      } finally {
        await server.close();
      }
    });

    it("retries a refused connection", async () => {
      const server = await flakyServer(0, 200);
      const url = server.url;
      await server.close();
      let attempts = 0;
      const error = await rejection(
        withRetry(
          () => {
            attempts += 1;
            return getText(url);
          },
          { policy: { ...FAST, maxAttempts: 2 } },
        ),
      );
      expect(error).to.be.instanceOf(RetryExhaustedError);
      expect(attempts).to.equal(2);
    });

    it("stops waiting as soon as it is aborted", async () => {
      const server = await flakyServer(100, 503);
      const controller = new AbortController();
      try {
        const slow: RetryPolicy = { ...FAST, initialDelayMs: 60_000, maxDelayMs: 60_000 };
        const error = await rejection(
          withRetry(() => getText(server.url), {
            policy: slow,
            signal: controller.signal,
            onRetry: () => controller.abort(),
          }),
        );
        expect(error.name).to.equal("AbortError");
        expect(server.requests()).to.equal(1);
      } finally {
        await server.close();
      }
    });
  });

  describe("classification", () => {
    it("treats 5xx, 408, 425 and 429 as transient and other 4xx as permanent", () => {
      expect([500, 503, 408, 425, 429].map((status) => isTransientError(new HttpStatusError("u", status)))).to.deep.equal([
        true,
        true,
        true,
        true,
        true,
      ]);
      expect([400, 401, 404, 409].map((status) => isTransientError(new HttpStatusError("u", status)))).to.deep.equal([
        false,
        false,
        false,
        false,
      ]);
    });

    it("treats ethers network errors and timeouts as transient", () => {
      expect(isTransientError(Object.assign(new Error("network"), { code: "NETWORK_ERROR" }))).to.equal(true);
      expect(isTransientError(Object.assign(new Error("timeout"), { code: "TIMEOUT" }))).to.equal(true);
    });

    it("treats a revert as permanent", () => {
      expect(isTransientError(Object.assign(new Error("execution reverted"), { code: "CALL_EXCEPTION" }))).to.equal(
        false,
      );
    });

    it("classifies an ethers SERVER_ERROR by the HTTP status it carries", () => {
      const serverError = (statusCode: number) =>
        Object.assign(new Error("server response"), { code: "SERVER_ERROR", response: { statusCode } });
      expect(isTransientError(serverError(502))).to.equal(true);
      expect(isTransientError(serverError(403))).to.equal(false);
    });

    it("treats a socket error wrapped as the cause of fetch's TypeError as transient", () => {
      const socketError = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      expect(isTransientError(new TypeError("fetch failed", { cause: socketError }))).to.equal(true);
    });
  });

  describe("backoff", () => {
    const policy: RetryPolicy = { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2 };

    it("doubles the delay each retry up to the cap", () => {
      expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(policy, retry, 0))).to.deep.equal([
        100, 200, 400, 800, 1000, 1000,
      ]);
    });

    it("shortens a delay by at most the jitter fraction", () => {
      expect(backoffDelayMs(policy, 3, 0.999999)).to.equal(320);
      expect(backoffDelayMs(policy, 3, 0.5)).to.equal(360);
    });
  });
});

/**
 * A clock the test moves by hand. Its timers behave as Node's do: a delay above MAX_TIMER_MS is run after 1 ms (Node
 * warns with TimeoutOverflowWarning and does so), which is what a month-long deadline must not fall into.
 */
class ManualClock implements TimerClock {
  private time = 0;
  private timers: { due: number; callback: () => void }[] = [];
  /** How many timers have run: each is a wake-up of the process. */
  fired = 0;

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer = { due: this.time + (ms > MAX_TIMER_MS ? 1 : ms), callback };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((other) => other !== timer));
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves the time on to `time`, running each timer that falls due on the way, at its due time. */
  advanceTo(time: number): void {
    for (;;) {
      const next = this.timers.filter((timer) => timer.due <= time).sort((a, b) => a.due - b.due)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.time = next.due;
      this.fired += 1;
      if (this.fired > 1000) throw new Error("more than 1000 timers ran: a timer loop");
      next.callback();
    }
    this.time = time;
  }
}

describe("RetryExhaustedError", () => {
  it("names an ethers error by its short message and code, without the signed transaction it carries", () => {
    const signed = `0x02f8${"ab".repeat(120)}`;
    const cause = makeError("could not coalesce error", "UNKNOWN_ERROR", { error: { code: -32000, message: "oops" }, payload: { method: "eth_sendRawTransaction", params: [signed] } });
    expect(cause.message).to.contain(signed);
    const error = new RetryExhaustedError(5, cause);
    expect(error.message).to.equal("gave up after 5 attempts: could not coalesce error: oops (UNKNOWN_ERROR)");
    expect(error.cause).to.equal(cause);
  });
});

describe("briefError", () => {
  it("gives what the node said after ethers' short message, which alone says nothing of an uncoalesced error", () => {
    const said = "Nonce too high. Expected nonce to be 3 but got 4. Note that transactions can't be queued when automining.";
    const error = makeError("could not coalesce error", "UNKNOWN_ERROR", { error: { code: -32000, message: said }, payload: { params: ["0x02f8"] } });
    expect(briefError(error)).to.equal(`could not coalesce error: ${said} (UNKNOWN_ERROR)`);
  });

  it("gives the cause of fetch's bare `fetch failed`, which names the host and what failed", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4000"), { code: "ECONNREFUSED" });
    expect(briefError(new TypeError("fetch failed", { cause }))).to.equal("fetch failed: connect ECONNREFUSED 127.0.0.1:4000");
  });

  it("cuts what the node said to 200 characters", () => {
    const error = makeError("could not coalesce error", "UNKNOWN_ERROR", { error: { code: -32000, message: "x".repeat(500) } });
    expect(briefError(error)).to.equal(`could not coalesce error: ${"x".repeat(200)}… (UNKNOWN_ERROR)`);
  });
});

describe("deadline signal", () => {
  it("does not fire early for a deadline beyond setTimeout's 24.8-day range, and fires once it passes", () => {
    const clock = new ManualClock();
    const monthMs = 30 * 24 * 3600 * 1000;
    const deadline = deadlineSignal(monthMs, clock);
    clock.advanceTo(monthMs - 1);
    expect(deadline.signal.aborted).to.equal(false);
    clock.advanceTo(monthMs);
    expect(deadline.signal.aborted).to.equal(true);
  });

  it("waits out a month-long deadline in setTimeout-sized steps, not in a loop of 1 ms timers", () => {
    const clock = new ManualClock();
    const monthMs = 30 * 24 * 3600 * 1000;
    deadlineSignal(monthMs, clock);
    clock.advanceTo(monthMs);
    expect(clock.fired).to.equal(Math.ceil(monthMs / MAX_TIMER_MS));
  });

  it("fires no timer once cleared", () => {
    const clock = new ManualClock();
    const deadline = deadlineSignal(MAX_TIMER_MS * 2, clock);
    deadline.clear();
    clock.advanceTo(MAX_TIMER_MS * 3);
    expect(deadline.signal.aborted).to.equal(false);
    expect(clock.pending).to.equal(0);
  });

  it("aborts with a TimeoutError once the deadline passes", async () => {
    const deadline = deadlineSignal(5);
    await new Promise((resolve) => deadline.signal.addEventListener("abort", resolve, { once: true }));
    expect((deadline.signal.reason as Error).name).to.equal("TimeoutError");
  });
});

describe("raceAbort", () => {
  it("resolves with the promise's value when the signal stays quiet", async () => {
    expect(await raceAbort(Promise.resolve(7), new AbortController().signal)).to.equal(7);
  });

  it("resolves undefined as soon as the signal aborts, without waiting for the promise", async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => undefined);
    const raced = raceAbort(never, controller.signal);
    controller.abort();
    expect(await raced).to.equal(undefined);
  });

  it("resolves undefined at once for a signal that has already aborted", async () => {
    expect(await raceAbort(Promise.resolve(7), AbortSignal.abort())).to.equal(undefined);
  });

  it("rejects with the promise's error", async () => {
    const failure = new Error("feed closed");
    const outcome = await raceAbort(Promise.reject(failure), new AbortController().signal).then(
      () => "resolved",
      (error: unknown) => error,
    );
    expect(outcome).to.equal(failure);
  });
});
