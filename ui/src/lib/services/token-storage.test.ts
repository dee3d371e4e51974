import { describe, expect, it } from 'vitest';
import { TOKEN_KEY, readToken, writeToken } from './token-storage';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: (key: string, value: string) => void data.set(key, value),
    removeItem: (key: string) => void data.delete(key),
  };
}

describe('token storage', () => {
  it('round-trips the token and removes it', () => {
    const storage = memoryStorage();
    expect(readToken(storage)).toBeNull();
    writeToken('abc', storage);
    expect(storage.data.get(TOKEN_KEY)).toBe('abc');
    expect(readToken(storage)).toBe('abc');
    writeToken(null, storage);
    expect(readToken(storage)).toBeNull();
  });

  it('treats a blank value and a throwing storage as no token', () => {
    const storage = memoryStorage();
    storage.data.set(TOKEN_KEY, '  ');
    expect(readToken(storage)).toBeNull();
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {},
    };
    expect(readToken(broken)).toBeNull();
    expect(() => writeToken('x', broken)).not.toThrow();
    expect(readToken(null)).toBeNull();
  });
});
