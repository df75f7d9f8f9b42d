import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Health {
  /** true when the service does its job; false makes /health answer 503. */
  ok: boolean;
  [detail: string]: unknown;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The operations endpoint every service exposes: GET /health (JSON, 200 or
 * 503) and GET /metrics (Prometheus text). Nothing else is served.
 */
export async function startOpsServer(opts: {
  host: string;
  port: number;
  registry: Registry;
  health: () => Health | Promise<Health>;
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    if (req.method !== 'GET') return reply(405, 'text/plain', 'method not allowed\n');
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => reply(200, opts.registry.contentType, text),
        (err: unknown) => reply(500, 'text/plain', `${String(err)}\n`),
      );
      return;
    }
    if (path === '/health') {
      Promise.resolve(opts.health()).then(
        (h) => reply(h.ok ? 200 : 503, 'application/json', `${JSON.stringify(h)}\n`),
        (err: unknown) =>
          reply(503, 'application/json', `${JSON.stringify({ ok: false, error: String(err) })}\n`),
      );
      return;
    }
    reply(404, 'text/plain', 'not found: try /health or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = addr && typeof addr === 'object' ? addr.port : opts.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
