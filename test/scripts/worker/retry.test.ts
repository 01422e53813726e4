import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  HttpStatusError,
  RetryExhaustedError,
  RetryPolicy,
  backoffDelayMs,
  deadlineSignal,
  isTransientError,
  raceAbort,
  withRetry,
} from "../../../scripts/worker/retry";

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
    it("treats 5xx, 408 and 429 as transient and other 4xx as permanent", () => {
      expect([500, 503, 408, 429].map((status) => isTransientError(new HttpStatusError("u", status)))).to.deep.equal([
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

describe("deadline signal", () => {
  it("does not fire early for a deadline beyond setTimeout's 24.8-day range", async () => {
    const deadline = deadlineSignal(30 * 24 * 3600 * 1000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(deadline.signal.aborted).to.equal(false);
    deadline.clear();
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
