import type { RequestHandler } from 'express';
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import pg from 'pg';
import type { Config } from '../config.js';
import { paths } from '../paths.js';

export interface SessionParts {
  middleware: RequestHandler;
  /** Ends idle or too old sessions with a notice instead of a silent loss. */
  timeouts: RequestHandler;
  close(): Promise<void>;
}

/** How often at most a request that only reads refreshes the idle timer (a session write). */
const TOUCH_AFTER_MS = 60_000;

/** Sessions in PostgreSQL (connect-pg-simple), so that any instance serves any request; `now` is the app's clock. */
export function createSession(
  config: Config,
  databaseUrl: string,
  options: { pruneExpired?: boolean; now?: () => Date } = {},
): SessionParts {
  const now = options.now ?? (() => new Date());
  const PgStore = connectPgSimple(session);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: config.database.poolMax,
    application_name: 'wse-loket-sessions',
    connectionTimeoutMillis: 5_000,
  });
  // A lost idle connection (database restart) must not crash the process.
  pool.on('error', () => {});
  const maxAgeMs = config.session.maxHours * 3_600_000;
  const idleMs = config.session.idleMinutes * 60_000;
  const store = new PgStore({
    pool,
    tableName: 'session',
    ttl: Math.ceil(maxAgeMs / 1000),
    // Idle time is tracked in the session itself (see timeouts), so reads need no UPDATE per request.
    disableTouch: true,
    pruneSessionInterval: options.pruneExpired === false ? false : 15 * 60,
    errorLog: () => {},
  });

  const middleware = session({
    name: config.isProduction ? '__Host-loket' : 'loket',
    secret: config.session.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'destroy',
    proxy: config.trustProxy !== false,
    // A browser-session cookie: the server decides about idle and absolute time-outs.
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.session.cookieSecure, path: '/' },
  });

  const timeouts: RequestHandler = (req, res, next) => {
    const s = req.session;
    if (!s) return next();
    // express-session stores a changed session while the response ends, after a redirect's headers are on
    // the wire: a browser that follows at once can read the old session (expressjs/session#360), e.g. lose the
    // organisation just chosen. So a redirect waits for the save when the session changed.
    const before = JSON.stringify(s);
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      if (!req.session || JSON.stringify(req.session) === before) return redirect(...args);
      req.session.save((err) => (err ? req.next?.(err) : redirect(...args)));
    }) as typeof res.redirect;
    if (s.personId === undefined) return next();
    const at = now().getTime();
    const tooOld = s.createdAt !== undefined && at - s.createdAt > maxAgeMs;
    const idle = s.lastSeenAt !== undefined && at - s.lastSeenAt > idleMs;
    if (tooOld || idle) {
      return s.regenerate((err) => {
        if (err) return next(err);
        req.session.expiredNotice = true;
        res.redirect(303, paths.sessionExpired);
      });
    }
    if (s.lastSeenAt === undefined || at - s.lastSeenAt > TOUCH_AFTER_MS) s.lastSeenAt = at;
    next();
  };

  return {
    middleware,
    timeouts,
    close: async () => {
      store.close();
      await pool.end();
    },
  };
}
