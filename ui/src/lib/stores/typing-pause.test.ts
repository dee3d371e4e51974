import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingPause } from './typing-pause';

describe('TypingPause', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires once, the pause after the last key', () => {
    const fire = vi.fn();
    const pause = new TypingPause(300, fire);
    pause.later();
    vi.advanceTimersByTime(200);
    pause.later();
    vi.advanceTimersByTime(299);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('does not fire once cancelled (the change was applied another way)', () => {
    const fire = vi.fn();
    const pause = new TypingPause(300, fire);
    pause.later();
    pause.cancel();
    vi.advanceTimersByTime(1000);
    expect(fire).not.toHaveBeenCalled();
  });
});
