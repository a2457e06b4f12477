import net from 'node:net';

/**
 * A loopback proxy in front of PostgreSQL that records the SQL of every statement on the wire (a simple Query or
 * the Parse of an extended one). Point an app's database URL (its knex pool and its session store) at
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
        // Query: the SQL; Parse: the statement's name, then the SQL.
        const sql = type === 'Q' ? body : type === 'P' ? body.subarray(body.indexOf(0) + 1) : null;
        if (sql && sent) sent.push(sql.subarray(0, sql.indexOf(0)).toString().replace(/\s+/g, ' ').trim());
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
