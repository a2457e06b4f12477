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
    // Asynchronous writes: a log line never blocks a request, and lines written while one write is in flight
    // go out together. pino flushes what is left synchronously when the process exits.
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** One request id per request: logged, echoed in X-Request-Id and shown on error pages. */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Paths only: query strings may carry SAML messages or search terms.
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
  });
}
