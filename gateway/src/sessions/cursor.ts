/**
 * Opaque list cursors: Temporal's page token plus the filter it was issued for, so a cursor
 * replayed with another filter is refused as a 400 instead of confusing visibility.
 */
interface CursorContent {
  /** The filter the page was listed with (list-query.ts filterKey, '' for none). */
  s: string;
  /** Temporal's nextPageToken, base64. */
  t: string;
}

export function encodeCursor(filter: string, token: Uint8Array): string {
  const content: CursorContent = { s: filter, t: Buffer.from(token).toString('base64') };
  return Buffer.from(JSON.stringify(content)).toString('base64url');
}

/** The page token, or null when the cursor is not one this gateway issued for this filter. */
export function decodeCursor(cursor: string, filter: string): Uint8Array | null {
  try {
    const content = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as Partial<CursorContent>;
    if (typeof content.s !== 'string' || typeof content.t !== 'string') return null;
    if (content.s !== filter) return null;
    const token = Buffer.from(content.t, 'base64');
    return token.length > 0 ? token : null;
  } catch {
    return null;
  }
}
