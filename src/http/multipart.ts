import busboy from 'busboy';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

export interface UploadedFile {
  field: string;
  filename: string;
  declaredType: string;
  data: Buffer;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      files?: UploadedFile[];
    }
  }
}

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Parses multipart/form-data into req.body and req.files (in memory, bounded) before the CSRF check,
 * so upload forms carry their token in the body like every other form.
 */
export function multipart(
  limits = { fileSize: MAX_UPLOAD_BYTES, files: 5, fields: 300, fieldSize: 100_000 },
): RequestHandler {
  return (req, _res, next) => {
    if (!req.is('multipart/form-data')) return next();
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits, defParamCharset: 'utf8' });
    } catch {
      return next(new HttpError(400, 'Het formulier kon niet gelezen worden.'));
    }
    const body: Record<string, string> = {};
    const files: UploadedFile[] = [];
    let failed: HttpError | undefined;
    let finished = false;
    const fail = (e: HttpError) => {
      if (!failed) failed = e;
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      if (failed) return next(failed);
      req.body = body;
      req.files = files;
      next();
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new HttpError(413));
      else if (!(name in body)) body[name] = value;
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => fail(new HttpError(413)));
      // A body that ends inside a file (a cut connection, a crafted request) errors the file stream too; unheard,
      // that error was an uncaught exception that stopped the whole process. The parser's own error answers 400.
      stream.on('error', () => fail(new HttpError(400, 'Het formulier kon niet gelezen worden.')));
      stream.on('close', () => {
        // An empty file input still sends a part without a name; it is no upload.
        if (!info.filename && chunks.length === 0) return;
        files.push({ field, filename: info.filename ?? '', declaredType: info.mimeType, data: Buffer.concat(chunks) });
      });
    });
    parser.on('filesLimit', () => fail(new HttpError(413)));
    parser.on('fieldsLimit', () => fail(new HttpError(413)));
    parser.on('error', () => {
      fail(new HttpError(400, 'Het formulier kon niet gelezen worden.'));
      req.unpipe(parser);
      req.resume();
      finish();
    });
    parser.on('close', finish);
    req.pipe(parser);
  };
}
