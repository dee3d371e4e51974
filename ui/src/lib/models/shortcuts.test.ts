import { describe, expect, it } from 'vitest';
import { KeySequence, SHORTCUTS, isTypingTarget } from './shortcuts';

describe('keyboard shortcuts', () => {
  it('completes two-key sequences pressed in time and single keys at once', () => {
    const keys = new KeySequence(SHORTCUTS, 1000);
    expect(keys.press('g', 0)).toBeNull();
    expect(keys.press('s', 500)?.action).toEqual({ type: 'go', path: '/sessions' });
    expect(keys.press('/', 600)?.action).toEqual({ type: 'activate', target: 'search' });
    expect(keys.press('?', 700)?.action).toEqual({ type: 'help' });
  });

  it('forgets a prefix after the timeout or a key that continues nothing', () => {
    const keys = new KeySequence(SHORTCUTS, 1000);
    expect(keys.press('g', 0)).toBeNull();
    expect(keys.press('a', 5000)).toBeNull();
    expect(keys.press('g', 6000)).toBeNull();
    expect(keys.press('x', 6100)).toBeNull();
    expect(keys.press('a', 6200)).toBeNull();
    // A single-key shortcut after a dangling prefix still works.
    expect(keys.press('g', 7000)).toBeNull();
    expect(keys.press(']', 7100)?.action).toEqual({ type: 'activate', target: 'next' });
  });

  it('has one entry per key sequence', () => {
    const all = SHORTCUTS.map((shortcut) => shortcut.keys);
    expect(new Set(all).size).toBe(all.length);
  });

  it('leaves keys typed into fields alone', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'text' } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: 'input', type: 'search' } as unknown as EventTarget)).toBe(
      true,
    );
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' } as unknown as EventTarget)).toBe(
      false,
    );
    expect(isTypingTarget({ tagName: 'TEXTAREA' } as unknown as EventTarget)).toBe(true);
    expect(
      isTypingTarget({ tagName: 'DIV', isContentEditable: true } as unknown as EventTarget),
    ).toBe(true);
    expect(isTypingTarget({ tagName: 'BUTTON' } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
