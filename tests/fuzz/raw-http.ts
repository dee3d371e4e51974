/**
 * Sends a request exactly as written (fetch would normalise `..` in paths and refuse some
 * methods and headers), over a keep-alive connection, with a deadline: a request the gateway
 * never answers is a finding ("hung socket"), not a stuck test.
 */
import { Agent, request } from 'node:http';

export interface RawRequest {
  method: string;
  /** Path and query as they go on the request line. */
  target: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export class HungRequestError extends Error {}

export function createRawClient(baseUrl: string, timeoutMs = 15_000) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return {
    send(raw: RawRequest): Promise<RawResponse> {
      return new Promise((resolve, reject) => {
        const req = request({
          agent,
          host: url.hostname,
          port: url.port,
          method: raw.method,
          path: raw.target,
          headers: {
            ...raw.headers,
            ...(raw.body ? { 'content-length': String(raw.body.length) } : {}),
          },
        });
        const timer = setTimeout(() => {
          req.destroy(
            new HungRequestError(
              `no answer to ${raw.method} ${raw.target.slice(0, 200)} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        });
        req.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        req.end(raw.body ?? undefined);
      });
    },
    close(): void {
      agent.destroy();
    },
  };
}
