import type { AccountState, OrgState, TeamState } from '@asp/domain';
import type { CommandResult, WireCommand } from '@asp/protocol';
import { describe, expect, it } from 'vitest';
import {
  checkRecount,
  ids,
  loadCommands,
  recount,
  resolveSpec,
  setupCommands,
  take,
  type WorkloadSpec,
} from '../src/index.ts';
import { InOrderEngine } from './engine.ts';

function runInOrder(spec: WorkloadSpec, n: number, seed = 42) {
  const engine = new InOrderEngine();
  const setup = setupCommands(spec);
  const setupResults = engine.decide(setup);
  const producers = spec.producers ?? 1;
  const streams = Array.from({ length: producers }, (_, k) => loadCommands(spec, seed, k));
  // Producers interleave command by command: their aggregates are disjoint (or budgeted).
  const load: WireCommand[] = [];
  for (let i = 0; i < n; i++) load.push(streams[i % producers]!.next().value);
  const loadResults = engine.decide(load);
  return { engine, setup, setupResults, load, loadResults };
}

const share = (results: CommandResult[]) =>
  results.filter((r) => r.status === 'rejected').length / results.length;

describe('setupCommands', () => {
  it('creates every aggregate, all accepted', () => {
    const spec = { runId: 'su', aggregates: 40, mix: { seats: 1, ledger: 1, inventory: 1 } };
    const { setupResults, engine } = runInOrder(spec, 0);
    expect(setupResults.filter((r) => r.status !== 'accepted')).toEqual([]);
    const s = resolveSpec(spec);
    expect([s.orgs, s.accounts, s.skus]).toEqual([13, 13, 13]);
    expect(engine.get<OrgState>('org', ids.org(s, 12))).toEqual({ cap: 1000, used: 0 });
    expect(engine.get<AccountState>('account', ids.account(s, 0))?.creditsPosted).toBe(s.accountFunding);
  });
});

describe('loadCommands', () => {
  const spec: WorkloadSpec = { runId: 'det', aggregates: 100 };

  it('is deterministic: same spec and seed, same commands', () => {
    expect(take(loadCommands(spec, 7), 500)).toEqual(take(loadCommands(spec, 7), 500));
    expect(take(loadCommands(spec, 8), 500)).not.toEqual(take(loadCommands(spec, 7), 500));
  });

  it('makes short ids, unique across producers', () => {
    const multi = { runId: 'abcdefghijklmnop', aggregates: 200, producers: 40 };
    const all = [
      ...setupCommands(multi),
      ...Array.from({ length: 40 }, (_, k) => take(loadCommands(multi, 1, k), 300)).flat(),
    ];
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    expect(Math.max(...all.map((c) => c.id.length))).toBeLessThanOrEqual(40);
  });

  it('adds a memo of exactly payloadBytes bytes', () => {
    const [c] = take(loadCommands({ ...spec, payloadBytes: 128 }, 1), 1);
    const memo = (c!.data as { memo: string }).memo;
    expect(Buffer.byteLength(memo, 'utf8')).toBe(128);
  });
});

describe('rejection share with the real engine, decided in order', () => {
  const cases: [string, WorkloadSpec][] = [
    ['seats + ledger', { runId: 'mix', aggregates: 1000 }],
    ['with inventory', { runId: 'inv', aggregates: 300, mix: { seats: 1, ledger: 1, inventory: 1 } }],
    ['8 producers', { runId: 'prod', aggregates: 200, producers: 8 }],
    ['hot counter', { runId: 'hotc', aggregates: 1, hot: 'counter', producers: 16 }],
    ['hot org', { runId: 'hoto', aggregates: 1, hot: 'org', producers: 16 }],
  ];

  for (const [name, spec] of cases) {
    it(`${name}: 3% to 8% rejected, all by an invariant, and the recount holds`, () => {
      const { setup, setupResults, load, loadResults } = runInOrder(spec, 20_000);
      expect(share(loadResults)).toBeGreaterThan(0.03);
      expect(share(loadResults)).toBeLessThan(0.08);
      const codes = new Set(loadResults.flatMap((r) => (r.status === 'rejected' ? [r.code] : [])));
      expect([...codes]).toEqual(['ASP_REJ_INVARIANT']);
      const r = recount([...setupResults, ...loadResults], [...setup, ...load]);
      expect(checkRecount(r)).toEqual([]);
      expect(r.accepted + r.rejected).toBe(setup.length + load.length);
    });
  }
});

describe('recount', () => {
  it('equals the engine’s state', () => {
    const spec = { runId: 'rc', aggregates: 60 };
    const { engine, setup, setupResults, load, loadResults } = runInOrder(spec, 5000, 3);
    const r = recount([...loadResults, ...setupResults].reverse(), [...setup, ...load]);
    for (const [id, o] of r.orgs) expect(engine.get<OrgState>('org', id)).toEqual(o);
    for (const [id, t] of r.teams) expect(engine.get<TeamState>('team', id)).toEqual(t);
    for (const [id, a] of r.accounts) {
      const s = engine.get<AccountState>('account', id)!;
      expect([s.debitsPosted, s.creditsPosted]).toEqual([a.debits, a.credits]);
    }
  });

  it('catches a broken invariant, a missing result and a duplicate', () => {
    const spec = { runId: 'bad', aggregates: 10 };
    const setup = setupCommands(spec);
    const s = resolveSpec(spec);
    const over = {
      id: 'x1',
      type: 'seats.addSeats',
      data: { orgId: ids.org(s, 0), teamId: ids.team(s, 0, 0), seats: 1001 },
    };
    const overdraw = {
      id: 'x2',
      type: 'ledger.transfer',
      data: {
        transferId: 'x2',
        debitAccountId: ids.account(s, 0),
        creditAccountId: ids.account(s, 1),
        amount: 2e9,
      },
    };
    const accept = (c: WireCommand): CommandResult => ({ id: c.id, status: 'accepted', seq: 1 });
    const results = [...setup, over, overdraw].map(accept);
    const r = recount(
      [...results, accept(over)],
      [...setup, over, overdraw, { id: 'x3', type: 't', data: {} }],
    );
    const v = checkRecount(r).join('\n');
    expect(v).toMatch(/org bado0 uses 1001 seats over its cap of 1000/);
    expect(v).toMatch(/account bada0 is overdrawn/);
    expect(v).toMatch(/1 command\(s\) without a result, e.g. x3/);
    expect(v).toMatch(/1 unexpected result\(s\), e.g. x1/);
  });
});
