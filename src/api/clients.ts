import { randomBytes } from 'node:crypto';
import type { Db } from '../db/knex.js';
import { sha256Hex } from '../decisions/service.js';

/** What a back-office client may do: read dossiers, and decide on them. */
export const API_SCOPES = ['read', 'decide'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiClient {
  id: number;
  name: string;
  scopes: ApiScope[];
}

/** A refused command (the CLI prints the message and exits 1). */
export class ApiClientError extends Error {}

/** Tokens carry a prefix so that a leaked one is recognisable (e.g. by secret scanners). */
const TOKEN_PREFIX = 'wse_';

/**
 * Creates a client with a fresh random token and returns the token: it is shown once; only its hash is stored.
 */
export async function createApiClient(
  db: Db,
  name: string,
  scopes: readonly string[],
): Promise<{ client: ApiClient; token: string }> {
  const clean = name.trim();
  if (!clean || clean.length > 100) throw new ApiClientError('The name must have 1 to 100 characters.');
  const unknown = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length || scopes.length === 0)
    throw new ApiClientError(`Scopes must be one or more of: ${API_SCOPES.join(', ')}.`);
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const [row] = await db('api_client')
    .insert({ name: clean, token_hash: sha256Hex(token), scopes: [...new Set(scopes)] })
    .onConflict('name')
    .ignore()
    .returning<{ id: number; name: string; scopes: ApiScope[] }[]>(['id', 'name', 'scopes']);
  if (!row) throw new ApiClientError(`A client named "${clean}" already exists; revoke it or choose another name.`);
  return { client: row, token };
}

/** Revokes a client by name: its token stops working at once. Returns false when there was no active client. */
export async function revokeApiClient(db: Db, name: string): Promise<boolean> {
  const n = await db('api_client')
    .where({ name: name.trim() })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now() });
  return n > 0;
}

/** The active client a Bearer token belongs to. */
export async function clientForToken(db: Db, token: string): Promise<ApiClient | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  return db('api_client')
    .where({ token_hash: sha256Hex(token) })
    .whereNull('revoked_at')
    .first('id', 'name', 'scopes');
}
