import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../src/result.ts';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const auditExists = existsSync(resolve(benchDir, '../services/cli/src/audit.ts'));
const SCENARIOS = ['broker', 'ceiling', 'dense', 'single', 'contended', 'peers'];

function pgReachable(): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port: 5432 });
    s.setTimeout(2000);
    s.once('connect', () => done(s.destroy() !== undefined));
    s.once('error', () => done(false));
    s.once('timeout', () => done(s.destroy() === undefined));
  });
}

let child: ReturnType<typeof spawn> | undefined;

/** `pnpm bench all` as a user runs it, in a clean environment (no services given by a CI shell). */
function runBench(args: string[]): Promise<{ code: number | null; out: string }> {
  const env = { ...process.env };
  for (const k of ['NATS_URL', 'MONGO_URL', 'ASP_SEQUENCER_METRICS_URL', 'ASP_PROJECTOR_METRICS_URL'])
    delete env[k];
  return new Promise((done) => {
    const c = spawn(process.execPath, [join(benchDir, 'src/main.ts'), ...args], { env });
    child = c;
    let out = '';
    c.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.once('exit', (code) => done({ code, out }));
  });
}

const numberFields = [
  'duration_s',
  'items',
  'items_per_s',
  'rejected',
  'p50_ms',
  'p99_ms',
  'batch',
  'producers',
  'payload_bytes',
  'fsync_p50_us',
] as const;

function checkRun(r: ScenarioResult): void {
  for (const f of numberFields) expect(typeof r[f], `${r.scenario}.${f}`).toBe('number');
  expect(r.items, `${r.scenario} answered nothing`).toBeGreaterThan(0);
  expect(r.unanswered).toBe(0);
  expect(r.fsyncs, `${r.scenario}: no WAL fsync counted`).toBeGreaterThan(0);
  expect(r.projector_lag_end_s === null || typeof r.projector_lag_end_s === 'number').toBe(true);
  expect(Object.keys(r.rss_max_mb).sort()).toEqual(['bench', 'projector', 'sequencer']);
  expect(r.rss_max_mb.sequencer).toBeGreaterThan(0);
  expect(Object.keys(r.rss_trend_mb_per_min).sort()).toEqual(['bench', 'projector', 'sequencer']);
  expect(r.machine.cpus).toBeGreaterThan(0);
  const cpuKeys = ['bench', 'machine', 'mongo', 'nats', 'projector', 'sequencer'];
  expect(Object.keys(r.cpu_cores_load).sort()).toEqual([...cpuKeys, 'cpus'].sort());
  expect(Object.keys(r.cpu_us_per_item).sort()).toEqual(cpuKeys);
  expect(Object.keys(r.series.cpu_cores).sort()).toEqual(cpuKeys);
  // A fresh pipeline on Linux: the bench started nats-server and FerretDB and reads their /proc.
  if (process.platform === 'linux') {
    for (const k of ['nats', 'mongo'] as const) {
      expect(r.cpu_cores_load[k], `${r.scenario}: cpu_cores_load.${k}`).toBeGreaterThan(0);
      expect(r.cpu_us_per_item[k], `${r.scenario}: cpu_us_per_item.${k}`).toBeGreaterThan(0);
    }
  }
  expect(r.series.t_s.length).toBeGreaterThan(1);
  expect(r.profiles, `${r.scenario}: profiled without --profile`).toBeNull();
  expect(r.catchup.caught_up, `${r.scenario}: the read models did not catch up`).toBe(true);
  expect(r.integrity).toBe(auditExists ? 'INTEGRITY_OK' : 'AUDIT_UNAVAILABLE');
}

const gzipped = (b: Buffer) => b[0] === 0x1f && b[1] === 0x8b;

describe('pnpm bench all, short mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'asp-bench-e2e-'));
  afterAll(async () => {
    // A timed-out run is still going: SIGTERM makes the bench kill its servers before it exits.
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every scenario and writes the documented JSON and reports', { timeout: 420_000 }, async () => {
    // CI machines run PostgreSQL: without it the peers scenario is not tested, and that is a failure.
    expect(
      await pgReachable(),
      'PostgreSQL is not reachable at 127.0.0.1:5432: the peers scenario needs it',
    ).toBe(true);
    // In a directory that does not exist yet: the bench makes it (before the load, not after).
    const json = join(dir, 'results', 'all.json');
    const { code, out } = await runBench([
      'all',
      '--duration',
      '3',
      // FerretDB's slow updates make the read models of `single` (10,000 aggregates) lag by
      // tens of seconds on a busy machine; the audit's verdict is what this test checks.
      '--catchup-max',
      '60',
      '--json',
      json,
      '--report',
      dir,
    ]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/items\/s .* (INTEGRITY_OK|AUDIT_UNAVAILABLE)/);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { scenario: string; runs: ScenarioResult[] };
    expect(doc.runs.map((r) => r.scenario)).toEqual(SCENARIOS);
    for (const r of doc.runs) checkRun(r);
    const ceiling = doc.runs[1]!.ceiling!;
    expect(ceiling.batch).toBe(2000);
    checkRun(ceiling.run);
    const peers = doc.runs[5]!;
    expect(peers.peers?.map((p) => p.mode).sort()).toEqual(['for_update', 'naive', 'serializable']);
    for (const p of peers.peers!) expect(typeof peers.ratio?.[p.mode]).toBe('number');
    const files = readdirSync(dir);
    for (const s of SCENARIOS)
      expect(files.some((f) => f.startsWith(`${s}-`) && f.endsWith('.md'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(SCENARIOS.length * 8);
  });

  it('profiles every process of a run with --profile: summaries, flame graphs, the profiles', {
    timeout: 180_000,
  }, async () => {
    const out = join(dir, 'profiled');
    const json = join(out, 'contended.json');
    const { code, out: log } = await runBench([
      'contended',
      '--duration',
      '3',
      '--profile',
      '--json',
      json,
      '--report',
      out,
    ]);
    expect(code, log).toBe(0);
    const r = JSON.parse(readFileSync(json, 'utf8')) as ScenarioResult;
    const { profiles, ...rest } = r;
    checkRun({ ...rest, profiles: null });
    expect(Object.keys(profiles ?? {}).sort()).toEqual(['bench', 'mongo', 'nats', 'projector', 'sequencer']);
    for (const [name, p] of Object.entries(profiles!)) {
      expect(p.samples, name).toBeGreaterThan(0);
      expect(p.busy_pct, name).toBeGreaterThan(0);
      expect(p.duration_s, name).toBeGreaterThan(2);
      expect(p.top_self.length, name).toBeGreaterThan(0);
      expect(p.by_package.length, name).toBeGreaterThan(0);
      const svg = readFileSync(join(out, p.flame_file), 'utf8');
      expect(svg.startsWith('<svg'), name).toBe(true);
      expect(svg).toContain('<title>');
      const raw = readFileSync(join(out, p.profile_file));
      if (name === 'mongo' || name === 'nats')
        expect(p.profile_file.endsWith('.pb.gz') && gzipped(raw), name).toBe(true);
      else expect((JSON.parse(raw.toString()) as { nodes: unknown[] }).nodes.length, name).toBeGreaterThan(1);
    }
    // Our own code shows in the sequencer's profile: the analysis reads real frames.
    expect(profiles!.sequencer!.by_package.some((b) => b.pkg.startsWith('packages/'))).toBe(true);
    const md = readdirSync(out).find((f) => f.startsWith('contended-') && f.endsWith('.md'))!;
    const text = readFileSync(join(out, md), 'utf8');
    expect(text).toContain('## Where the CPU went (profiled run)');
    for (const p of Object.values(profiles!)) expect(text).toContain(`](${p.flame_file})`);
  });
});
