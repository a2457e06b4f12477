import net from 'node:net';

/**
 * A loopback proxy in front of PostgreSQL that records the SQL of every statement on the wire (a simple Query, the
 * Parse of an unnamed extended one, or the Bind of a named prepared statement, whose text its first Parse gave). Point an app's database URL (its knex pool and its session store) at
 * `recorder.url` and read what one request sends with `recorder.during(...)`; nothing in pg is patched.
 */
export interface SqlRecorder {
  /** `target` with host and port replaced by the proxy's. */
  url: string;
  /** The statements sent while `send` runs, whitespace collapsed. */
  during<T>(send: () => Promise<T>): Promise<{ result: T; sent: string[] }>;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;

export async function startSqlRecorder(targetUrl: string): Promise<SqlRecorder> {
  const target = new URL(targetUrl);
  let sent: string[] | null = null;
  const named = new Map<string, string>(); // a prepared statement's name → its SQL (the text behind a name never changes)
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    let started = false; // the startup message (and an SSLRequest) have no type byte
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= (started ? 5 : 8)) {
        const size = started ? 1 + pending.readInt32BE(1) : pending.readInt32BE(0);
        if (pending.length < size) break;
        const message = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (!started) {
          started = message.readInt32BE(4) !== SSL_REQUEST;
          continue;
        }
        const type = String.fromCharCode(message[0]);
        const body = message.subarray(5);
        const cString = (at: number) => body.subarray(at, body.indexOf(0, at)).toString();
        let sql: string | undefined;
        if (type === 'Q') sql = cString(0);
        if (type === 'P') {
          const name = cString(0);
          const text = cString(name.length + 1);
          if (name) named.set(name, text);
          else sql = text;
        }
        if (type === 'B') sql = named.get(cString(cString(0).length + 1)); // portal name, then statement name
        if (sql !== undefined && sent) sent.push(sql.replace(/\s+/g, ' ').trim());
      }
      upstream.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    async during(send) {
      sent = [];
      try {
        const result = await send();
        return { result, sent };
      } finally {
        sent = null;
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
