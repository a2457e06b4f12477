/**
 * Reference server 1: the ceiling for serving a page. A bare node:http server that answers every request
 * with the bytes of figure (b)'s page, captured from the portal, from memory.
 * Environment: BENCH_PORT, BENCH_PAGE_FILE. Prints one JSON line { port } once listening.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const page = readFileSync(process.env.BENCH_PAGE_FILE!);
const port = Number(process.env.BENCH_PORT);
const server = createServer((_req, res) => {
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': page.length,
    'Cache-Control': 'no-store',
  });
  res.end(page);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port })}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
