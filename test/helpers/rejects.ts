import { expect } from "chai";

/** Asserts that `promise` rejects with an Error (of `type`, if given) whose message matches `message`. */
export async function expectRejection(
  promise: Promise<unknown>,
  message: RegExp,
  type: new (...args: never[]) => Error = Error,
): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected a rejection").to.be.instanceOf(type);
  expect((caught as Error).message).to.match(message);
}
