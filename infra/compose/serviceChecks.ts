import {
  commandLine,
  dependencies,
  environment,
  hasHealthcheck,
  healthcheckText,
  mounts,
  ports,
  type Service,
} from './model.ts';
import type { Repo } from './repo.ts';

/**
 * Checks of docker-compose.yml on its own: every one returns its problems as
 * sentences that start with the offending service's name, none when the file
 * is consistent.
 */
export type Check = (repo: Repo) => string[];

const services = (repo: Repo): [string, Service][] => Object.entries(repo.compose.services);

/** An image reference is pinned when its tag names a version (starts with a digit) or it has a digest. */
export function pinned(image: string): boolean {
  if (image.includes('@sha256:')) return true;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const tag = colon > slash ? image.slice(colon + 1) : '';
  return /^v?\d/.test(tag);
}

export const dependsOn: Check = (repo) => {
  const all = repo.compose.services;
  return services(repo).flatMap(([name, s]) =>
    Object.entries(dependencies(s)).flatMap(([dep, condition]) => {
      const target = all[dep];
      if (!target) return [`${name}: depends_on "${dep}", which is not a service of docker-compose.yml`];
      if (dep === name) return [`${name}: depends on itself`];
      const problems: string[] = [];
      if (condition === 'service_healthy' && !hasHealthcheck(target)) {
        problems.push(`${name}: waits for "${dep}" to be service_healthy, but ${dep} has no healthcheck`);
      }
      if (!s.profiles?.length && target.profiles?.length) {
        problems.push(`${name}: always starts but depends on "${dep}", which only exists in a profile`);
      }
      return problems;
    }),
  );
};

export const volumes: Check = (repo) => {
  const declared = new Set(Object.keys(repo.compose.volumes));
  const used = new Set<string>();
  const problems = services(repo).flatMap(([name, s]) =>
    mounts(s).flatMap((m) => {
      if (m.kind === 'volume') {
        used.add(m.source);
        return declared.has(m.source)
          ? []
          : [`${name}: uses volume "${m.source}", not declared under volumes:`];
      }
      if (m.kind !== 'bind') return [];
      if (!m.source.startsWith('.')) return [`${name}: binds ${m.source}, a path outside the repository`];
      return repo.exists(m.source)
        ? []
        : [`${name}: binds ${m.source}, which does not exist in the repository`];
    }),
  );
  for (const v of declared)
    if (!used.has(v)) problems.push(`volumes: "${v}" is declared but no service uses it`);
  return problems;
};

export const publishedPorts: Check = (repo) => {
  const owner = new Map<string, string>();
  return services(repo).flatMap(([name, s]) =>
    ports(s).flatMap((p) => {
      const problems: string[] = [];
      if (p.hostIp !== '127.0.0.1') {
        problems.push(
          `${name}: publishes ${p.target} on ${p.hostIp || 'every interface'}, not on 127.0.0.1 only`,
        );
      }
      const other = owner.get(p.published);
      if (p.published && other)
        problems.push(`${name}: publishes host port ${p.published}, as ${other} does`);
      if (p.published) owner.set(p.published, name);
      return problems;
    }),
  );
};

/** The variables each service must be given: without them it would look for its peers on 127.0.0.1. */
export const requiredEnv: Record<string, string[]> = {
  sequencer: ['NATS_URL', 'ASP_DATA_DIR', 'ASP_HTTP_HOST'],
  projector: ['NATS_URL', 'MONGO_URL', 'ASP_HTTP_HOST'],
  bench: ['NATS_URL', 'MONGO_URL'],
};

export const requiredVariables: Check = (repo) =>
  Object.entries(requiredEnv).flatMap(([name, vars]) => {
    const s = repo.compose.services[name];
    if (!s) return [`${name}: no such service in docker-compose.yml`];
    const env = environment(s);
    return vars.filter((v) => !env[v]).map((v) => `${name}: ${v} is not set`);
  });

const defaultPorts: Record<string, string> = { 'nats:': '4222', 'mongodb:': '27017', 'http:': '80' };

/** The ports a service listens on inside the network: those it publishes or exposes, and ASP_HTTP_PORT. */
function listening(s: Service): Set<string> {
  const env = environment(s);
  return new Set([...ports(s).map((p) => p.target), ...(env.ASP_HTTP_PORT ? [env.ASP_HTTP_PORT] : [])]);
}

function dependsTransitively(repo: Repo, from: string, to: string, seen = new Set<string>()): boolean {
  if (seen.has(from)) return false;
  seen.add(from);
  const deps = Object.keys(dependencies(repo.compose.services[from] ?? {}));
  return deps.includes(to) || deps.some((d) => dependsTransitively(repo, d, to, seen));
}

export const urlsReachServices: Check = (repo) =>
  services(repo).flatMap(([name, s]) =>
    Object.entries(environment(s)).flatMap(([key, value]) => {
      if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value)) return [];
      const url = new URL(value);
      const target = repo.compose.services[url.hostname];
      if (!target)
        return [`${name}: ${key}=${value} names host "${url.hostname}", not a service of this stack`];
      const port = url.port || defaultPorts[url.protocol] || '';
      const open = listening(target);
      const problems: string[] = [];
      if (open.size > 0 && !open.has(port)) {
        problems.push(
          `${name}: ${key} uses port ${port} of ${url.hostname}, which listens on ${[...open].join(', ')}`,
        );
      }
      if (!dependsTransitively(repo, name, url.hostname)) {
        problems.push(
          `${name}: ${key} points at ${url.hostname} but ${name} does not depend on it, so may start first`,
        );
      }
      return problems;
    }),
  );

/** Our services bind 127.0.0.1 unless told otherwise: in a container that hides /health and /metrics. */
export const opsEndpoints: Check = (repo) =>
  services(repo).flatMap(([name, s]) => {
    const env = environment(s);
    const port = env.ASP_HTTP_PORT;
    if (!port) return [];
    const problems: string[] = [];
    if (env.ASP_HTTP_HOST !== '0.0.0.0')
      problems.push(`${name}: ASP_HTTP_HOST must be 0.0.0.0 in a container`);
    if (!healthcheckText(s).includes(`:${port}/health`)) {
      problems.push(`${name}: its healthcheck does not ask :${port}/health (ASP_HTTP_PORT)`);
    }
    for (const p of ports(s)) {
      if (p.target !== port)
        problems.push(`${name}: publishes container port ${p.target}, it listens on ${port}`);
    }
    return problems;
  });

export const basicAuth: Check = (repo) => {
  const found = services(repo).filter(([, s]) => s.image?.startsWith('mongo-express'));
  if (found.length === 0) return ['mongo-express: no service runs the mongo-express image'];
  return found.flatMap(([name, s]) => {
    const env = environment(s);
    const problems: string[] = [];
    if (env.ME_CONFIG_BASICAUTH !== 'true')
      problems.push(`${name}: ME_CONFIG_BASICAUTH is not "true": no login`);
    for (const v of ['ME_CONFIG_BASICAUTH_USERNAME', 'ME_CONFIG_BASICAUTH_PASSWORD']) {
      if (!env[v]) problems.push(`${name}: ${v} is empty`);
    }
    return problems;
  });
};

export const mongoReplicaSet: Check = (repo) => {
  const found = services(repo).filter(([, s]) => /^mongo:/.test(s.image ?? ''));
  const [only, ...others] = found;
  if (!only || others.length > 0) {
    return [`mongo: expected one service running the mongo image, found ${found.length}`];
  }
  const [mongo, s] = only;
  const args = commandLine(s);
  const set = args[args.indexOf('--replSet') + 1];
  if (!args.includes('--replSet') || !set) return [`${mongo}: mongod is not started with --replSet`];
  const problems: string[] = [];
  if (!healthcheckText(s).includes('rs.initiate') || !healthcheckText(s).includes(`'${set}'`)) {
    problems.push(`${mongo}: its healthcheck does not rs.initiate() replica set ${set}`);
  }
  for (const [name, other] of services(repo)) {
    for (const [key, value] of Object.entries(environment(other))) {
      if (!value.startsWith(`mongodb://${mongo}:`) && !value.startsWith(`mongodb://${mongo}/`)) continue;
      if (new URL(value).searchParams.get('replicaSet') !== set) {
        problems.push(`${name}: ${key} does not name replicaSet=${set}`);
      }
    }
  }
  return problems;
};

export const images: Check = (repo) =>
  services(repo).flatMap(([name, s]) => {
    if (!s.image && !s.build) return [`${name}: has neither image nor build`];
    if (s.image && !s.build && !pinned(s.image)) {
      return [
        `${name}: image ${s.image} is not pinned to a version (a tag starting with a digit; never latest)`,
      ];
    }
    if (s.image?.endsWith(':latest'))
      return [`${name}: builds into ${s.image}; name a tag other than latest`];
    return [];
  });

export const benchProfile: Check = (repo) => {
  const bench = repo.compose.services.bench;
  if (!bench) return ['bench: no such service in docker-compose.yml'];
  const problems = bench.profiles?.includes('bench') ? [] : ['bench: is not in profile "bench"'];
  if (commandLine(bench)[1] !== 'bench/src/main.ts' || !bench.entrypoint) {
    problems.push(
      'bench: entrypoint must be node bench/src/main.ts, so `run bench <scenario>` passes the scenario',
    );
  }
  return problems;
};
