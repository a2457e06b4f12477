/**
 * Hostile input, in process (the real app on a database of its own, clock pinned): property-based tests over
 * every refund step schema and every POST route, oversized and malformed bodies, dangerous uploads, SQL
 * metacharacters stored literally, and HTML/JS escaped everywhere it is shown (pages, PDF, e-mails).
 */
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUserSchema, grantRightSchema, refuseRequestSchema } from '../../src/admin/schemas.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { createMailWorker } from '../../src/mail/worker.js';
import { chooseOrganisationSchema } from '../../src/organisations/schemas.js';
import { evaluateDraft, STEPS, type DraftContext } from '../../src/refund/steps.js';
import { buildTestApp, csrfTokenFrom, TEST_PUBLIC_URL, type TestApp } from '../helpers/app.js';
import { loginAs, type Agent } from '../helpers/login.js';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.js';
import {
  completeDraft,
  fixedClock,
  insertMember,
  insertOrganisation,
  loginForOrganisation,
  people,
  postForm,
  rules,
  TODAY,
  validInput,
  type TestOrganisation,
} from '../refund/fixtures.js';
import { pdfText } from '../helpers/pdf.js';
import { page } from '../helpers/page.js';
import { decodeHtml } from '../helpers/html.js';
import {
  answerProblems,
  checkable,
  entriesOf,
  expectedField,
  hasErrorSummary,
  hostileForm,
  hostileString,
  multipartBody,
  shownProblem,
  urlencoded,
  type HostileForm,
} from './support/forms.js';
import { inszFor, kboFor } from './support/data.js';
import { postRoutes, routeTable } from './support/routes.js';

const RUNS = Number(process.env.HOSTILE_RUNS ?? 40);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let t: TestApp;
let org: TestOrganisation;
let jan: Agent;
let janId: number;
let miaId: number;
let token: string;

/** A POST with a hostile form, urlencoded or multipart. */
function send(
  agent: Agent,
  path: string,
  entries: [string, string][],
  multipart: boolean,
  files: Parameters<typeof multipartBody>[1] = [],
) {
  if (multipart || files.length) {
    const { body, contentType } = multipartBody(entries, files);
    return agent.post(path).set('Content-Type', contentType).send(body);
  }
  return agent.post(path).set('Content-Type', 'application/x-www-form-urlencoded').send(urlencoded(entries));
}

function describeForm(form: HostileForm): string {
  return JSON.stringify(form).slice(0, 400);
}

beforeAll(async () => {
  t = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '100000' }, { now: fixedClock });
  const db = t.database.db;
  org = await insertOrganisation(db, { kbo: '0403170701', name: 'Bouwbedrijf De Meeuw NV', unitNumber: '2147812701' });
  janId = await insertMember(db, org.id, people.jan);
  await db('membership').where({ person_id: janId }).update({ is_local_admin: true });
  miaId = await insertMember(db, org.id, people.mia, false);
  jan = request.agent(t.app);
  await loginForOrganisation(jan, people.jan, org.id);
  token = csrfTokenFrom((await jan.get('/terugbetaling/nieuw/werkgever')).text);
});

afterAll(async () => {
  await t.close();
});

describe('every refund step schema, fed anything', () => {
  const ctx: DraftContext = {
    today: '2025-10-15',
    units: [{ id: 1, number: '2147812701', name: 'Werf', street: 'Werfstraat 1', postcode: '8400', city: 'Oostende' }],
    priorDossiers: [],
    attachmentKinds: [],
    rules,
  };
  const valid = {
    werkgever: validInput.werkgever('1'),
    werknemer: validInput.werknemer,
    opleiding: validInput.opleiding,
    initiatief: validInput.initiatief,
    bijlagen: {},
    overzicht: validInput.overzicht,
  };
  const before = evaluateDraft(valid, ctx).outputs;
  const anything = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.object({ maxDepth: 1 }),
  );

  it.each(STEPS.map((s) => [s.id, s] as const))(
    '%s: never throws; every problem names a field of the page, in Dutch',
    (_id, step) => {
      expect(before.initiatief, 'the valid answers of the fixtures pass').toBeDefined();
      const fields = step.fields.length ? step.fields : ['inschrijvingsattest', 'loopbaanattest'];
      const input = fc.oneof(
        fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 8 })), anything, { maxKeys: 12 }),
        fc.record(Object.fromEntries(fields.map((f) => [f, fc.oneof(hostileString, anything)]))),
        anything,
      );
      fc.assert(
        fc.property(input, (raw) => {
          const result = step.judge(raw, ctx, before);
          if (result.ok) return;
          for (const error of result.errors) {
            expect(fields, `issue at ${error.href}`).toContain(error.href.slice(1));
            expect(error.text).not.toMatch(/Invalid input|expected|Required|Too (small|big)|received/i);
            expect(error.text.length).toBeGreaterThan(10);
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  it('the other forms (organisation choice, gebruikersbeheer) answer in Dutch whatever they get', () => {
    const schemas = {
      chooseOrganisation: [chooseOrganisationSchema, ['keuze']],
      addUser: [addUserSchema, ['insz', 'firstName', 'lastName', 'email']],
      grantRight: [grantRightSchema('2025-10-15'), ['validUntil']],
      refuseRequest: [refuseRequestSchema, ['reason']],
    } as const;
    for (const [name, [schema, fields]] of Object.entries(schemas)) {
      fc.assert(
        fc.property(
          fc.record(Object.fromEntries(fields.map((f) => [f, fc.oneof(hostileString, anything)])), {
            requiredKeys: [],
          }),
          (raw) => {
            const parsed = (
              schema as {
                safeParse(v: unknown): {
                  success: boolean;
                  error?: { issues: { message: string; path: PropertyKey[] }[] };
                };
              }
            ).safeParse(raw);
            if (parsed.success) return;
            for (const issue of parsed.error!.issues) {
              expect(fields as readonly string[], name).toContain(String(issue.path[0]));
              expect(issue.message, name).not.toMatch(/Invalid input|expected|Required|Too (small|big)|received/i);
            }
          },
        ),
        { numRuns: 300 },
      );
    }
  });
});

describe('every refund step, posted hostile forms', () => {
  let draftUrl: string;
  beforeAll(async () => {
    draftUrl = await completeDraft(jan, org.unitId);
  });

  const stepFields = (slug: string) => [...STEPS.find((s) => s.slug === slug)!.fields, 'actie'];
  const validFor = (slug: string): Record<string, string> =>
    ({
      werkgever: validInput.werkgever(String(org.unitId)),
      werknemer: validInput.werknemer,
      opleiding: validInput.opleiding,
      initiatief: validInput.initiatief,
      bijlagen: {},
    })[slug]!;

  it.each(['werkgever', 'werknemer', 'opleiding', 'initiatief', 'bijlagen'])(
    'step %s: a 400 page with Dutch messages and every answer shown back as typed, or a redirect; stored literally',
    async (slug) => {
      const fields = stepFields(slug);
      const valid = { ...validFor(slug), actie: 'volgende' };
      const step = STEPS.find((s) => s.slug === slug)!;
      const fileArb = fc.option(
        fc.record({
          field: fc.constantFrom('inschrijvingsattest', 'loopbaanattest', 'iets'),
          filename: hostileString,
          type: fc.constantFrom('application/pdf', 'image/png', 'application/x-msdownload', 'text/html'),
          data: fc.oneof(
            fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
            fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.concat([PDF, Buffer.from(a)])),
          ),
        }),
        { nil: undefined },
      );
      await fc.assert(
        fc.asyncProperty(
          hostileForm(fields),
          slug === 'bijlagen' ? fileArb : fc.constant(undefined),
          async (form, file) => {
            const res = await send(
              jan,
              `${draftUrl}/${slug}`,
              entriesOf(form, valid, token),
              form.multipart,
              file ? [file] : [],
            );
            const problems = answerProblems(res.status, res.text, [303, 400, 413]);
            expect(problems, describeForm(form)).toEqual([]);
            if (res.status === 400 && hasErrorSummary(page(res.text))) {
              // The page shows every answer back as it was typed: the hostile ones and the user's other answers.
              for (const field of step.fields)
                if (checkable(form, field))
                  expect(
                    shownProblem(res.text, field, expectedField(form, valid, field)),
                    describeForm(form),
                  ).toBeNull();
            }
            // Stored exactly as posted, whatever characters it holds.
            const row = await t.database
              .db('refund_draft')
              .where({ id: Number(draftUrl.split('/').pop()) })
              .first('steps');
            if (step.fields.length)
              expect(row.steps[step.id], describeForm(form)).toEqual(
                Object.fromEntries(step.fields.map((f) => [f, expectedField(form, valid, f)])),
              );
            // Put the valid answers back, so the next run starts from a complete draft.
            if (step.fields.length) expect((await postForm(jan, `${draftUrl}/${slug}`, valid)).status).toBe(303);
          },
        ),
        { numRuns: RUNS },
      );
    },
  );

  it('a new request (step 1 before there is a draft): the same, and the draft it creates holds the input as typed', async () => {
    const valid = { ...validFor('werkgever'), actie: 'volgende' };
    await fc.assert(
      fc.asyncProperty(hostileForm(stepFields('werkgever')), async (form) => {
        const res = await send(jan, '/terugbetaling/nieuw/werkgever', entriesOf(form, valid, token), form.multipart);
        expect(answerProblems(res.status, res.text, [303, 400]), describeForm(form)).toEqual([]);
        const latest = await t.database
          .db('refund_draft')
          .where({ organisation_id: org.id })
          .orderBy('id', 'desc')
          .first('steps');
        expect(latest.steps.werkgever).toEqual(
          Object.fromEntries(STEPS[0].fields.map((f) => [f, expectedField(form, valid, f)])),
        );
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('Bevestigen (overview): a 400 page asking for the declaration, or a redirect', async () => {
    await fc.assert(
      fc.asyncProperty(hostileForm(['declaration', 'actie']), async (form) => {
        if (!form.replaced.declaration) form.replaced.declaration = { kind: 'scalar', value: 'nee' };
        const res = await send(
          jan,
          `${draftUrl}/overzicht`,
          entriesOf(form, { declaration: 'ja', actie: 'volgende' }, token),
          form.multipart,
        );
        expect(answerProblems(res.status, res.text, [303, 400]), describeForm(form)).toEqual([]);
        if (res.status === 400)
          expect(page(res.text).errors).toContain('Vink aan dat u verklaart dat alle gegevens juist en volledig zijn.');
      }),
      { numRuns: RUNS },
    );
    expect(await t.database.db('dossier').count({ n: '*' }).first()).toEqual({ n: 0 });
  });
});

describe('the other POST routes, posted hostile forms', () => {
  it('organisation choice: 303, a 400 with the Dutch message, or 403 for an organisation one does not belong to', async () => {
    const chooser = request.agent(t.app);
    await loginAs(chooser, people.mia);
    const tok = csrfTokenFrom((await chooser.get('/organisatie-kiezen')).text);
    await fc.assert(
      fc.asyncProperty(hostileForm(['keuze', 'terug']), async (form) => {
        const res = await send(
          chooser,
          '/organisatie-kiezen',
          entriesOf(form, { keuze: String(org.id), terug: '/aanvraag' }, tok),
          form.multipart,
        );
        expect(answerProblems(res.status, res.text, [303, 400, 403]), describeForm(form)).toEqual([]);
        if (res.status === 303) expect(res.headers.location).toMatch(/^\/(?!\/)/);
      }),
      { numRuns: RUNS },
    );
  });

  it('gebruikersbeheer: adding a user, granting, refusing and revoking answer 303 or a Dutch 400 page with the answers kept', async () => {
    const db = t.database.db;
    const [request1] = await db('right_request')
      .insert({
        person_id: miaId,
        organisation_id: org.id,
        role: rules.access.role,
        context: rules.access.context,
        status: 'pending',
      })
      .returning('id');
    const [right] = await db('user_right')
      .insert({ person_id: janId, organisation_id: org.id, role: 'iets anders', context: 'test' })
      .returning('id');
    const routes: [string, Record<string, string>, number[]][] = [
      [
        '/gebruikersbeheer/gebruikers',
        { insz: '85.07.30-033.28', firstName: 'Nieuwe', lastName: 'Collega', email: 'nieuwe.collega@example.be' },
        [303, 400],
      ],
      [`/gebruikersbeheer/gebruikers/${miaId}/recht`, { validUntil: '31/12/2026' }, [303, 400]],
      [`/gebruikersbeheer/aanvragen/${request1.id}/weigeren`, { reason: 'Niet nodig voor uw taken.' }, [303, 400]],
      [`/gebruikersbeheer/aanvragen/${request1.id}/toekennen`, { validUntil: '' }, [303, 400]],
      [`/gebruikersbeheer/rechten/${right.id}/intrekken`, {}, [303]],
    ];
    for (const [path, valid, allowed] of routes) {
      const fields = Object.keys(valid);
      await fc.assert(
        fc.asyncProperty(hostileForm(fields.length ? fields : ['x']), async (form) => {
          const res = await send(jan, path, entriesOf(form, valid, token), form.multipart);
          expect(answerProblems(res.status, res.text, allowed), `${path} ${describeForm(form)}`).toEqual([]);
          if (res.status === 400)
            for (const f of fields)
              if (checkable(form, f))
                expect(
                  shownProblem(res.text, f, expectedField(form, valid, f)),
                  `${path} ${describeForm(form)}`,
                ).toBeNull();
        }),
        { numRuns: Math.ceil(RUNS / 2) },
      );
    }
  });

  it('the development IdP: its page again with Dutch field errors (400), or the signed answer', async () => {
    const visitor = request.agent(t.app);
    const start = await visitor.get('/aanmelden');
    const sso = new URL(start.headers.location);
    const keyPage = await visitor.get(`${sso.pathname}${sso.search}&sleutel=itsme`);
    const tok = csrfTokenFrom(keyPage.text);
    const fixed = {
      SAMLRequest: sso.searchParams.get('SAMLRequest')!,
      SigAlg: sso.searchParams.get('SigAlg')!,
      Signature: sso.searchParams.get('Signature')!,
    };
    const valid = {
      sleutel: 'itsme',
      persoon: 'nieuw',
      insz: '85.07.30-033.28',
      voornaam: 'Test',
      achternaam: 'Persoon',
      email: 'test@example.be',
    };
    await fc.assert(
      fc.asyncProperty(hostileForm([...Object.keys(valid), 'actie', 'SAMLRequest', 'Signature']), async (form) => {
        const entries = entriesOf(
          form,
          valid,
          tok,
          Object.fromEntries(Object.entries(fixed).filter(([k]) => !(k in form.replaced))),
        );
        const res = await send(visitor, sso.pathname, entries, form.multipart);
        expect(answerProblems(res.status, res.text, [200, 400]), describeForm(form)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('the SAML ACS: a Dutch login-failed page (4xx) whatever arrives instead of a signed response', async () => {
    const visitor = request.agent(t.app);
    const samlLike = fc.oneof(
      hostileString,
      hostileString.map((s) => Buffer.from(s).toString('base64')),
      fc
        .constantFrom(
          '<samlp:Response/>',
          '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
          '<a>'.repeat(5000),
        )
        .map((s) => Buffer.from(s).toString('base64')),
    );
    await fc.assert(
      fc.asyncProperty(
        samlLike,
        fc.option(hostileString, { nil: undefined }),
        fc.boolean(),
        async (samlResponse, relay, multipart) => {
          const entries: [string, string][] = [
            ['SAMLResponse', samlResponse],
            ...(relay === undefined ? [] : [['RelayState', relay] as [string, string]]),
          ];
          const res = await send(visitor, '/auth/saml/acs', entries, multipart);
          expect(answerProblems(res.status, res.text, [400, 401, 403]), samlResponse.slice(0, 100)).toEqual([]);
          expect(res.text).not.toContain('/etc/passwd');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('every POST route of the app (also ones added later) answers random forms, JSON, text and empty bodies without a server error', async () => {
    const routes = postRoutes(t.app).filter((r) => r.path !== '/afmelden' && r.path !== '/organisatie-kiezen');
    expect(routes.length).toBeGreaterThanOrEqual(14);
    const ids = routeIds(Number((await completeDraft(jan, org.unitId)).split('/').pop()));
    const bodies: [string, (agent: Agent, path: string) => request.Test][] = [
      [
        'json',
        (a, p) =>
          a
            .post(p)
            .set('x-csrf-token', token)
            .set('content-type', 'application/json')
            .send('{"actie":["x"],"__proto__":{"admin":true}}'),
      ],
      ['text', (a, p) => a.post(p).set('x-csrf-token', token).set('content-type', 'text/plain').send('actie=volgende')],
      ['none', (a, p) => a.post(p).set('x-csrf-token', token)],
      ['xml', (a, p) => a.post(p).set('x-csrf-token', token).set('content-type', 'application/xml').send('<x/>')],
      [
        'utf-7',
        (a, p) =>
          a.post(p).set('content-type', 'application/x-www-form-urlencoded; charset=utf-7').send(`_csrf=${token}`),
      ],
      [
        'gzip garbage',
        (a, p) =>
          a
            .post(p)
            .set('content-type', 'application/x-www-form-urlencoded')
            .set('content-encoding', 'gzip')
            .send(Buffer.from('not gzip at all')),
      ],
    ];
    for (const route of routes) {
      const path = ids.fill(route.path);
      for (const [kind, post] of bodies) {
        const res = await post(jan, path);
        expect(answerProblems(res.status, res.text, allowedBelow500(res.status)), `${kind} ${path}`).toEqual([]);
      }
      await fc.assert(
        fc.asyncProperty(hostileForm(['actie', 'keuze', 'reason', 'validUntil', 'insz', 'bestand']), async (form) => {
          const res = await send(jan, path, entriesOf(form, {}, token), form.multipart);
          expect(
            answerProblems(res.status, res.text, allowedBelow500(res.status)),
            `${path} ${describeForm(form)}`,
          ).toEqual([]);
        }),
        { numRuns: 8 },
      );
    }
  });

  it('logging out with a hostile form still logs out (303), and a repeated _csrf key is refused with the Dutch 403 page', async () => {
    for (let i = 0; i < 3; i++) {
      const who = request.agent(t.app);
      await loginAs(who, people.mia);
      const tok = csrfTokenFrom((await who.get('/organisatie-kiezen')).text);
      const twice = await who.post('/afmelden').type('form').send(`_csrf=${tok}&_csrf=${tok}`);
      expect(twice.status).toBe(403);
      expect(page(twice.text).h1).toBe('U hebt geen toegang tot deze pagina');
      expect(page(twice.text).main).toContain('Dit formulier is verlopen of werd al verstuurd.');
      const form = fc.sample(hostileForm(['x', 'RelayState', 'terug']), 1)[0];
      const res = await send(who, '/afmelden', entriesOf(form, {}, tok), form.multipart);
      expect(res.status).toBe(303);
      expect((await who.get('/terugbetaling')).status).toBe(303);
    }
  });
});

/** Any refusal or answer below 500. */
function allowedBelow500(status: number): number[] {
  return status < 500 ? [status] : [];
}

/** Ids of this file's organisation (and the draft `draftId` of it) for the route parameters. */
function routeIds(draftId: number) {
  return routeTable({
    draftId,
    attachmentId: 999_999,
    dossiernummer: 'VOV-2025-999999',
    requestId: 999_999,
    personId: miaId,
    rightId: 999_999,
    mailId: 1,
    other: 1,
  });
}

describe('oversized and malformed bodies', () => {
  it('a form over 200 kB, or with more than 500 fields, gets the Dutch 413 page', async () => {
    const big = await jan
      .post('/terugbetaling/nieuw/werkgever')
      .type('form')
      .send(`_csrf=${token}&contactName=${'x'.repeat(300_000)}`);
    expect(big.status).toBe(413);
    expect(page(big.text).h1).toBe('Het bestand of formulier is te groot');
    const many = await jan
      .post('/terugbetaling/nieuw/werkgever')
      .type('form')
      .send(Array.from({ length: 600 }, (_, i) => `f${i}=1`).join('&') + `&_csrf=${token}`);
    expect(many.status).toBe(413);
  });

  it('multipart: a field over 100 kB, more than 5 files or a file over 10 MB get 413; a malformed body gets the Dutch 400 page', async () => {
    const draftUrl = await completeDraft(jan, org.unitId);
    const path = `${draftUrl}/bijlagen`;
    const field = multipartBody([
      ['_csrf', token],
      ['actie', 'x'.repeat(150_000)],
    ]);
    expect((await jan.post(path).set('Content-Type', field.contentType).send(field.body)).status).toBe(413);
    const six = multipartBody(
      [
        ['_csrf', token],
        ['actie', 'toevoegen'],
      ],
      Array.from({ length: 6 }, (_, i) => ({
        field: 'inschrijvingsattest',
        filename: `a${i}.pdf`,
        type: 'application/pdf',
        data: PDF,
      })),
    );
    expect((await jan.post(path).set('Content-Type', six.contentType).send(six.body)).status).toBe(413);
    const huge = multipartBody(
      [
        ['_csrf', token],
        ['actie', 'toevoegen'],
      ],
      [
        {
          field: 'inschrijvingsattest',
          filename: 'groot.pdf',
          type: 'application/pdf',
          data: Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]),
        },
      ],
    );
    const tooBig = await jan.post(path).set('Content-Type', huge.contentType).send(huge.body);
    expect(tooBig.status).toBe(413);
    expect(page(tooBig.text).h1).toBe('Het bestand of formulier is te groot');
    expect(page(tooBig.text).main).toContain('Een bijlage mag ten hoogste 10 MB groot zijn.');

    const malformed: [string, string, Buffer | string][] = [
      ['no boundary', 'multipart/form-data', `_csrf=${token}`],
      ['garbage', 'multipart/form-data; boundary=XYZ', Buffer.from('this is not multipart at all\r\n')],
      [
        'truncated',
        'multipart/form-data; boundary=XYZ',
        `--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--XYZ\r\nContent-Disposition: form-data; name="inschrijvingsattest"; filename="a.pdf"\r\n\r\n%PDF-1.4 and then the connection`,
      ],
      [
        'bad header',
        'multipart/form-data; boundary=XYZ',
        `--XYZ\r\nContent-Disposition: form-data; name\r\n\r\nx\r\n--XYZ--\r\n`,
      ],
    ];
    for (const [what, type, body] of malformed) {
      const res = await jan.post(path).set('Content-Type', type).send(body);
      expect(answerProblems(res.status, res.text, [400, 403]), what).toEqual([]);
    }
    expect(
      await t.database
        .db('attachment')
        .where({ draft_id: Number(draftUrl.split('/').pop()) })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 0 });
  });
});

describe('uploads', () => {
  let draftUrl: string;
  let draftId: number;
  beforeAll(async () => {
    draftUrl = await completeDraft(jan, org.unitId);
    draftId = Number(draftUrl.split('/').pop());
  });

  const upload = (filename: string, data: Buffer, type = 'application/pdf') => {
    const m = multipartBody(
      [
        ['_csrf', token],
        ['actie', 'toevoegen'],
      ],
      [{ field: 'inschrijvingsattest', filename, type, data }],
    );
    return jan.post(`${draftUrl}/bijlagen`).set('Content-Type', m.contentType).send(m.body);
  };

  it('an executable dressed as a PDF (ELF or MZ header), or a zero-byte file, is refused in Dutch and not stored', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(200)]);
    const mz = Buffer.concat([
      Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'),
      Buffer.alloc(200),
      Buffer.from('This program cannot be run in DOS mode.'),
    ]);
    for (const [name, data] of [
      ['attest.pdf', elf],
      ['attest.pdf.exe', mz],
      ['attest.pdf', mz],
    ] as const) {
      const res = await upload(name, data);
      expect(res.status).toBe(400);
      expect(page(res.text).errors).toContain(
        'Het bestand voor het inschrijvingsattest moet een PDF, PNG of JPEG zijn. Kies een ander bestand.',
      );
    }
    const empty = await upload('leeg.pdf', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(page(empty.text).errors).toContain(
      'Het bestand voor het inschrijvingsattest is leeg. Kies een ander bestand.',
    );
    expect(await t.database.db('attachment').where({ draft_id: draftId }).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('a file name with a path, control, bidirectional or reserved characters is reduced to a safe name; the download cannot break its headers', async () => {
    const names: [string, string][] = [
      ['../../../../etc/passwd.pdf', 'passwd.pdf'],
      ['..\\..\\windows\\system32\\evil.pdf', 'evil.pdf'],
      ['/absolute/path/attest.pdf', 'attest.pdf'],
      ['..', 'bijlage.pdf'],
      ['attest"\r\nX-Injected: 1.pdf', 'attest%22%0D%0AX-Injected 1.pdf'],
      ['<img src=x onerror=alert(1)>.pdf', 'img src=x onerror=alert(1).pdf'],
      ['überweisung – été 📎.pdf', 'überweisung – été 📎.pdf'],
      ['factuur-\u202Efdp.exe', 'factuur-fdp.pdf'],
    ];
    for (const [sent, stored] of names) {
      const res = await upload(sent, PDF);
      expect(res.status, sent).toBe(303);
      const row = await t.database
        .db('attachment')
        .where({ draft_id: draftId })
        .orderBy('id', 'desc')
        .first('id', 'filename');
      expect(row.filename).toBe(stored);
      const download = await jan.get(`${draftUrl}/bijlagen/${row.id}`);
      expect(download.status).toBe(200);
      expect(download.headers['x-injected']).toBeUndefined();
      const disposition = download.headers['content-disposition'];
      expect(disposition).toMatch(/^attachment; filename=("[^"/\\\r\n]*"|[^\s";/\\]+)(; filename\*=UTF-8''[^\s"]*)?$/);
      expect(download.body.equals(PDF)).toBe(true);
    }
    // Even a name with control characters and quotes in the database (another way in, an older version) downloads safely.
    const [odd] = await t.database
      .db('attachment')
      .insert({
        draft_id: draftId,
        organisation_id: org.id,
        kind: 'inschrijvingsattest',
        filename: 'a"\r\nX-Injected: 1\\b.pdf',
        content_type: 'application/pdf',
        size_bytes: PDF.length,
        sha256: '0'.repeat(64),
        content: PDF,
      })
      .returning('id');
    const oddDownload = await jan.get(`${draftUrl}/bijlagen/${odd.id}`);
    expect(oddDownload.status).toBe(200);
    expect(oddDownload.headers['x-injected']).toBeUndefined();
    // Served under the safe name too: the last path part, the type's extension.
    expect(oddDownload.headers['content-disposition']).toBe('attachment; filename=b.pdf');
    const list = await jan.get(`${draftUrl}/bijlagen`);
    expect(list.text).not.toContain('<img src=x onerror');
    const shown = (
      await t.database
        .db('attachment')
        .where({ draft_id: draftId, filename: 'img src=x onerror=alert(1).pdf' })
        .first('id')
    ).id;
    expect(page(list.text).link('img src=x onerror=alert(1).pdf')).toBe(`${draftUrl}/bijlagen/${shown}`);
  });
});

describe('injection', () => {
  const payload = {
    firstName: `<script>alert('voornaam')</script>`,
    lastName: `O'Brien"; DROP TABLE dossier;--`,
    trainingName: `<b onmouseover=alert(1)>Opleiding</b> "dubbel" & 'enkel' \\ $1 %_`,
    providerName: `Robert'); DELETE FROM refund_draft;--`,
    contactName: `<svg onload=alert(1)> Jan`,
  };
  const RAW = [/<script>alert\(/, /<img src=x onerror/, /<svg onload/, /<b onmouseover/];
  const rawIn = (html: string) => RAW.filter((r) => r.test(html)).map(String);
  let smtp: SmtpCapture;
  let nummer: string;
  let draftUrl: string;
  let admin: Agent;
  let hostileOrgId: number;
  let employerAgent: Agent;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    const db = t.database.db;
    // An organisation whose name carries markup and a header-injection attempt, with a local administrator.
    const x = await insertOrganisation(db, {
      kbo: kboFor(77),
      name: `Bouw <script>alert("org")</script> & Zonen\r\nBcc: evil@attacker.example`,
      unitNumber: kboFor(77, '2'),
    });
    hostileOrgId = x.id;
    const an = {
      insz: inszFor(66, 6, 6, 123),
      firstName: 'An',
      lastName: 'Beheerder',
      email: 'an.beheerder@example.be',
    };
    const anId = await insertMember(db, x.id, an, false);
    await db('membership').where({ person_id: anId, organisation_id: x.id }).update({ is_local_admin: true });
    // The employer (with the right) logs in with markup in the names the IdP sends, and files a request.
    await db('membership').insert({ person_id: janId, organisation_id: x.id, is_local_admin: false });
    await db('user_right').insert({
      person_id: janId,
      organisation_id: x.id,
      role: rules.access.role,
      context: rules.access.context,
    });
    employerAgent = request.agent(t.app);
    await loginForOrganisation(
      employerAgent,
      {
        insz: people.jan.insz,
        firstName: '<img src=x onerror=alert(1)>',
        lastName: `Werk"gever'`,
        email: people.jan.email,
      },
      x.id,
    );
    draftUrl = await completeDraft(employerAgent, x.unitId, {
      werkgever: { contactName: payload.contactName },
      werknemer: { firstName: payload.firstName, lastName: payload.lastName },
      opleiding: { trainingName: payload.trainingName, providerName: payload.providerName },
    });
    const receipt = await postForm(employerAgent, `${draftUrl}/overzicht`, { actie: 'volgende', declaration: 'ja' });
    expect(receipt.status).toBe(303);
    nummer = receipt.headers.location.split('/').pop()!;
    // A colleague without the right (markup in her name too) asks for it: the local administrator gets a mail.
    const eva = {
      insz: people.other.insz,
      firstName: `<script>alert('eva')</script>`,
      lastName: 'Werknemer',
      email: 'eva@example.be',
    };
    await insertMember(db, x.id, eva, false);
    const colleague = request.agent(t.app);
    await loginForOrganisation(colleague, eva, x.id);
    const tok = csrfTokenFrom((await colleague.get('/aanvraag')).text);
    expect((await colleague.post('/gebruikersrecht-aanvragen').type('form').send({ _csrf: tok })).status).toBe(303);
    admin = request.agent(t.app);
    await loginForOrganisation(admin, an, x.id);
  });

  afterAll(async () => {
    await smtp.stop();
  });

  it('SQL metacharacters end up stored literally: in the draft, the dossier and its snapshot', async () => {
    const db = t.database.db;
    const dossier = await db('dossier').where({ dossiernummer: nummer }).first();
    expect(dossier.employee_first_name).toBe(payload.firstName);
    expect(dossier.employee_last_name).toBe(payload.lastName);
    expect(dossier.training_name).toBe(payload.trainingName);
    expect(dossier.snapshot.opleiding.providerName).toBe(payload.providerName);
    expect(dossier.snapshot.werkgever.contact.name).toBe(payload.contactName);
    const draft = await db('refund_draft')
      .where({ id: Number(draftUrl.split('/').pop()) })
      .first('steps');
    expect(draft.steps.opleiding.trainingName).toBe(payload.trainingName);
    expect((await db('person').where({ insz: '68110304512' }).first()).first_name).toBe('<img src=x onerror=alert(1)>');
    for (const table of ['dossier', 'refund_draft', 'person', 'organisation'])
      expect(await db.schema.hasTable(table)).toBe(true);
  });

  it('HTML and JavaScript in names and training titles are escaped on every page that shows them', async () => {
    const pages = [
      '/',
      '/aanvraag',
      '/organisatie-kiezen',
      '/toegankelijkheidsverklaring',
      '/terugbetaling',
      `/mijn-dossiers`,
      `/mijn-dossiers/${nummer}`,
      ...STEPS.map((s) => `${draftUrl}/${s.slug}`),
    ];
    let shown = 0;
    for (const p of pages) {
      const res = await employerAgent.get(p);
      expect(rawIn(res.text), p).toEqual([]);
      if (
        res.text.includes('&lt;script&gt;alert(&#39;voornaam&#39;)&lt;/script&gt;') ||
        res.text.includes('&lt;img src=x onerror=alert(1)&gt;')
      )
        shown++;
    }
    expect(shown).toBeGreaterThanOrEqual(3);
    const receipt = await employerAgent.get(`/mijn-dossiers/${nummer}`);
    expect(receipt.text).toContain(
      '&lt;b onmouseover=alert(1)&gt;Opleiding&lt;/b&gt; &quot;dubbel&quot; &amp; &#39;enkel&#39;',
    );
    // The CSV export neither runs formulas nor breaks its cells.
    const csv = await employerAgent.get('/mijn-dossiers/export.csv');
    expect(csv.text).toContain(`"${payload.trainingName.replace(/"/g, '""')}"`);
    // Gebruikersbeheer and its audit log, for the local administrator.
    for (const p of ['/gebruikersbeheer', `/gebruikersbeheer/gebruikers/${janId}`, '/gebruikersbeheer/logboek']) {
      const res = await admin.get(p);
      expect(res.status, p).toBe(200);
      expect(rawIn(res.text), p).toEqual([]);
    }
    const requestId = (await t.database.db('right_request').where({ organisation_id: hostileOrgId }).first('id')).id;
    const requestPage = await admin.get(`/gebruikersbeheer/aanvragen/${requestId}`);
    expect(rawIn(requestPage.text)).toEqual([]);
    expect(requestPage.text).toContain('&lt;script&gt;alert(&#39;eva&#39;)&lt;/script&gt;');
    // The development mailbox shows the stored mails as text; their HTML only in a sandbox.
    for (const p of [
      '/dev/mailbox',
      ...(await t.database.db('mail_outbox').select('id')).map((r) => `/dev/mailbox/${r.id}`),
    ]) {
      const res = await request(t.app).get(p);
      expect(rawIn(res.text), p).toEqual([]);
    }
  });

  it('the CSV export neutralises the fullwidth ＝ ＋ － ＠ too, which spreadsheets read as formula signs', async () => {
    const draft = await completeDraft(
      employerAgent,
      (await t.database.db('establishment_unit').where({ organisation_id: hostileOrgId }).first('id')).id,
      {
        werknemer: { firstName: '＠SUM(A1)', lastName: 'Test' },
        opleiding: { trainingName: '＝HYPERLINK("http://evil.example";"klik")', odbNumber: '54321' },
      },
    );
    expect((await postForm(employerAgent, `${draft}/overzicht`, { actie: 'volgende', declaration: 'ja' })).status).toBe(
      303,
    );
    const csv = await employerAgent.get('/mijn-dossiers/export.csv');
    const line = csv.text.split('\r\n').find((l) => l.includes('HYPERLINK'))!;
    expect(line).toContain(`;'＠SUM(A1) Test;`);
    expect(line).toContain(`;"'＝HYPERLINK(""http://evil.example"";""klik"")";`);
  });

  it('the PDF receipt prints the names and the title literally, as text', async () => {
    const pdf = await employerAgent
      .get(`/mijn-dossiers/${nummer}/ontvangstbevestiging.pdf`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const text = (await pdfText(pdf.body as Buffer)).replace(/\s+/g, ' ');
    expect(text).toContain(`<script>alert('voornaam')</script>`);
    expect(text).toContain(`O'Brien"; DROP TABLE dossier;--`);
    expect(text).toContain('<b onmouseover=alert(1)>Opleiding</b>');
  });

  it('the e-mails escape the HTML part, keep the text part literal, and carry no injected header or recipient', async () => {
    // Through a real SMTP server: the headers and the envelope are what they should be.
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: t.database.url,
      PUBLIC_URL: TEST_PUBLIC_URL,
      LOG_LEVEL: 'silent',
      SMTP_URL: smtp.url,
    });
    const worker = createMailWorker({ db: t.database.db, config, logger: createLogger('silent') });
    for (let i = 0; i < 10 && (await worker.runOnce()).sent > 0; i++);
    await worker.stop();
    // The outbox keeps what was sent (the receipts are rendered by the worker from their data).
    const rows = await t.database.db('mail_outbox').whereNotNull('sent_at').select('*');
    const receiptMails = rows.filter((r) => r.subject.includes(nummer));
    const requestMail = rows.find((r) => r.kind === 'right-requested');
    expect(receiptMails).toHaveLength(2);
    expect(requestMail).toBeDefined();
    for (const m of [...receiptMails, requestMail]) expect(rawIn(m.html_body), m.kind).toEqual([]);
    const employee = receiptMails.find((m) => m.kind === 'refund-receipt-employee')!;
    expect(employee.text_body).toContain(payload.firstName);
    expect(employee.html_body).toContain('&lt;script&gt;alert(&#39;voornaam&#39;)&lt;/script&gt;');
    expect(requestMail.html_body).toContain('&lt;script&gt;alert(&#39;eva&#39;)&lt;/script&gt;');

    const delivered = smtp.messages.filter(
      (m) => m.subject.includes(nummer) || m.subject.startsWith('Aanvraag gebruikersrecht'),
    );
    expect(delivered).toHaveLength(3);
    for (const m of delivered) {
      expect(m.to).toHaveLength(1);
      expect(m.headers.has('bcc')).toBe(false);
      expect(m.to[0]).not.toContain('attacker');
      expect(
        [...m.headers.keys()].filter(
          (h) => !/^(from|to|subject|message-id|date|mime-version|content-type|content-transfer-encoding)$/.test(h),
        ),
      ).toEqual([]);
    }
    const adminMail = delivered.find((m) => m.subject.startsWith('Aanvraag gebruikersrecht'))!;
    expect(adminMail.to).toEqual(['an.beheerder@example.be']);
    expect(adminMail.subject).toContain('Bcc: evil@attacker.example'); // shown as text in the subject, not a header
    expect(adminMail.subject).not.toMatch(/[\r\n]/);
    expect(decodeHtml(adminMail.html)).toContain(`<script>alert('eva')</script>`);
    expect(adminMail.html).not.toMatch(/<script>alert\(/);
  });
});

describe('the clock of this file', () => {
  it('is pinned (the fixtures date their answers in 2025)', () => {
    expect(fixedClock()).toEqual(TODAY);
  });
});
