import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'wse-loket' },
      // Belt and braces: the code never logs these, and if a library does, they are hidden. A PostgreSQL error's
      // `detail` quotes the row's values (an INSZ in a duplicate key).
      redact: {
        paths: [
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.insz',
          '*.SAMLResponse',
          '*.password',
          '*.detail',
          'err.cause.detail',
        ],
        censor: '[verborgen]',
      },
    },
    // Asynchronous, buffered writes: a log line never blocks a request, lines go out 4 KB at a time (a write per
    // line was ~3 % of a form page's CPU in `npm run bench`) and at least every second; pino flushes what is left
    // synchronously when the process exits.
    destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 1000 }),
  );
}

/** An upstream X-Request-Id we keep (a UUID, a load balancer's trace id): nothing that could forge a log line. */
const UPSTREAM_ID = /^[A-Za-z0-9][A-Za-z0-9._:+=/-]{7,127}$/;

/** Express's compiled TRUST_PROXY: does this address belong to a proxy we trust? */
export type TrustProxy = (address: string | undefined, hop: number) => boolean;

/**
 * One request id per request: logged, echoed in X-Request-Id and shown on error pages. A trusted proxy's own id is
 * kept, so one id follows the request from the load balancer's log to ours.
 */
export function requestLogger(logger: Logger, trustProxy: TrustProxy = () => false) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const upstream = req.headers['x-request-id'];
      const trusted =
        typeof upstream === 'string' && UPSTREAM_ID.test(upstream) && trustProxy(req.socket.remoteAddress, 0);
      const id = trusted ? upstream : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Paths only: query strings may carry SAML messages or search terms.
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
  });
}
