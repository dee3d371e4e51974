/**
 * API tokens for the gateway. The plaintext is shown once, at creation; the database keeps
 * only its sha256, so a leaked backup or a read-only SQL session cannot be replayed against
 * the API. Tokens are random (256 bits), so a fast unsalted hash is enough; a password hash
 * would only slow every request down.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export const API_TOKEN_PREFIX = 'io_';
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiToken {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedApiToken extends ApiToken {
  /** The plaintext token: returned here once, never stored. */
  token: string;
}

export interface ApiTokenStore {
  create(name: string): Promise<CreatedApiToken>;
  /** The token's record when it is valid (and marks it used), else null. */
  verify(plaintext: string): Promise<ApiToken | null>;
  /** Revokes a token by id; returns whether a live token was revoked. */
  revoke(id: string): Promise<boolean>;
  /** Number of tokens that are not revoked. */
  count(): Promise<number>;
}

export function hashApiToken(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

export function createApiTokenStore(db: Kysely<Database>): ApiTokenStore {
  return {
    async create(name) {
      const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const row = await db
        .insertInto('api_tokens')
        .values({ id: randomUUID(), name, token_hash: hashApiToken(token) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { ...toApiToken(row), token };
    },

    async verify(plaintext) {
      if (!plaintext.startsWith(API_TOKEN_PREFIX)) return null;
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('token_hash', '=', hashApiToken(plaintext))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (!row) return null;
      // Every request verifies: write last_used_at at most once a minute, not once a request.
      const lastUsed = row.last_used_at?.getTime() ?? 0;
      if (Date.now() - lastUsed < LAST_USED_RESOLUTION_MS) return toApiToken(row);
      const updated = await db
        .updateTable('api_tokens')
        .set({ last_used_at: sql<Date>`now()` })
        .where('id', '=', row.id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return updated ? toApiToken(updated) : null;
    },

    async revoke(id) {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: sql<Date>`now()` })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async count() {
      const row = await db
        .selectFrom('api_tokens')
        // count(*) is bigint: pg returns a string, PGlite a number; an int is a number on both.
        .select(sql<number>`count(*)::int`.as('count'))
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return row.count;
    },
  };
}

function toApiToken(row: {
  id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiToken {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
