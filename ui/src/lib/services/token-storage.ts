/** Where the console keeps the API token between visits. */
export const TOKEN_KEY = 'orchestrator.apiToken';

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function defaultStorage(): StorageLike | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Storage can be disabled (private mode, sandboxed iframes): the token then lasts a page view.
    return null;
  }
}

export function readToken(storage: StorageLike | null = defaultStorage()): string | null {
  try {
    const token = storage?.getItem(TOKEN_KEY) ?? null;
    return token && token.trim() !== '' ? token : null;
  } catch {
    return null;
  }
}

export function writeToken(token: string | null, storage = defaultStorage()): void {
  try {
    if (token) storage?.setItem(TOKEN_KEY, token);
    else storage?.removeItem(TOKEN_KEY);
  } catch {
    // Not persisted; the in-memory token still works for this page view.
  }
}
