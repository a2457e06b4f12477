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

/**
 * Data a particular request will need, read in the same statement as its session, so that such a request
 * makes no round trip of its own for it (a form page's draft). A LATERAL subquery after the SessionJoin
 * (which it may read as `j`, e.g. `j.organisation_id`) that yields exactly one row; its columns are
 * available through takePageRow(req, read, bindings). The statement is prepared once per connection.
 */
export interface PageRead {
  /** Names the prepared statement; unique among the reads. */
  name: string;
  /** The subquery, its parameters numbered from `first` ($first, $first+1, …). */
  sql(first: number): string;
  /** This request's parameters, or null when the request needs no such read. */
  bindings(req: Request): unknown[] | null;
}

/** What was read with a request's session: the SessionJoin's row, and a PageRead's row until it is taken. */
interface ReadWithSession {
  joined: Record<string, unknown> | null;
  page?: { read: PageRead; bindings: unknown[]; row: Record<string, unknown> };
}
const READ = Symbol('read with the session');
type WithRead = { [READ]?: ReadWithSession };
// From the store's get to express-session's createSession, by session object: a property on the session
// would have to be deleted again, and a deleted property slows every later use of an object.
const readBySession = new WeakMap<object, ReadWithSession>();

/** The row of the SessionJoin read with this request's session; undefined when no stored session was read. */
export function joinedRow<Row>(req: Request): Row | null | undefined {
  return (req as Request & WithRead)[READ]?.joined as Row | null | undefined;
}

/**
 * Takes the row `read` gave with this request's session, when it was read with these `bindings` (the caller's
 * own view of the request, so a read never answers a question it was not asked); otherwise undefined. Once
 * only: a later read in the same request (after a write) must go to the database.
 */
export function takePageRow<Row>(req: Request, read: PageRead, bindings: readonly unknown[]): Row | undefined {
  const held = (req as Request & WithRead)[READ];
  const page = held?.page;
  if (!page || page.read !== read || JSON.stringify(page.bindings) !== JSON.stringify(bindings)) return undefined;
  held!.page = undefined;
  return page.row as Row;
}

export function createSession(
  config: Config,
  databaseUrl: string,
  options: { pruneExpired?: boolean; join?: SessionJoin; reads?: readonly PageRead[] } = {},
): SessionParts {
  const BaseStore = connectPgSimple(session);
  // Every request reads its session (and the auth context with it) here: as many connections as the app's pool.
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: config.database.poolMax,
    application_name: 'wse-loket-sessions',
    connectionTimeoutMillis: 5_000,
  });
  // A lost idle connection (database restart) must not crash the process.
  pool.on('error', () => {});
  const { join } = options;
  const reads = join ? (options.reads ?? []) : [];
  const statement = (read?: PageRead) =>
    `SELECT s.sess, to_jsonb(j) AS joined${read ? ', p.*' : ''} FROM "session" s LEFT JOIN LATERAL (${join!.sql}) j ON true` +
    (read ? ` LEFT JOIN LATERAL (${read.sql(3 + join!.bindings.length)}) p ON true` : '') +
    ' WHERE s.sid = $1 AND s.expire >= to_timestamp($2)';
  // Prepared once per connection: PostgreSQL parses and plans these on every request otherwise.
  const statements = join
    ? new Map<PageRead | undefined, { name: string; text: string }>(
        [undefined, ...reads].map((read) => [
          read,
          { name: `session${read ? `+${read.name}` : ''}`, text: statement(read) },
        ]),
      )
    : null;
  // express-session calls store.get synchronously from its middleware: the request being read is this one.
  let reading: Request | undefined;
  // connect-pg-simple's store, reading the session together with the join's (and a page read's) row.
  class PgStore extends BaseStore {
    override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
      if (!statements) return super.get(sid, callback);
      const req = reading?.sessionID === sid ? reading : undefined;
      reading = undefined;
      let page: { read: PageRead; bindings: unknown[] } | undefined;
      for (const read of req ? reads : []) {
        const bindings = read.bindings(req!);
        if (bindings) {
          page = { read, bindings };
          break;
        }
      }
      const { name, text } = statements.get(page?.read)!;
      pool
        .query<{ sess: SessionData; joined: Record<string, unknown> | null }>({
          name,
          text,
          values: [sid, Math.ceil(Date.now() / 1000), ...join!.bindings, ...(page?.bindings ?? [])],
        })
        // The callback runs outside the promise chain (as in connect-pg-simple): whatever the rest of the
        // request throws must not become an unhandled rejection.
        .then(
          ({ rows: [row] }) => {
            if (row) {
              const { sess, joined, ...pageColumns } = row;
              readBySession.set(sess, { joined, ...(page ? { page: { ...page, row: pageColumns } } : {}) });
            }
            process.nextTick(callback, null, row ? row.sess : null);
          },
          (err: unknown) => process.nextTick(callback, err),
        );
    }

    override createSession(req: Request, sess: SessionData) {
      (req as Request & WithRead)[READ] = readBySession.get(sess);
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

  const sessionMiddleware = session({
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

  const middleware: RequestHandler = (req, res, next) => {
    reading = req;
    try {
      sessionMiddleware(req, res, next);
    } finally {
      reading = undefined;
    }
  };

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
