import { readToken, writeToken } from '$lib/services/token-storage';

/**
 * The API token and whether the console must ask for one. Any 401 from the gateway sets
 * `needed`; saving a token bumps `version`, which the data stores watch to load again.
 */
class AuthState {
  token = $state<string | null>(readToken());
  needed = $state(false);
  /** Why the prompt is shown ("The gateway rejected the saved token", …). */
  reason = $state<string | null>(null);
  version = $state(0);

  require(reason: string): void {
    this.reason = reason;
    this.needed = true;
  }

  save(token: string): void {
    const value = token.trim();
    this.token = value === '' ? null : value;
    writeToken(this.token);
    this.needed = false;
    this.reason = null;
    this.version += 1;
  }

  forget(): void {
    this.token = null;
    writeToken(null);
  }
}

export const auth = new AuthState();
