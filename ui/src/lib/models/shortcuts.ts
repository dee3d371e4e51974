/**
 * The console's keyboard shortcuts: one table for the handler and the help list. Pages opt in by
 * marking elements with `data-shortcut="<target>"`; a shortcut then focuses or clicks the first
 * visible one, so no page registers handlers of its own.
 */

export type ShortcutAction =
  | { type: 'go'; path: '/' | '/sessions' | '/tasks' | '/agents' }
  /** Focus a field, click anything else (a button, a link). */
  | { type: 'activate'; target: string }
  | { type: 'help' };

export interface Shortcut {
  /** Keys pressed one after the other, space-separated ("g s"). */
  keys: string;
  description: string;
  action: ShortcutAction;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'g o', description: 'Go to the overview', action: { type: 'go', path: '/' } },
  { keys: 'g s', description: 'Go to sessions', action: { type: 'go', path: '/sessions' } },
  { keys: 'g t', description: 'Go to task trees', action: { type: 'go', path: '/tasks' } },
  { keys: 'g a', description: 'Go to agents', action: { type: 'go', path: '/agents' } },
  {
    keys: '/',
    description: 'Search (sessions, log)',
    action: { type: 'activate', target: 'search' },
  },
  {
    keys: 'n',
    description: 'New session / new agent',
    action: { type: 'activate', target: 'new' },
  },
  { keys: '[', description: 'Previous page', action: { type: 'activate', target: 'prev' } },
  { keys: ']', description: 'Next page', action: { type: 'activate', target: 'next' } },
  {
    keys: 'f',
    description: 'Follow the log on / off',
    action: { type: 'activate', target: 'follow' },
  },
  { keys: '?', description: 'Show these shortcuts', action: { type: 'help' } },
];

/**
 * Matches key presses against multi-key shortcuts. A press that continues a shortcut's prefix
 * waits for the next key (up to `timeoutMs`); anything else starts over.
 */
export class KeySequence {
  readonly #shortcuts: readonly Shortcut[];
  readonly #timeoutMs: number;
  #pending: string[] = [];
  #lastAt = 0;

  constructor(shortcuts: readonly Shortcut[] = SHORTCUTS, timeoutMs = 1200) {
    this.#shortcuts = shortcuts;
    this.#timeoutMs = timeoutMs;
  }

  /** The shortcut this key completes, or null (waiting for more, or no match). */
  press(key: string, at: number): Shortcut | null {
    if (at - this.#lastAt > this.#timeoutMs) this.#pending = [];
    this.#lastAt = at;
    for (const candidate of [[...this.#pending, key], [key]]) {
      const typed = candidate.join(' ');
      const done = this.#shortcuts.find((shortcut) => shortcut.keys === typed);
      if (done) {
        this.#pending = [];
        return done;
      }
      if (this.#shortcuts.some((shortcut) => shortcut.keys.startsWith(`${typed} `))) {
        this.#pending = candidate;
        return null;
      }
    }
    this.#pending = [];
    return null;
  }
}

/** Keys typed into a field belong to the field, not to the shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof target !== 'object' || target === null || !('tagName' in target)) return false;
  const element = target as { tagName: string; isContentEditable?: boolean; type?: string };
  if (element.isContentEditable) return true;
  const tag = element.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(element.type ?? 'text');
}
