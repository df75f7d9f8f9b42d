import { request } from 'node:http';

/**
 * True when a Docker engine answers on its socket. The `docker` client alone
 * is not enough (these machines have the client and no engine).
 */
export function dockerEngineReachable(timeoutMs = 1000): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
  if (host && !host.startsWith('unix://')) return Promise.resolve(true); // remote engine: let testcontainers try
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
