import { createServer } from 'node:net';
import { ServersError } from './errors.ts';

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/** Fails with ASP_ERR_PORT_TAKEN when something already listens on the port. */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new ServersError('ASP_ERR_PORT_TAKEN', `port ${host}:${port} is already in use`, { cause: err }),
        );
      } else reject(err);
    });
    srv.listen(port, host, () => srv.close(() => resolve()));
  });
}
