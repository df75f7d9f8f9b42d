import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * docker-compose.yml as the consistency checks see it: parsed with YAML merge
 * keys (the file shares settings through `<<: *app`), every variable replaced
 * by its default (`${NATS_PORT:-4222}` → 4222) so the checks judge the stack a
 * plain `docker compose up` starts, whatever the developer's shell holds.
 */
export interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

export interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  environment?: string[] | Record<string, string | number | boolean | null>;
  volumes?: (string | { type?: string; source?: string; target?: string; read_only?: boolean })[];
  ports?: (string | number | { target?: number; published?: string | number; host_ip?: string })[];
  profiles?: string[];
}

export interface Mount {
  kind: 'volume' | 'bind' | 'anonymous';
  source: string;
  target: string;
  readOnly: boolean;
}

export interface Port {
  hostIp: string;
  published: string;
  target: string;
}

/** Replaces `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` and `$VAR` by the default. */
export function withDefaults(value: string): string {
  const variable = /\$\$|\$\{[A-Za-z_]\w*(?:(:?-)([^}]*)|:?\?[^}]*)?\}|\$[A-Za-z_]\w*/g;
  return value.replace(variable, (m, op, def) => (m === '$$' ? '$' : op ? def : ''));
}

function resolveDefaults(node: unknown): unknown {
  if (typeof node === 'string') return withDefaults(node);
  if (Array.isArray(node)) return node.map(resolveDefaults);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveDefaults(v)]));
  }
  return node;
}

export function parseCompose(text: string): Compose {
  const doc = resolveDefaults(parse(text, { merge: true })) as Partial<Compose> | null;
  return { services: doc?.services ?? {}, volumes: doc?.volumes ?? {} };
}

export function loadCompose(root: string, file = 'docker-compose.yml'): Compose {
  return parseCompose(readFileSync(join(root, file), 'utf8'));
}

export function environment(s: Service): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((kv) => {
        const i = kv.indexOf('=');
        return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

export function dependencies(s: Service): Record<string, string> {
  const deps = s.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, o]) => [d, o?.condition ?? 'service_started']));
}

export function hasHealthcheck(s: Service): boolean {
  const h = s.healthcheck;
  if (!h || h.disable) return false;
  const test = Array.isArray(h.test) ? h.test : [h.test ?? ''];
  return test.length > 0 && test[0] !== 'NONE' && test.join('').trim() !== '';
}

export function healthcheckText(s: Service): string {
  const test = s.healthcheck?.test ?? '';
  return Array.isArray(test) ? test.join(' ') : test;
}

export function mounts(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') {
      const kind = v.type === 'bind' ? 'bind' : v.source ? 'volume' : 'anonymous';
      return { kind, source: v.source ?? '', target: v.target ?? '', readOnly: v.read_only === true };
    }
    const parts = v.split(':');
    if (parts.length === 1) return { kind: 'anonymous', source: '', target: v, readOnly: false };
    const [source = '', target = '', mode = ''] = parts;
    const bind = /^[./~]/.test(source);
    return { kind: bind ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
  });
}

export function ports(s: Service): Port[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'number') return { hostIp: '', published: '', target: String(p) };
    if (typeof p !== 'string') {
      return {
        hostIp: p.host_ip ?? '',
        published: String(p.published ?? ''),
        target: String(p.target ?? ''),
      };
    }
    const spec = p.replace(/\/(tcp|udp)$/, '');
    const ipv6 = spec.match(/^\[([^\]]+)\]:(.*)$/);
    const [hostIp = '', rest = ''] = ipv6 ? [ipv6[1], ipv6[2]] : ['', spec];
    const parts = rest.split(':');
    const [a = '', b = '', c = ''] = parts;
    if (parts.length === 1) return { hostIp, published: '', target: a };
    if (parts.length === 2) return { hostIp, published: a, target: b };
    return { hostIp: a, published: b, target: c };
  });
}

/** The command line a service runs: entrypoint then command, as an array. */
export function commandLine(s: Service): string[] {
  const split = (c: string | string[] | undefined) => (Array.isArray(c) ? c : c ? c.split(/\s+/) : []);
  return [...split(s.entrypoint), ...split(s.command)];
}
