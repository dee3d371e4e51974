/**
 * Log entry ids have the Redis stream id form `<ms>-<seq>`. Both bus implementations and the
 * archive order entries by them, and clients resume from them, so they are compared as numbers
 * (never as strings: "10-0" sorts before "9-0" lexically).
 */

const ENTRY_ID = /^(\d+)-(\d+)$/;

export interface EntryIdParts {
  ms: number;
  seq: number;
}

export function isEntryId(value: string): boolean {
  const match = ENTRY_ID.exec(value);
  return (
    match !== null &&
    Number.isSafeInteger(Number(match[1])) &&
    Number.isSafeInteger(Number(match[2]))
  );
}

/** Splits an id into its numbers; throws with the expected form when it is not an id. */
export function parseEntryId(id: string): EntryIdParts {
  const match = ENTRY_ID.exec(id);
  const ms = Number(match?.[1]);
  const seq = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) {
    throw new TypeError(`Invalid log entry id "${id}": expected "<milliseconds>-<sequence>"`);
  }
  return { ms, seq };
}

export function formatEntryId(parts: EntryIdParts): string {
  return `${parts.ms}-${parts.seq}`;
}

/** Orders two ids like Array.prototype.sort expects: negative when `a` comes first. */
export function compareEntryIds(a: string, b: string): number {
  return compareEntryIdParts(parseEntryId(a), parseEntryId(b));
}

export function compareEntryIdParts(a: EntryIdParts, b: EntryIdParts): number {
  return a.ms === b.ms ? a.seq - b.seq : a.ms - b.ms;
}
