/**
 * The chaos run's HTTP client for the gateway: every call it makes is recorded with its time
 * span and status (or no status, when the connection failed), for the 5xx check.
 */
import type { ApiCall } from './checks.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export class RecordingApi {
  readonly calls: ApiCall[] = [];

  constructor(private readonly baseUrl: string) {}

  /** The answer, or null when no HTTP response came (the gateway is down). */
  async request(method: string, path: string, json?: unknown): Promise<ApiAnswer | null> {
    const startedAt = Date.now();
    const record = (status: number | null) =>
      this.calls.push({ method, path, startedAt, endedAt: Date.now(), status });
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        signal: AbortSignal.timeout(30_000),
        ...(json === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
      });
      const text = await response.text();
      record(response.status);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON (e.g. /metrics): keep the text.
      }
      return { status: response.status, body };
    } catch {
      record(null);
      return null;
    }
  }

  /**
   * Repeats the call until the gateway answers below 500 (it may be down or restarting);
   * throws after `timeoutMs` with the last answer.
   */
  async until(
    method: string,
    path: string,
    json?: unknown,
    timeoutMs = 120_000,
  ): Promise<ApiAnswer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await this.request(method, path, json);
      if (answer && answer.status < 500) return answer;
      if (Date.now() > deadline) {
        throw new Error(
          `${method} ${path} got no answer below 500 within ${timeoutMs / 1000} s; last: ` +
            (answer
              ? `${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`
              : 'no connection'),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}
