/**
 * Secrets (API keys read from the worker's environment) must never reach a log line, a step
 * result, an error message or workflow history. Adapters never print them on purpose; this is
 * the net under that: every line and message of a step passes through the step's redactor.
 */
export const REDACTED = '[redacted]';

/** Shorter values are not treated as secrets: replacing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 8;

export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly string[]): Redactor {
  const values = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))]
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((result, secret) => result.split(secret).join(REDACTED), text);
}
