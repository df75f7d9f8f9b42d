// The project's own generator of nats-server configurations (tests, `asp up`,
// the benchmark). Imported by path: infra/ is not a workspace package.
import { natsConfig, natsDefaults } from '../../packages/servers/src/index.ts';
import { commandLine, environment, healthcheckText, mounts, type Service } from './model.ts';
import { parseNatsConf } from './natsConf.ts';
import type { Repo } from './repo.ts';
import type { Check } from './serviceChecks.ts';

/** Settings that differ by design: addresses and the store's path. */
const perDeployment = new Set(['listen', 'http', 'jetstream.store_dir']);

function natsService(repo: Repo): [string, Service] | undefined {
  return Object.entries(repo.compose.services).find(([, s]) => /^nats:/.test(s.image ?? ''));
}

/** The config file nats-server is started with, as its path in the repository. */
function configSource(s: Service): { path?: string; problem?: string } {
  const args = commandLine(s);
  const flag = args.findIndex((a) => a === '--config' || a === '-c');
  if (flag < 0) return { problem: 'nats-server is not started with --config' };
  const inside = args[flag + 1];
  const mount = mounts(s).find((m) => m.kind === 'bind' && m.target === inside);
  if (!mount) return { problem: `its config ${inside} is not bind-mounted from the repository` };
  if (!mount.readOnly) return { problem: `its config ${inside} is mounted writable, not :ro` };
  return { path: mount.source };
}

export const natsSettings: Check = (repo) => {
  const found = natsService(repo);
  if (!found) return ['nats: no service runs the nats image'];
  const [name, s] = found;
  const { path, problem } = configSource(s);
  if (!path) return [`${name}: ${problem}`];
  const text = repo.read(path);
  if (text === undefined) return [`${name}: ${path} does not exist`];
  const conf = parseNatsConf(text);
  const problems: string[] = [];
  if (conf.get('jetstream.sync_interval') !== 'always') {
    problems.push(`${name}: ${path} lacks jetstream { sync_interval: always }: acks would precede the fsync`);
  }
  for (const key of conf.keys()) {
    if (key.endsWith('persist_mode'))
      problems.push(`${name}: ${path} sets ${key}, which undoes sync_interval`);
  }
  const want = parseNatsConf(
    natsConfig({ port: 4222, monitorPort: 8222, storeDir: '/data/jetstream', ...natsDefaults }),
  );
  for (const key of new Set([...want.keys(), ...conf.keys()])) {
    if (perDeployment.has(key) || want.get(key) === conf.get(key)) continue;
    problems.push(
      `${name}: ${path} has ${key}=${conf.get(key) ?? '(unset)'} but natsConfig() in ` +
        `packages/servers/src/nats.ts has ${want.get(key) ?? '(unset)'}`,
    );
  }
  const monitor = conf.get('http')?.split(':').pop();
  if (!healthcheckText(s).includes(`:${monitor}/healthz`)) {
    problems.push(`${name}: its healthcheck does not ask the monitoring port ${monitor} for /healthz`);
  }
  return problems;
};

function onNamedVolume(s: Service, dir: string): boolean {
  return mounts(s).some((m) => m.kind === 'volume' && (dir === m.target || dir.startsWith(`${m.target}/`)));
}

/** What must survive `docker compose down` (without -v) and a container's replacement. */
export const stateOnVolumes: Check = (repo) => {
  const problems: string[] = [];
  const { sequencer, mongo } = repo.compose.services;
  const dataDir = sequencer && environment(sequencer).ASP_DATA_DIR;
  if (sequencer && !(dataDir && onNamedVolume(sequencer, dataDir))) {
    problems.push(
      `sequencer: ASP_DATA_DIR (${dataDir ?? 'unset'}) is not on a named volume: the WAL would be lost`,
    );
  }
  if (mongo && !onNamedVolume(mongo, '/data/db')) problems.push('mongo: /data/db is not on a named volume');
  const nats = natsService(repo);
  const path = nats && configSource(nats[1]).path;
  const storeDir = path && parseNatsConf(repo.read(path) ?? '').get('jetstream.store_dir');
  if (nats && !(storeDir && onNamedVolume(nats[1], storeDir))) {
    problems.push(`${nats[0]}: the JetStream store_dir (${storeDir ?? 'unset'}) is not on a named volume`);
  }
  return problems;
};
