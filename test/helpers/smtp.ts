import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  messageId: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  raw: string;
}

/** What the server does with the next DATA: accept it, refuse it with a 4xx, or never answer (a hung server). */
export type SmtpBehaviour = 'accept' | 'reject' | 'stall';

export interface SmtpCapture {
  url: string;
  port: number;
  messages: CapturedMail[];
  /** How many DATA commands arrived (also the refused and stalled ones). */
  readonly dataAttempts: number;
  behaviour: SmtpBehaviour;
  /** Resolves with the first captured message matching `pred`, waiting up to `timeoutMs`. */
  waitFor(pred: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Stops listening and drops open connections (an SMTP outage). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (random port) that keeps every message it accepts, parsed. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  let dataAttempts = 0;
  let port = 0;
  let server: SMTPServer | undefined;
  let behaviour: SmtpBehaviour = 'accept';

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 200,
      onData(stream, session, callback) {
        dataAttempts++;
        const mode = behaviour;
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (mode === 'stall') return; // never answer: the client waits until its time-out or death
          if (mode === 'reject') {
            const err = new Error('Mailbox temporarily unavailable') as Error & { responseCode: number };
            err.responseCode = 451;
            return callback(err);
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          messages.push({
            ...parseMessage(raw),
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          });
          callback();
        });
      },
    });

  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = create();
      server.on('error', () => {}); // client resets during a stop are expected
      const onError = (err: Error) => reject(err);
      server.server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server!.server.off('error', onError);
        port = (server!.server.address() as AddressInfo).port;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      // smtp-server's close waits for clients to finish; an outage does not: destroy them.
      for (const conn of (s as unknown as { connections: Set<{ _socket?: { destroy(): void } }> }).connections ?? [])
        conn._socket?.destroy();
      s.close(() => resolve());
    });

  await start();

  return {
    get behaviour() {
      return behaviour;
    },
    set behaviour(value: SmtpBehaviour) {
      behaviour = value;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    messages,
    get dataAttempts() {
      return dataAttempts;
    },
    async waitFor(pred: (m: CapturedMail) => boolean, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(pred);
        if (found) return found;
        if (Date.now() > until)
          throw new Error(`no matching mail within ${timeoutMs} ms (${messages.length} captured)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop,
    start,
  };
}

// --- a small MIME reader: enough for what nodemailer writes (multipart/alternative, quoted-printable, base64) ---

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at === -1 ? raw : raw.slice(0, at);
  const body = at === -1 ? '' : raw.slice(at + 4);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): Buffer {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '').toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** RFC 2047 encoded words in headers (=?UTF-8?Q?...?= and =?UTF-8?B?...?=). */
function decodeHeader(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

function collectParts(raw: string, out: { text: string; html: string }): void {
  const { headers, body } = splitHeaders(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      collectParts(part.replace(/^\r\n/, '').replace(/\r\n$/, ''), out);
    }
    return;
  }
  const decoded = decodeBody(body, headers['content-transfer-encoding']);
  if (/^text\/html/i.test(type)) out.html = decoded;
  else if (/^text\/plain/i.test(type)) out.text = decoded;
}

function parseMessage(raw: string): Omit<CapturedMail, 'to' | 'from'> {
  const { headers } = splitHeaders(raw);
  const out = { text: '', html: '' };
  collectParts(raw, out);
  return {
    subject: decodeHeader(headers.subject ?? ''),
    messageId: headers['message-id'] ?? '',
    text: out.text.replace(/\r\n/g, '\n'),
    html: out.html.replace(/\r\n/g, '\n'),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, decodeHeader(v)])),
    raw,
  };
}
