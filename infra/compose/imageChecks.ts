import { join, matchesGlob } from 'node:path';
import { parse } from 'yaml';
import { copies, type Dockerfile, dockerignore, parseDockerfile } from './dockerfile.ts';
import { commandLine, environment } from './model.ts';
import { type Repo, rel } from './repo.ts';
import { type Check, pinned } from './serviceChecks.ts';

interface Build {
  service: string;
  context: string;
  dockerfile: string;
  target?: string;
}

function builds(repo: Repo): Build[] {
  return Object.entries(repo.compose.services).flatMap(([service, s]) => {
    if (!s.build) return [];
    const b = typeof s.build === 'string' ? { context: s.build } : s.build;
    const context = rel(b.context ?? '.');
    return [
      { service, context, dockerfile: rel(join(context, b.dockerfile ?? 'Dockerfile')), target: b.target },
    ];
  });
}

function load(repo: Repo, path: string): Dockerfile | undefined {
  const text = repo.read(path);
  return text === undefined ? undefined : parseDockerfile(text);
}

export const buildTargets: Check = (repo) =>
  builds(repo).flatMap((b) => {
    if (!repo.exists(b.context)) return [`${b.service}: build context ${b.context} does not exist`];
    const df = load(repo, b.dockerfile);
    if (!df) return [`${b.service}: ${b.dockerfile} does not exist`];
    const names = df.stages.map((s) => s.name);
    if (b.target && !names.includes(b.target)) {
      return [
        `${b.service}: build target "${b.target}" is not a stage of ${b.dockerfile} (${names.join(', ')})`,
      ];
    }
    return [];
  });

/**
 * A literal COPY source must exist and survive .dockerignore: BuildKit skips
 * missing sources of `COPY --parents` silently, so a build would not say.
 * Wildcards may match nothing (the manifests glob before bench/ and test/ are
 * packages); workspaceInstall checks the manifests they must cover.
 */
function copySources(repo: Repo, context: string, dockerfile: string): string[] {
  const df = load(repo, dockerfile);
  if (!df) return [];
  const ignored = dockerignore(repo.read(join(context, '.dockerignore')) ?? '');
  const stages = new Set<string>();
  const problems: string[] = [];
  for (const stage of df.stages) {
    if (!pinned(stage.image)) problems.push(`${dockerfile}: FROM ${stage.image} is not pinned to a version`);
    stages.add(stage.name);
    for (const c of copies({ stages: [stage] })) {
      if (c.flags.from) {
        if (!stages.has(c.flags.from))
          problems.push(`${dockerfile}: ${c.text}: no earlier stage ${c.flags.from}`);
        continue;
      }
      for (const src of c.sources.filter((x) => !/[*?[]/.test(x)).map(rel)) {
        if (!repo.exists(join(context, src)))
          problems.push(`${dockerfile}: ${c.text}: ${src} does not exist`);
        else if (src !== '.' && ignored(src))
          problems.push(`${dockerfile}: ${c.text}: .dockerignore excludes ${src}`);
      }
    }
  }
  return problems;
}

export const dockerfileSources: Check = (repo) => {
  const seen = new Set<string>();
  return builds(repo).flatMap((b) => {
    if (seen.has(b.dockerfile)) return [];
    seen.add(b.dockerfile);
    return copySources(repo, b.context, b.dockerfile).map((p) => `${b.service}: ${p}`);
  });
};

/**
 * The deps stage must see every manifest the lockfile covers, or `--frozen-lockfile` fails (or
 * installs less), and every patch pnpm-workspace.yaml names.
 */
export const workspaceInstall: Check = (repo) => {
  const df = load(repo, 'Dockerfile');
  if (!df) return ['Dockerfile: missing'];
  const stage = df.stages.find((s) => s.instructions.some((i) => /\bpnpm install\b/.test(i.args)));
  if (!stage) return ['Dockerfile: no stage runs pnpm install'];
  const install = stage.instructions.find((i) => /\bpnpm install\b/.test(i.args))?.args ?? '';
  const problems = install.includes('--frozen-lockfile')
    ? []
    : ['Dockerfile: pnpm install without --frozen-lockfile'];
  const sources = copies({ stages: [stage] }).flatMap((c) => c.sources.map(rel));
  const ignored = dockerignore(repo.read('.dockerignore') ?? '');
  const workspace = parse(repo.read('pnpm-workspace.yaml') ?? '') as {
    packages?: string[];
    patchedDependencies?: Record<string, string>;
  } | null;
  const manifests = (workspace?.packages ?? []).flatMap((g) => repo.glob(`${g}/package.json`));
  // pnpm applies the patches at install and fails when one is missing.
  const patches = Object.values(workspace?.patchedDependencies ?? {}).map(rel);
  for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', ...manifests, ...patches]) {
    if (!sources.some((s) => matchesGlob(file, s))) {
      problems.push(`Dockerfile: stage ${stage.name} installs without copying ${file}`);
    } else if (ignored(file)) {
      problems.push(`Dockerfile: stage ${stage.name} needs ${file}, which .dockerignore excludes`);
    }
  }
  const pkg = JSON.parse(repo.read('package.json') ?? '{}') as {
    devEngines?: { packageManager?: { name?: string; version?: string } };
    engines?: { node?: string };
  };
  // The pin lives in devEngines.packageManager (the packageManager field made pnpm 12 look
  // itself up on the registry at every run).
  const pinned = pkg.devEngines?.packageManager;
  const want = pinned ? `${pinned.name}@${pinned.version}` : undefined;
  const pnpm = stage.instructions.map((i) => i.args.match(/pnpm@[\w.-]+/)?.[0]).find(Boolean);
  if (pnpm !== want) {
    problems.push(`Dockerfile: installs ${pnpm ?? 'an unpinned pnpm'}, package.json pins ${want}`);
  }
  const major = pkg.engines?.node?.match(/\d+/)?.[0];
  for (const s of df.stages) {
    if (!s.image.startsWith(`node:${major}`))
      problems.push(`Dockerfile: stage ${s.name} is ${s.image}, not Node ${major}`);
  }
  return problems;
};

export const runtimeStage: Check = (repo) =>
  builds(repo).flatMap((b) => {
    const stage = load(repo, b.dockerfile)?.stages.find((s) => s.name === b.target);
    if (!stage) return [];
    const last = (kw: string) => stage.instructions.filter((i) => i.keyword === kw).pop()?.args;
    const problems: string[] = [];
    const user = last('USER');
    if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`${b.service}: stage ${stage.name} runs as root`);
    if (!stage.instructions.some((i) => i.keyword === 'ENV' && /NODE_ENV=production\b/.test(i.args))) {
      problems.push(`${b.service}: stage ${stage.name} does not set NODE_ENV=production`);
    }
    return problems;
  });

export const buildContext: Check = (repo) => {
  const ignored = dockerignore(repo.read('.dockerignore') ?? '');
  return ['node_modules', 'packages/wal/node_modules', '.tools', '.data', '.git', '.env']
    .filter((p) => !ignored(p))
    .map((p) => `.dockerignore: ${p} would be sent to the build (and copied over the image's own)`);
};

/** The files our services run must be in the image: in the repository and not excluded from the context. */
export const entryFiles: Check = (repo) => {
  const ignored = dockerignore(repo.read('.dockerignore') ?? '');
  return builds(repo).flatMap(({ service }) =>
    commandLine(repo.compose.services[service] ?? {})
      .filter((a) => a.endsWith('.ts'))
      .flatMap((f) => {
        if (!repo.exists(f)) return [`${service}: runs ${f}, which does not exist (yet)`];
        return ignored(f) ? [`${service}: runs ${f}, which .dockerignore keeps out of the image`] : [];
      }),
  );
};

/** A variable compose sets but no code reads is a typo or a rename someone missed. */
export const variablesRead: Check = (repo) => {
  const sources = ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts', 'bench/src/**/*.ts']
    .flatMap((g) => repo.glob(g))
    .map((f) => repo.read(f) ?? '')
    .join('\n');
  return builds(repo).flatMap(({ service }) =>
    Object.keys(environment(repo.compose.services[service] ?? {}))
      .filter((v) => !new RegExp(`\\b${v}\\b`).test(sources))
      .map((v) => `${service}: sets ${v}, which no source under packages/, services/ or bench/ reads`),
  );
};
