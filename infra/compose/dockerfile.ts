import { matchesGlob } from 'node:path';

/**
 * Just enough of a Dockerfile reader for the consistency checks: stages, their
 * base images (global ARG defaults substituted), and the COPY/ADD instructions
 * with their flags and sources. Heredocs and exotic escapes are not needed by
 * this repository's Dockerfile and are not understood.
 */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

export interface Copy {
  stage: string;
  text: string;
  flags: Record<string, string>;
  sources: string[];
}

export interface Dockerfile {
  stages: Stage[];
}

/** Joins `\` continuations and drops comments and blank lines. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push((pending + line).trim());
    pending = '';
  }
  if (pending.trim() !== '') lines.push(pending.trim());
  return lines.filter((l) => l !== '');
}

function substitute(value: string, args: Record<string, string>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a, b) => args[a ?? b] ?? '');
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const kw = keyword.toUpperCase();
    if (kw === 'FROM') {
      const words = rest.filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      const name = (as >= 0 ? words[as + 1] : undefined) ?? String(stages.length);
      stages.push({ name, image: substitute(words[0] ?? '', globalArgs), instructions: [] });
    } else if (stages.length === 0 && kw === 'ARG') {
      const [name = '', def = ''] = args.split('=');
      globalArgs[name.trim()] = def.trim().replace(/^"|"$/g, '');
    } else {
      stages.at(-1)?.instructions.push({ keyword: kw, args });
    }
  }
  return { stages };
}

export function copies(df: Dockerfile): Copy[] {
  const out: Copy[] = [];
  for (const stage of df.stages) {
    for (const ins of stage.instructions) {
      if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || ins.args.includes('<<')) continue;
      const words = ins.args.trim().startsWith('[')
        ? (JSON.parse(ins.args) as string[])
        : ins.args.split(/\s+/);
      const flags: Record<string, string> = {};
      const rest: string[] = [];
      for (const w of words) {
        const flag = w.match(/^--([a-z-]+)(?:=(.*))?$/);
        if (flag?.[1] && rest.length === 0) flags[flag[1]] = flag[2] ?? 'true';
        else rest.push(w);
      }
      out.push({ stage: stage.name, text: `${ins.keyword} ${ins.args}`, flags, sources: rest.slice(0, -1) });
    }
  }
  return out;
}

/**
 * .dockerignore semantics: a path is excluded when the last pattern matching
 * it or one of its parent directories is not a `!` exception.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      return { negate, glob: (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '') };
    });
  return (path: string) => {
    const parts = path.replace(/^\.\//, '').split('/');
    const candidates = parts.map((_p, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const p of patterns) {
      if (candidates.some((c) => matchesGlob(c, p.glob))) ignored = !p.negate;
    }
    return ignored;
  };
}
