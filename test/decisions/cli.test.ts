import { execFile } from 'node:child_process';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paths } from '../../src/paths.js';
import { CONTACT_EMAIL, lifeWorld, type LifeWorld } from './fixtures.js';

/** The back office's commands for operators and development, run as `npm run cli -- …` runs them. */

let w: LifeWorld;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = {
      ...process.env,
      DATABASE_URL: w.t.database.url,
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'http://127.0.0.1:3999',
    };
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  w = await lifeWorld();
});

afterAll(async () => {
  await w.t.close();
});

describe('api-client:create and api-client:revoke', () => {
  it('prints a working token once, keeps only its hash, and revokes it', async () => {
    const created = await cli('api-client:create', '--name', 'Backoffice DWSE', '--scopes', 'read,decide');
    expect(created.code).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1) as string;
    expect(token).toMatch(/^wse_[A-Za-z0-9_-]{43}$/);
    expect(created.stdout).toContain('Created API client "Backoffice DWSE" with scopes read, decide.');
    expect(JSON.stringify(await w.t.database.db('api_client').select())).not.toContain(token);
    await request(w.t.app).get(`${paths.api}/dossiers`).set('Authorization', `Bearer ${token}`).expect(200);

    const twice = await cli('api-client:create', '--name', 'Backoffice DWSE');
    expect(twice).toMatchObject({ code: 1 });
    expect(twice.stderr).toContain('A client named "Backoffice DWSE" already exists');
    expect((await cli('api-client:create', '--name', 'x', '--scopes', 'admin')).stderr).toContain(
      'Scopes must be one or more of: read, decide.',
    );

    expect(await cli('api-client:revoke', '--name', 'Backoffice DWSE')).toMatchObject({
      code: 0,
      stdout: 'Revoked API client "Backoffice DWSE".\n',
    });
    await request(w.t.app).get(`${paths.api}/dossiers`).set('Authorization', `Bearer ${token}`).expect(401);
    expect((await cli('api-client:revoke', '--name', 'Backoffice DWSE')).code).toBe(1);
  });
});

describe('dossier:decide', () => {
  it('decides through the same service as the API: state, history, audit log and mails', async () => {
    const nummer = await w.file();
    const res = await cli('dossier:decide', nummer, '--goedgekeurd', '--uren', '40');
    expect(res.stderr).toBe('');
    expect(res).toMatchObject({
      code: 0,
      stdout: `Dossier ${nummer} is now "Goedgekeurd" (40 hours, € 596,40), version 2. The mails are queued.\n`,
    });
    expect(await w.t.database.db('dossier').where({ dossiernummer: nummer }).first()).toMatchObject({
      status: 'goedgekeurd',
      approved_amount_cents: 59640,
    });
    expect(await w.t.database.db('dossier_event').where({ kind: 'goedgekeurd' }).first()).toMatchObject({
      actor_kind: 'cli',
    });
    expect(await w.t.database.db('audit_log').where({ action: 'dossier.goedgekeurd' }).first()).toBeTruthy();
    expect(
      (await w.t.database.db('mail_outbox').where({ kind: 'dossier-goedgekeurd-employer' }).first()).to_address,
    ).toBe(CONTACT_EMAIL);

    const again = await cli('dossier:decide', nummer, '--geweigerd', '--reden', 'Toch niet');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Dossier ${nummer} has status "Goedgekeurd"; geweigerd is not allowed now`);
  });

  it('refuses wrong usage with exit 2 and an unknown dossier with exit 1', async () => {
    expect((await cli('dossier:decide', 'VOV-2025-000001', '--goedgekeurd', '--geweigerd')).code).toBe(2);
    expect((await cli('dossier:decide', '--in-behandeling')).code).toBe(2);
    expect((await cli('dossier:decide', 'VOV-2025-000001', '--goedgekeurd')).stderr).toContain('Missing --uren.');
    const unknown = await cli('dossier:decide', 'VOV-2025-999999', '--in-behandeling');
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toContain('No dossier VOV-2025-999999.');
  });
});
