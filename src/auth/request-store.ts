import { timingSafeEqual } from 'node:crypto';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { Db } from '../db/knex.js';

/** How long a user may take at the IdP between our AuthnRequest and its response. */
export const AUTHN_REQUEST_LIFETIME_MS = 15 * 60_000;

/**
 * node-saml's InResponseTo store, in PostgreSQL instead of process memory: a login started on one
 * instance can finish on another. node-saml saves the request ID with its IssueInstant, looks it
 * up when the response arrives and removes it afterwards (so an ID is usable once). A store made with
 * `boundTo` also records the browser the request was issued to (src/auth/browser-binding.ts).
 */
export class PgRequestStore implements CacheProvider {
  constructor(
    private readonly db: Db,
    private readonly lifetimeMs = AUTHN_REQUEST_LIFETIME_MS,
    private readonly browserHash: string | null = null,
  ) {}

  /** The same store, recording `browserHash` with each request it saves. */
  boundTo(browserHash: string): PgRequestStore {
    return new PgRequestStore(this.db, this.lifetimeMs, browserHash);
  }

  /** Whether the pending request `id` was issued to the browser with this hash (null: a browser without one). */
  async issuedTo(id: string, browserHash: string | null): Promise<'unknown' | 'this_browser' | 'other_browser'> {
    const row = await this.db('saml_request')
      .where({ id })
      .andWhere('expires_at', '>', new Date())
      .first('browser_hash');
    if (!row) return 'unknown';
    if (!row.browser_hash || !browserHash) return 'other_browser';
    const stored = Buffer.from(String(row.browser_hash));
    const given = Buffer.from(browserHash);
    return stored.length === given.length && timingSafeEqual(stored, given) ? 'this_browser' : 'other_browser';
  }

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const createdAt = new Date(value);
    const now = Date.now();
    await this.purgeExpired();
    const rows = await this.db('saml_request')
      .insert({
        id: key,
        created_at: Number.isNaN(createdAt.getTime()) ? new Date(now) : createdAt,
        expires_at: new Date(now + this.lifetimeMs),
        browser_hash: this.browserHash,
      })
      .onConflict('id')
      .ignore()
      .returning('id');
    return rows.length ? { value, createdAt: now } : null;
  }

  async getAsync(key: string): Promise<string | null> {
    const row = await this.db('saml_request')
      .where({ id: key })
      .andWhere('expires_at', '>', new Date())
      .first('created_at');
    return row ? new Date(row.created_at as Date).toISOString() : null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (!key) return null;
    const rows = await this.db('saml_request').where({ id: key }).delete().returning('created_at');
    return rows.length ? new Date(rows[0].created_at as Date).toISOString() : null;
  }

  async purgeExpired(): Promise<void> {
    await this.db('saml_request').where('expires_at', '<=', new Date()).delete();
  }
}

/** Each assertion ID is accepted once; it is remembered until the assertion would have expired anyway. */
export async function claimAssertionId(db: Db, id: string, expiresAt: Date): Promise<boolean> {
  await db('saml_assertion').where('expires_at', '<=', new Date()).delete();
  const rows = await db('saml_assertion')
    .insert({ id, expires_at: expiresAt })
    .onConflict('id')
    .ignore()
    .returning('id');
  return rows.length === 1;
}
