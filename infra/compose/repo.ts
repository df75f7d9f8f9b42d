import { existsSync, globSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { type Compose, loadCompose } from './model.ts';

/**
 * What the checks may look at: the parsed compose file and the repository's
 * files by path relative to its root. A test replaces `compose` or `read` to
 * prove a check fails on a broken stack without touching the real files.
 */
export interface Repo {
  compose: Compose;
  read(path: string): string | undefined;
  exists(path: string): boolean;
  glob(pattern: string): string[];
}

/** A path from the compose file or the Dockerfile, relative to the root: `./infra/x` → `infra/x`. */
export const rel = (path: string): string => normalize(path);

export function repoAt(root: string): Repo {
  return {
    compose: loadCompose(root),
    read: (path) => {
      const file = join(root, rel(path));
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    },
    exists: (path) => existsSync(join(root, rel(path))),
    glob: (pattern) => globSync(rel(pattern), { cwd: root, exclude: (p) => p.includes('node_modules') }),
  };
}

/** A copy of `repo` whose file `path` reads as `text` (undefined: the file is missing). */
export function withFile(repo: Repo, path: string, text: string | undefined): Repo {
  const is = (p: string) => rel(p) === rel(path);
  return {
    ...repo,
    read: (p) => (is(p) ? text : repo.read(p)),
    exists: (p) => (is(p) ? text !== undefined : repo.exists(p)),
  };
}
