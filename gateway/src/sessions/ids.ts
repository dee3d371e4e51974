import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Short, URL- and Temporal-friendly session ids (10 chars of base36, ~51 bits). */
export function newSessionId(): string {
  const bytes = randomBytes(10);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  // A leading letter keeps ids from looking like numbers in logs and URLs.
  return /^[a-z]/.test(id) ? id : `s${id.slice(1)}`;
}

export function sessionIdFromWorkflowId(workflowId: string): string {
  return workflowId.replace(/^session-/, '');
}
