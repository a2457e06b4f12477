import type { AddressInfo } from 'node:net';
import { simpleParser, type Headers } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  /** Envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  subject: string;
  messageId: string;
  text: string;
  html: string;
  /** Every header by lower-case name, decoded by mailparser. */
  headers: Headers;
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
  /** Milliseconds the server waits before it answers an accepted DATA (a slow relay); 0 by default. */
  answerDelayMs: number;
  /** Resolves with the first captured message matching `pred`, waiting up to `timeoutMs`. */
  waitFor(pred: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Stops listening and drops open connections (an SMTP outage). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (random port) that keeps every message it accepts, parsed by mailparser. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  let dataAttempts = 0;
  let port = 0;
  let server: SMTPServer | undefined;
  let behaviour: SmtpBehaviour = 'accept';
  let answerDelayMs = 0;

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
          const raw = Buffer.concat(chunks);
          const delay = answerDelayMs;
          simpleParser(raw).then(
            async (mail) => {
              if (delay > 0) await new Promise((r) => setTimeout(r, delay));
              messages.push({
                to: session.envelope.rcptTo.map((r) => r.address),
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                subject: mail.subject ?? '',
                messageId: mail.messageId ?? '',
                text: mail.text ?? '',
                html: mail.html || '',
                headers: mail.headers,
                raw: raw.toString('utf8'),
              });
              callback();
            },
            (err: Error) => callback(err),
          );
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
    get answerDelayMs() {
      return answerDelayMs;
    },
    set answerDelayMs(value: number) {
      answerDelayMs = value;
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
