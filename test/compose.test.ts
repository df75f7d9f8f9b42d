import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Compose, checks, type Repo, repoAt, type Service, withFile } from '../infra/compose/index.ts';

// No machine of this project runs a Docker engine, so docker-compose.yml and
// the Dockerfile are proven by reading them: every check below lists its
// problems, each naming the offending service, and must list none. The
// checks live in infra/compose/; this file sits in test/ because vitest's
// roots (vitest.config.ts) do not include infra/.

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = repoAt(root);

describe('docker-compose.yml and the Dockerfile are consistent', () => {
  for (const [name, check] of Object.entries(checks)) {
    it(name, () => {
      expect(check(repo), `${name}: problems`).toEqual([]);
    });
  }
});

/** A copy of the repository whose compose file was changed by `edit`. */
function withCompose(edit: (c: Compose) => void): Repo {
  const compose = structuredClone(repo.compose);
  edit(compose);
  return { ...repo, compose };
}

function svc(c: Compose, name: string): Service {
  const s = c.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

/** A service's environment as a map (docker-compose.yml writes them as maps). */
const env = (c: Compose, name: string) => svc(c, name).environment as Record<string, string>;

function withText(path: string, edit: (text: string) => string): Repo {
  return withFile(repo, path, edit(repo.read(path) ?? ''));
}

const natsConf = 'infra/nats/nats-server.conf';

// Each case breaks one thing the way it happens in practice and names the
// check that must catch it and words its report must contain.
const breakages: { what: string; check: string; broken: () => Repo; says: string[] }[] = [
  {
    what: 'a depends_on typo',
    check: 'every depends_on names a service, and service_healthy only a service with a healthcheck',
    broken: () =>
      withCompose((c) => {
        svc(c, 'sequencer').depends_on = { natz: {} };
      }),
    says: ['sequencer', 'natz'],
  },
  {
    what: 'service_healthy on a service without a healthcheck',
    check: 'every depends_on names a service, and service_healthy only a service with a healthcheck',
    broken: () =>
      withCompose((c) => {
        delete svc(c, 'nats').healthcheck;
      }),
    says: ['sequencer', 'nats has no healthcheck'],
  },
  {
    what: 'an undeclared named volume',
    check: 'every named volume is declared and every bind-mounted file exists',
    broken: () =>
      withCompose((c) => {
        delete c.volumes['sequencer-data'];
      }),
    says: ['sequencer', 'sequencer-data'],
  },
  {
    what: 'a bind mount of a missing file',
    check: 'every named volume is declared and every bind-mounted file exists',
    broken: () =>
      withCompose((c) => {
        svc(c, 'nats').volumes?.splice(0, 1, './infra/nats/gone.conf:/x:ro');
      }),
    says: ['nats', 'gone.conf'],
  },
  {
    what: 'two services on one host port',
    check: 'ports are published on 127.0.0.1, no host port twice',
    broken: () =>
      withCompose((c) => {
        svc(c, 'projector').ports = ['127.0.0.1:9464:9465'];
      }),
    says: ['projector', '9464', 'sequencer'],
  },
  {
    what: 'a port published on every interface',
    check: 'ports are published on 127.0.0.1, no host port twice',
    broken: () =>
      withCompose((c) => {
        svc(c, 'mongo').ports = ['27017:27017'];
      }),
    says: ['mongo', 'every interface'],
  },
  {
    what: 'a missing NATS_URL',
    check: 'each service gets the variables it needs (NATS_URL, MONGO_URL, …)',
    broken: () =>
      withCompose((c) => {
        delete env(c, 'projector').NATS_URL;
      }),
    says: ['projector', 'NATS_URL'],
  },
  {
    what: 'a URL to a host that is not a service',
    check: 'every URL names a service of the stack, on a port it listens on, started before',
    broken: () =>
      withCompose((c) => {
        env(c, 'bench').NATS_URL = 'nats://natz:4222';
      }),
    says: ['bench', 'natz'],
  },
  {
    what: 'mongo-express without basic auth',
    check: 'mongo-express has basic auth on',
    broken: () =>
      withCompose((c) => {
        env(c, 'mongo-express').ME_CONFIG_BASICAUTH = 'false';
      }),
    says: ['mongo-express', 'ME_CONFIG_BASICAUTH'],
  },
  {
    what: 'an image without a version',
    check: 'every service has a pinned image or a build',
    broken: () =>
      withCompose((c) => {
        svc(c, 'nats').image = 'nats:latest';
      }),
    says: ['nats', 'not pinned'],
  },
  {
    what: 'the bench outside its profile',
    check: 'the bench runs only in profile bench, with the scenario as its argument',
    broken: () =>
      withCompose((c) => {
        delete svc(c, 'bench').profiles;
      }),
    says: ['bench', 'profile'],
  },
  {
    what: 'a build target the Dockerfile lacks',
    check: 'every build names an existing Dockerfile and target stage',
    broken: () =>
      withCompose((c) => {
        svc(c, 'sequencer').build = { context: '.', target: 'prod' };
      }),
    says: ['sequencer', '"prod"'],
  },
  {
    what: 'nats without sync_interval: always',
    check: 'the nats config fsyncs before acks and matches natsConfig()',
    broken: () => withText(natsConf, (t) => t.replace('sync_interval: always', 'sync_interval: "2m"')),
    says: ['nats', 'sync_interval'],
  },
  {
    what: 'nats with persist_mode: async',
    check: 'the nats config fsyncs before acks and matches natsConfig()',
    broken: () => withText(natsConf, (t) => t.replace('jetstream {', 'jetstream {\n  persist_mode: async')),
    says: ['nats', 'persist_mode'],
  },
  {
    what: 'a nats limit that drifted from natsConfig()',
    check: 'the nats config fsyncs before acks and matches natsConfig()',
    broken: () => withText(natsConf, (t) => t.replace('max_payload: 8388608', 'max_payload: 1048576')),
    says: ['nats', 'max_payload'],
  },
  {
    what: 'a COPY of a file that does not exist',
    check: 'the Dockerfile COPY sources exist in the build context',
    broken: () =>
      withText('Dockerfile', (t) => t.replace('COPY . .', 'COPY . .\nCOPY tsconfig.missing.json ./')),
    says: ['sequencer', 'tsconfig.missing.json'],
  },
  {
    what: 'a workspace manifest the deps stage does not copy',
    check: 'the deps stage installs the whole workspace from the lockfile with the pinned pnpm and Node',
    broken: () => withText('Dockerfile', (t) => t.replace(' services/*/package.json', '')),
    says: ['services/sequencer/package.json'],
  },
  {
    what: 'a dependency patch the deps stage does not copy',
    check: 'the deps stage installs the whole workspace from the lockfile with the pinned pnpm and Node',
    broken: () => withText('Dockerfile', (t) => t.replace(' patches/*.patch', '')),
    says: ['patches/mongodb@7.9.0.patch'],
  },
  {
    what: 'an image that runs as root',
    check: 'the runtime stage runs as non-root with NODE_ENV=production',
    broken: () => withText('Dockerfile', (t) => t.replace('USER node', 'USER root')),
    says: ['sequencer', 'root'],
  },
  {
    what: 'node_modules sent to the build',
    check: '.dockerignore keeps node_modules, tools and data out of the build context',
    broken: () => withText('.dockerignore', (t) => t.replace('**/node_modules', '')),
    says: ['node_modules'],
  },
  {
    what: 'an entry file that does not exist',
    check: 'the entry files our services run exist and are in the image',
    broken: () =>
      withCompose((c) => {
        svc(c, 'sequencer').command = ['node', 'services/sequencer/src/mian.ts'];
      }),
    says: ['sequencer', 'mian.ts'],
  },
  {
    what: 'a variable no code reads',
    check: 'every variable set for our services is read by some source',
    broken: () =>
      withCompose((c) => {
        env(c, 'sequencer').ASP_HTTP_HOTS = 'x';
      }),
    says: ['sequencer', 'ASP_HTTP_HOTS'],
  },
];

describe('each check fails on the breakage it is for', () => {
  for (const b of breakages) {
    it(`${b.what} is caught`, () => {
      const check = checks[b.check];
      if (!check) throw new Error(`no check named "${b.check}"`);
      const report = check(b.broken()).join('\n');
      for (const word of b.says) expect(report).toContain(word);
    });
  }
});
