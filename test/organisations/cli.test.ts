import { execFile } from 'node:child_process';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/http/logger.js';
import { csrfTokenFrom } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { loginAs } from '../helpers/login.js';
import { page } from '../helpers/page.js';
import { loadConfig } from '../../src/config.js';

/** The operators' bootstrap commands, run as `npm run cli -- …` runs them: a process of their own. */

let database: TestDatabase;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { env: { ...process.env, DATABASE_URL: database.url, NODE_ENV: 'development', LOG_LEVEL: 'silent' } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

describe('npm run cli', () => {
  it('org:create creates an organisation with a valid KBO number', async () => {
    const res = await cli(
      'org:create',
      '--kbo',
      '0403.170.701',
      '--name',
      'Bouwbedrijf De Meeuw NV',
      '--city',
      'Oostende',
    );
    expect(res).toMatchObject({
      code: 0,
      stdout: 'Created organisation "Bouwbedrijf De Meeuw NV" (KBO 0403.170.701).\n',
    });
    expect(await database.db('organisation').where({ kbo: '0403170701' }).first()).toMatchObject({
      name: 'Bouwbedrijf De Meeuw NV',
      city: 'Oostende',
    });
  });

  it('org:create refuses an invalid or duplicate KBO number with a clear message', async () => {
    const invalid = await cli('org:create', '--kbo', '0403.170.702', '--name', 'Fout BV');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('Invalid KBO number "0403.170.702"');
    const duplicate = await cli('org:create', '--kbo', '0403170701', '--name', 'Nog eens');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain(
      'An organisation with KBO number 0403.170.701 already exists: "Bouwbedrijf De Meeuw NV".',
    );
  });

  it('admin:add creates the person and makes them local administrator; running it again changes nothing', async () => {
    const args = [
      'admin:add',
      '--kbo',
      '0403.170.701',
      '--insz',
      '75.04.12-123.53',
      '--name',
      'An Van den Broeck',
      '--email',
      'an@demeeuw.example',
    ];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      'An Van den Broeck (INSZ 75.04.12-***.**) is now local administrator of "Bouwbedrijf De Meeuw NV" (KBO 0403.170.701).\n',
    );
    const person = await database.db('person').where({ insz: '75041212353' }).first();
    // What the operator typed belongs to this membership; the person row only ever holds what a login gave.
    expect(person).toMatchObject({ first_name: null, last_name: null, email: null });
    expect(await database.db('membership').where({ person_id: person.id }).first()).toMatchObject({
      is_local_admin: true,
      first_name: 'An',
      last_name: 'Van den Broeck',
      email: 'an@demeeuw.example',
    });

    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was already local administrator');
    expect(await database.db('membership').count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('admin:add refuses bad input', async () => {
    const badInsz = await cli(
      'admin:add',
      '--kbo',
      '0403.170.701',
      '--insz',
      '75.04.12-123.54',
      '--name',
      'An Beheerder',
      '--email',
      'an@x.be',
    );
    expect(badInsz.code).toBe(1);
    expect(badInsz.stderr).toContain('Invalid INSZ');
    expect(badInsz.stderr).not.toContain('75041212354');
    const unknownOrg = await cli(
      'admin:add',
      '--kbo',
      '0202.239.951',
      '--insz',
      '75.04.12-123.53',
      '--name',
      'An Beheerder',
      '--email',
      'an@x.be',
    );
    expect(unknownOrg.code).toBe(1);
    expect(unknownOrg.stderr).toContain(
      'No organisation with KBO number 0202.239.951. Create it first with org:create.',
    );
    const oneName = await cli(
      'admin:add',
      '--kbo',
      '0403.170.701',
      '--insz',
      '75.04.12-123.53',
      '--name',
      'An',
      '--email',
      'an@x.be',
    );
    expect(oneName.code).toBe(1);
    expect(oneName.stderr).toContain('Give first and last name, e.g. --name "An Beheerder" (got "An").');
    const badMail = await cli(
      'admin:add',
      '--kbo',
      '0403.170.701',
      '--insz',
      '75.04.12-123.53',
      '--name',
      'An Beheerder',
      '--email',
      'geen-adres',
    );
    expect(badMail.code).toBe(1);
    expect(badMail.stderr).toContain('Invalid e-mail address "geen-adres".');
  });

  it('explains its usage for a missing option or an unknown command', async () => {
    const missing = await cli('admin:add', '--kbo', '0403.170.701');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing --');
    expect(missing.stderr).toContain('Usage: npm run cli -- <command> [options]');
    const unknown = await cli('org:delete');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "org:delete".');
    const extra = await cli('org:create', '--kbo', '0403.170.701', '--name', 'X', '--colour', 'blue');
    expect(extra.code).toBe(2);
    expect((await cli('help')).stdout).toContain('org:list');
  });

  it('org:list shows every organisation with its users and administrators', async () => {
    await cli('org:create', '--kbo', '0202.239.951', '--name', 'Aannemer Alfa');
    const res = await cli('org:list');
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')).toEqual([
      'KBO           Name                     Users  Admins',
      '0202.239.951  Aannemer Alfa            0      0',
      '0403.170.701  Bouwbedrijf De Meeuw NV  1      1',
      '',
    ]);
  });

  it('gives the new administrator a working gebruikersbeheer', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      PUBLIC_URL: 'http://127.0.0.1:3999',
      LOG_LEVEL: 'silent',
    });
    const app = createApp(config, { db: database.db, databaseUrl: database.url, logger: createLogger('silent') });
    try {
      const agent = request.agent(app);
      await loginAs(agent, { insz: '75041212353', firstName: 'An', lastName: 'Van den Broeck' });
      const choose = await agent.get('/organisatie-kiezen');
      const org = await database.db('organisation').where({ kbo: '0403170701' }).first();
      expect(page(choose.text).main).toContain('u bent lokale beheerder');
      await agent
        .post('/organisatie-kiezen')
        .type('form')
        .send({ _csrf: csrfTokenFrom(choose.text), keuze: String(org.id) });
      const admin = await agent.get('/gebruikersbeheer');
      expect(admin.status).toBe(200);
      expect(page(admin.text).main).toContain('An Van den Broeck');
    } finally {
      await app.close();
    }
  });
});
