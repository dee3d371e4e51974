import { ApiClient } from '$lib/services/api';
import { LiveClient, liveUrl, type ConnectionState } from '$lib/services/ws';
import { auth } from './auth.svelte';

/** The one REST client of the console: same origin, with the saved token. */
export const api = new ApiClient({
  getToken: () => auth.token,
  onUnauthorized: (error) =>
    auth.require(
      auth.token
        ? 'The gateway rejected the saved API token. Enter a valid one.'
        : (error.problem.detail ?? 'The gateway needs an API token.'),
    ),
});

class LiveStatus {
  state = $state<ConnectionState>('idle');
  lastError = $state<string | null>(null);
}

/** Connection state of the WebSocket, for the "LIVE / RECONNECTING" indicator. */
export const liveStatus = new LiveStatus();

/** The one WebSocket of the console, shared by every page that follows a session. */
export const live = new LiveClient({
  url: () => liveUrl(window.location, auth.token),
  onStateChange: (state) => {
    liveStatus.state = state;
    if (state === 'open') liveStatus.lastError = null;
  },
  onServerError: (error) => {
    liveStatus.lastError = `${error.code}: ${error.message}`;
    if (error.code === 'unauthorized' || error.code === 'forbidden') {
      auth.require('The live log connection was refused. Enter a valid API token.');
    }
  },
});

/** Saves a new API token and reconnects the live connection with it. */
export function saveToken(token: string): void {
  auth.save(token);
  live.reconnect();
}
