/**
 * Runs `total` jobs with at most `concurrency` in flight: the shape of "N sessions with K in
 * flight". The first failure stops new jobs and is rethrown once the running ones settle.
 */
export async function runPool<T>(
  total: number,
  concurrency: number,
  job: (index: number) => Promise<T>,
  onDone?: (done: number) => void,
): Promise<T[]> {
  const results: T[] = new Array<T>(total);
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (!failure && next < total) {
      const index = next++;
      try {
        results[index] = await job(index);
        done += 1;
        onDone?.(done);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
