/**
 * API tokens for the gateway. The plaintext is shown once, at creation; the database keeps
 * only its sha256, so a leaked backup or a read-only SQL session cannot be replayed against
 * the API. Tokens are random (256 bits), so a fast unsalted hash is enough; a password hash
 * would only slow every request down. Each token has one role (what the gateway lets it do).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ApiTokenRow, Database } from './schema.js';

export const API_TOKEN_PREFIX = 'io_';
const LAST_USED_RESOLUTION_MS = 60_000;

/** What a token may do, from least to most; the gateway's route table says what each allows. */
export const API_TOKEN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type ApiTokenRole = (typeof API_TOKEN_ROLES)[number];

export function isApiTokenRole(value: unknown): value is ApiTokenRole {
  return (API_TOKEN_ROLES as readonly unknown[]).includes(value);
}

export interface ApiToken {
  id: string;
  name: string;
  role: ApiTokenRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedApiToken extends ApiToken {
  /** The plaintext token: returned here once, never stored. */
  token: string;
}

export interface ApiTokenStore {
  create(name: string, role: ApiTokenRole): Promise<CreatedApiToken>;
  /** The token's record when it is valid (and marks it used), else null. */
  verify(plaintext: string): Promise<ApiToken | null>;
  /** One token by id (revoked ones too), or null. */
  get(id: string): Promise<ApiToken | null>;
  /** Every token, live and revoked, newest first: never the secret, which is not stored. */
  list(): Promise<ApiToken[]>;
  /** Revokes a token by id; returns whether a live token was revoked. */
  revoke(id: string): Promise<boolean>;
  /** Number of tokens that are not revoked (of one role, if given). */
  count(role?: ApiTokenRole): Promise<number>;
}

export function hashApiToken(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

export function createApiTokenStore(db: Kysely<Database>): ApiTokenStore {
  return {
    async create(name, role) {
      if (!isApiTokenRole(role)) {
        throw new Error(
          `Unknown API token role "${String(role)}": expected one of ${API_TOKEN_ROLES.join(', ')}`,
        );
      }
      const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const row = await db
        .insertInto('api_tokens')
        .values({ id: randomUUID(), name, role, token_hash: hashApiToken(token) })
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

    async get(id) {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? toApiToken(row) : null;
    },

    async list() {
      const rows = await db
        .selectFrom('api_tokens')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toApiToken);
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

    async count(role) {
      let query = db
        .selectFrom('api_tokens')
        // count(*) is bigint: pg returns a string, PGlite a number; an int is a number on both.
        .select(sql<number>`count(*)::int`.as('count'))
        .where('revoked_at', 'is', null);
      if (role) query = query.where('role', '=', role);
      const row = await query.executeTakeFirstOrThrow();
      return row.count;
    },
  };
}

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
