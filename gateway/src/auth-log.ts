/**
 * What the request log may say about a request: everything pino's standard serializer keeps,
 * but never a credential. Access logs are read by more people and kept longer than tokens live.
 */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
export const REDACTED_CREDENTIAL = '[redacted]';

interface SerializedRequest {
  url?: string;
  headers?: Record<string, unknown>;
  [key: string]: unknown;
}

/** For pino-http's `serializers.req` (it receives the standard serializer's output). */
export function requestLogSerializer(req: SerializedRequest): SerializedRequest {
  const headers = { ...req.headers };
  for (const name of CREDENTIAL_HEADERS) {
    if (headers[name] !== undefined) headers[name] = REDACTED_CREDENTIAL;
  }
  const url =
    typeof req.url === 'string'
      ? req.url.replace(/([?&]token=)[^&#]*/gi, `$1${REDACTED_CREDENTIAL}`)
      : req.url;
  return { ...req, headers, ...(url === undefined ? {} : { url }) };
}
