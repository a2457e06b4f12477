import type { Request, RequestHandler } from 'express';
import session, { type SessionData } from 'express-session';
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

/**
 * Data read in the same statement as the session (one round trip less on every request): a LATERAL subquery
 * over the session row `s`, whose `s.sess` is the session's json. Its row (or null: no row) is available to
 * later middleware through joinedRow(req). Parameters are $3, $4, … (`bindings`).
 */
export interface SessionJoin {
  sql: string;
  bindings: readonly unknown[];
}

const JOINED = Symbol('row read with the session');
type WithJoined = { [JOINED]?: Record<string, unknown> | null };

/** The row of the SessionJoin read with this request's session; undefined when no stored session was read. */
export function joinedRow<Row>(req: Request): Row | null | undefined {
  return (req as Request & WithJoined)[JOINED] as Row | null | undefined;
}

export function createSession(config: Config, databaseUrl: string, options: { pruneExpired?: boolean; join?: SessionJoin } = {}): SessionParts {
  const BaseStore = connectPgSimple(session);
  // Every request reads its session (and the auth context with it) here: as many connections as the app's pool.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: config.database.poolMax, application_name: 'wse-loket-sessions', connectionTimeoutMillis: 5_000 });
  // A lost idle connection (database restart) must not crash the process.
  pool.on('error', () => {});
  const { join } = options;
  // connect-pg-simple's store, reading the session together with the join's row; its symbol key stays out of
  // the session's own data (express-session copies and hashes only enumerable string keys).
  class PgStore extends BaseStore {
    override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
      if (!join) return super.get(sid, callback);
      pool
        .query<{ sess: SessionData & WithJoined; joined: Record<string, unknown> | null }>(
          `SELECT s.sess, to_jsonb(j) AS joined FROM "session" s LEFT JOIN LATERAL (${join.sql}) j ON true WHERE s.sid = $1 AND s.expire >= to_timestamp($2)`,
          [sid, Math.ceil(Date.now() / 1000), ...join.bindings],
        )
        // The callback runs outside the promise chain (as in connect-pg-simple): whatever the rest of the
        // request throws must not become an unhandled rejection.
        .then(
          ({ rows: [row] }) => {
            if (row) row.sess[JOINED] = row.joined;
            process.nextTick(callback, null, row ? row.sess : null);
          },
          (err: unknown) => process.nextTick(callback, err),
        );
    }

    override createSession(req: Request, sess: SessionData & WithJoined) {
      (req as Request & WithJoined)[JOINED] = sess[JOINED];
      delete sess[JOINED];
      return super.createSession(req, sess);
    }
  }
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
    const now = Date.now();
    if (s.personId === undefined) return next();
    const tooOld = s.createdAt !== undefined && now - s.createdAt > maxAgeMs;
    const idle = s.lastSeenAt !== undefined && now - s.lastSeenAt > idleMs;
    if (tooOld || idle) {
      return s.regenerate((err) => {
        if (err) return next(err);
        req.session.expiredNotice = true;
        res.redirect(303, paths.sessionExpired);
      });
    }
    if (s.lastSeenAt === undefined || now - s.lastSeenAt > TOUCH_AFTER_MS) s.lastSeenAt = now;
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
