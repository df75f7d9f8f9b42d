import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'test') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('docs/errors.md', () => {
  it('documents every error and rejection code the source uses', () => {
    const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
    const used = new Set<string>();
    for (const top of ['packages', 'services', 'bench']) {
      for (const file of sources(join(root, top))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/'(ASP_(?:ERR|REJ)_[A-Z0-9_]+)'/g))
          used.add(m[1]!);
      }
    }
    expect(used.size).toBeGreaterThan(30);
    const missing = [...used].filter((code) => !doc.includes(`\`${code}\``)).sort();
    expect(missing).toEqual([]);
  });
});
