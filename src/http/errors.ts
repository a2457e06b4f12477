import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { CSRF_ERROR_CODE } from './csrf.js';

/** An error that maps to an HTTP status and a Dutch error page. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message = '',
    readonly view?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const NET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** True for errors that mean "the database can't be reached right now" (answered with 503, not 500). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; name?: string; message?: string; cause?: unknown };
  if (e.code && (PG_UNAVAILABLE.has(e.code) || NET_UNAVAILABLE.has(e.code))) return true;
  if (e.name === 'KnexTimeoutError') return true;
  if (
    typeof e.message === 'string' &&
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      e.message,
    )
  )
    return true;
  if (e.cause) return isDatabaseUnavailable(e.cause);
  if (Array.isArray((e as { errors?: unknown[] }).errors))
    return (e as { errors: unknown[] }).errors.some(isDatabaseUnavailable);
  return false;
}

export const notFound: RequestHandler = (_req, _res, next) => next(new HttpError(404));

function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  const e = err as { code?: string; type?: string; status?: number; statusCode?: number };
  if (e?.code === CSRF_ERROR_CODE) return 403;
  if (e?.type === 'entity.too.large') return 413;
  if (isDatabaseUnavailable(err)) return 503;
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return 500;
}

const VIEWS: Record<number, string> = {
  400: 'errors/400.njk',
  401: 'errors/401.njk',
  403: 'errors/403.njk',
  404: 'errors/404.njk',
  413: 'errors/413.njk',
  415: 'errors/415.njk',
  429: 'errors/429.njk',
  503: 'errors/503.njk',
};

/** The last middleware: a Dutch page for every failure, with the request id to quote; stacks only in development. */
export function errorHandler(logger: Logger, showStack: boolean): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const status = statusOf(err);
    const requestId = String(req.id ?? '');
    // The request logger writes the one line of this request, with this error (a database outage without its stack).
    if (status >= 500) {
      const { message, code } = err as { message?: string; code?: string };
      res.err = status === 503 ? ({ type: 'DatabaseUnavailable', message, code } as unknown as Error) : (err as Error);
    }
    if (res.headersSent) return req.socket.destroy();
    const csrfFailure = (err as { code?: string })?.code === CSRF_ERROR_CODE;
    const view = err instanceof HttpError && err.view ? err.view : (VIEWS[status] ?? 'errors/500.njk');
    res.status(status);
    if (status === 503) res.setHeader('Retry-After', '10');
    res.setHeader('Cache-Control', 'no-store');
    res.render(
      view,
      {
        status,
        requestId,
        csrfFailure,
        message: err instanceof HttpError ? err.message : '',
        stack: showStack && status === 500 ? (err as Error)?.stack : undefined,
      },
      (renderErr: Error | null, html?: string) => {
        if (renderErr) {
          logger.error({ err: renderErr, requestId }, 'error page failed to render');
          res.type('text/plain').send(`Er ging iets mis (fout ${status}). Referentie: ${requestId}`);
          return;
        }
        res.send(html);
      },
    );
  };
}
