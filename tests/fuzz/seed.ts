/**
 * Seeds and run counts for the fuzz suites. Every run prints its seed and the command that
 * replays it, so a failure seen once (in CI, on another machine) can be reproduced exactly.
 *
 *   FUZZ_SEED=<n>   replay a run (fast-check also prints the seed and the shrunk path)
 *   FUZZ_PATH=<p>   with FUZZ_SEED, jump straight to the counterexample fast-check reported
 *   FUZZ_CASE=<i>   with FUZZ_SEED, send only case i of the REST run (as its failure names it)
 *   FUZZ_SCALE=<k>  multiply the number of cases (e.g. 10 for a long run)
 */
import type { Parameters as FcParameters } from 'fast-check';

export interface FuzzSettings {
  seed: number;
  /** Multiplier of the default case counts. */
  scale: number;
  /** The one REST case to replay (FUZZ_CASE), or null for all. */
  caseIndex: number | null;
  /** fast-check parameters that make a run replayable from its seed (and path). */
  parameters<T>(numRuns: number): FcParameters<T>;
}

function integerFromEnv(name: string, fallback: () => number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback();
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) {
    throw new Error(`${name} must be an integer, got "${raw}"; unset it for a random one.`);
  }
  return value;
}

export function fuzzSettings(suite: string, file: string): FuzzSettings {
  const seed = integerFromEnv('FUZZ_SEED', () => Math.floor(Math.random() * 2 ** 31));
  const scale = integerFromEnv('FUZZ_SCALE', () => 1);
  if (scale < 1) throw new Error(`FUZZ_SCALE must be 1 or more, got ${scale}.`);
  const path = process.env.FUZZ_PATH;
  console.log(
    `[fuzz] ${suite}: seed ${seed}${scale > 1 ? `, scale ${scale}` : ''} ` +
      `(replay: FUZZ_SEED=${seed} npx vitest run --project system ${file})`,
  );
  const caseIndex = process.env.FUZZ_CASE ? integerFromEnv('FUZZ_CASE', () => 0) : null;
  return {
    seed,
    scale,
    caseIndex,
    parameters: (numRuns) => ({
      seed,
      numRuns: numRuns * scale,
      ...(path ? { path } : {}),
      // No shrinking: the cases run against a live, stateful system (a deleted agent stays
      // deleted), so replays rarely fail the same way, and each costs real requests. A
      // failure names its request in full instead; the seed replays the run.
      endOnFailure: true,
    }),
  };
}
