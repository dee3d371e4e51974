import { describe, expect, it, vi } from 'vitest';
import { LatestRequest, pollWhileVisible } from './latest-request';

describe('LatestRequest', () => {
  it('lets only the newest of overlapping requests count and aborts the older', async () => {
    const latest = new LatestRequest();
    let firstSignal: AbortSignal | undefined;
    let release: (value: string) => void = () => {};
    const first = latest.run(
      (signal) =>
        new Promise<string>((resolve) => {
          firstSignal = signal;
          release = resolve;
        }),
    );
    expect(latest.inFlight).toBe(true);
    const second = await latest.run(async () => 'new');
    release('old');
    expect(await first).toEqual({ status: 'superseded' });
    expect(firstSignal?.aborted).toBe(true);
    expect(second).toEqual({ status: 'done', value: 'new' });
    expect(latest.inFlight).toBe(false);
  });

  it('reports a failure of the newest request, and nothing after abort()', async () => {
    const latest = new LatestRequest();
    const boom = new Error('boom');
    expect(await latest.run(async () => Promise.reject(boom))).toEqual({
      status: 'failed',
      error: boom,
    });
    const pending = latest.run(() => new Promise(() => {}));
    latest.abort();
    expect(await Promise.race([pending, Promise.resolve('still pending')])).toBe('still pending');
    expect(latest.inFlight).toBe(false);
  });
});

describe('pollWhileVisible', () => {
  it('ticks at once and on every interval until stopped', async () => {
    vi.useFakeTimers();
    try {
      const tick = vi.fn();
      const stop = pollWhileVisible(tick, 1000);
      expect(tick).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(3000);
      expect(tick).toHaveBeenCalledTimes(4);
      stop();
      await vi.advanceTimersByTimeAsync(3000);
      expect(tick).toHaveBeenCalledTimes(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
