/**
 * A tiny HTTP load balancer on 127.0.0.1: each request goes to the next backend in turn (per request, not
 * per connection), so consecutive requests of one browser land on different instances. It adds an
 * X-Backend response header naming the instance that answered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Backend {
  name: string;
  port: number;
}

export interface RoundRobin {
  port: number;
  url: string;
  /** Which backend served each request, in order. */
  served: { backend: string; method: string; path: string }[];
  close(): Promise<void>;
}

export async function startRoundRobin(backends: Backend[], port = 0): Promise<RoundRobin> {
  let next = 0;
  const served: RoundRobin['served'] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const backend = backends[next++ % backends.length];
    served.push({ backend: backend.name, method: req.method ?? 'GET', path: (req.url ?? '').split('?')[0] });
    const upstream = http.request(
      { host: '127.0.0.1', port: backend.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-backend': backend.name });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
      else res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
