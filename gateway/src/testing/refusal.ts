import { expect } from 'vitest';
import { HttpProblem } from '../problem.js';

/** The problem a call was refused with; fails the test if it went through or threw otherwise. */
export async function refusal(promise: Promise<unknown>): Promise<HttpProblem> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HttpProblem);
  return error as HttpProblem;
}
