/**
 * Reference server 2: "the obvious implementation" of figure (b) with this stack, the way a tutorial
 * builds it: Express, Nunjucks rendering the SAME template (views/refund/steps/werknemer.njk with the
 * project's view setup, so the bytes match), express-session in PostgreSQL configured as in
 * connect-pg-simple's README (its defaults: the store touches the session row on every request), and one
 * SELECT per request for the page's data. No CSP nonce, no CSRF check, no per-request right check, no
 * request log: the portal does all of those and is measured against this.
 *
 * Environment: BENCH_PORT, DATABASE_URL (the bench database), SESSION_SECRET, BENCH_PUBLIC_URL, BENCH_CSRF
 * (the text put where the portal writes its CSRF token). Prints one JSON line { port } once listening.
 * GET /bench-login?person=<id>&organisation=<id> starts a session (bench use only, 127.0.0.1 only).
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import connectPgSimple from 'connect-pg-simple';
import express from 'express';
import session from 'express-session';
import pg from 'pg';
import { loadConfig, type Config } from '../src/config.js';
import { assetVersion } from '../src/http/assets.js';
import { configureViews } from '../src/http/views.js';
import { paths, stepPath } from '../src/paths.js';
import { helpHref, STEPS } from '../src/refund/steps.js';
import { PROJECT_ROOT } from '../src/root.js';

declare module 'express-session' {
  interface SessionData {
    benchPersonId?: number;
    benchOrganisationId?: number;
  }
}

const port = Number(process.env.BENCH_PORT);
const csrfText = process.env.BENCH_CSRF ?? '';
// The views need the production flavour of the config (no development links in the footer).
const base = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: process.env.BENCH_PUBLIC_URL, LOG_LEVEL: 'silent' });
const config: Config = { ...base, env: 'production', isProduction: true };

const app = express();
const publicDir = join(PROJECT_ROOT, 'public');
configureViews(app, config, join(PROJECT_ROOT, 'views'), `${paths.assets}/${assetVersion(publicDir)}`);

// connect-pg-simple's README, nearly word for word.
const pgPool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const PgSession = connectPgSimple(session);
app.use(
  session({
    store: new PgSession({ pool: pgPool, tableName: 'session' }),
    secret: process.env.SESSION_SECRET ?? 'obvious-implementation-secret',
    resave: false,
    saveUninitialized: false,
    cookie: { maxAge: 30 * 24 * 60 * 60 * 1000 }, // 30 days
  }),
);

app.get('/bench-login', (req, res) => {
  req.session.benchPersonId = Number(req.query.person);
  req.session.benchOrganisationId = Number(req.query.organisation);
  res.status(204).end();
});

const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const step = STEPS.find((s) => s.id === 'werknemer')!;
const stepNumber = STEPS.indexOf(step) + 1;

app.get('/terugbetaling/:draftId/werknemer', async (req, res, next) => {
  try {
    if (!req.session.benchPersonId) return res.redirect(303, '/aanmelden');
    const draftId = Number(req.params.draftId);
    const { rows } = await db.query(
      `SELECT p.id AS person_id, p.insz, p.first_name, p.last_name, p.email, o.id AS organisation_id, o.kbo, o.name, d.steps->'werknemer' AS werknemer
         FROM refund_draft d JOIN organisation o ON o.id = d.organisation_id JOIN person p ON p.id = $1
        WHERE d.id = $2 AND d.organisation_id = $3`,
      [req.session.benchPersonId, draftId, req.session.benchOrganisationId],
    );
    const row = rows[0];
    if (!row) return res.status(404).send('Niet gevonden');
    res.locals.auth = {
      person: {
        id: row.person_id,
        insz: row.insz,
        firstName: row.first_name,
        lastName: row.last_name,
        email: row.email,
      },
      organisation: { id: row.organisation_id, kbo: row.kbo, name: row.name },
      isLocalAdmin: false,
      hasVovRight: true,
    };
    res.locals.csrfToken = () => csrfText;
    res.locals.cspNonce = '';
    res.set('Cache-Control', 'no-store');
    res.render(step.view, {
      step,
      stepNumber,
      stepCount: STEPS.length,
      steps: STEPS.map((s) => ({ title: s.title, href: stepPath(draftId, s.slug) })),
      values: row.werknemer ?? {},
      errors: [],
      formAction: stepPath(draftId, step.slug),
      backHref: stepPath(draftId, STEPS[stepNumber - 2].slug),
      helpHref: helpHref(step),
      organisation: res.locals.auth.organisation,
      attachments: [],
      sections: [],
    });
  } catch (err) {
    next(err);
  }
});

const server = createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port })}\n`));
process.on('SIGTERM', () => {
  server.close(() => void Promise.all([db.end(), pgPool.end()]).finally(() => process.exit(0)));
  server.closeIdleConnections();
});
