import { accessSync, constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServersError } from './errors.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the set-up script puts the binaries it builds (`scripts/bootstrap.sh`). */
export function toolsBinDir(): string {
  return join(process.env.ASP_TOOLS_DIR ?? join(repoRoot, '.tools'), 'bin');
}

/**
 * Finds a server binary: the tools folder first (the version the project pins),
 * then PATH. A missing binary names the command that builds it.
 */
export function findBinary(name: 'nats-server' | 'ferretdb-asp'): string {
  const candidates = [join(toolsBinDir(), name)];
  // Debian ships nats-server 2.9, too old for the JetStream features we use,
  // so only the tools folder is searched for it.
  if (name !== 'nats-server') {
    for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(join(dir, name));
  }
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next candidate
    }
  }
  throw new ServersError(
    'ASP_ERR_SERVER_BINARY_MISSING',
    `${name} not found in ${toolsBinDir()}: run scripts/bootstrap.sh (the README's commands do) to build it`,
  );
}
