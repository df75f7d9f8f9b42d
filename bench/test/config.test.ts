import { describe, expect, it } from 'vitest';
import { verdictOf } from '../src/audit.ts';
import { loadConfig } from '../src/config.ts';
import { progressLine } from '../src/progress.ts';
import { withProducers } from '../src/scenario.ts';
import { plansOf } from '../src/scenarios.ts';

describe('the bench configuration', () => {
  it('has defaults that work on a laptop: fresh pipeline, 60 s, 5 ms fsync limit', () => {
    const c = loadConfig(['broker'], {});
    expect(c).toMatchObject({
      scenario: 'broker',
      durationMs: 60_000,
      fsyncMaxUs: 5000,
      force: false,
      given: undefined,
    });
    expect(c.reportDir.endsWith('bench/results')).toBe(true);
  });

  it('reads the flags', () => {
    const c = loadConfig(
      ['all', '--duration', '2.5', '--fsync-max-us', '900', '--force', '--json', 'x.json'],
      {},
    );
    expect(c).toMatchObject({ scenario: 'all', durationMs: 2500, fsyncMaxUs: 900, force: true });
    expect(c.jsonFile?.endsWith('/x.json')).toBe(true);
  });

  it('profiles with --profile, on a fresh pipeline only', () => {
    expect(loadConfig(['broker'], {}).profile).toBe(false);
    expect(loadConfig(['single', '--profile'], {}).profile).toBe(true);
    const given = {
      NATS_URL: 'nats://127.0.0.1:4222',
      MONGO_URL: 'mongodb://127.0.0.1:27017',
      ASP_SEQUENCER_METRICS_URL: 'http://127.0.0.1:9464/metrics',
      ASP_PROJECTOR_METRICS_URL: 'http://127.0.0.1:9465/metrics',
    };
    expect(loadConfig(['broker'], given).given).toBeDefined();
    let err: unknown;
    try {
      loadConfig(['broker', '--profile'], given);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'ASP_ERR_BENCH_USAGE',
      message: expect.stringMatching(/--profile needs a fresh pipeline/),
    });
  });

  it('overrides the producers of every run with --producers, and says so in the plan', () => {
    expect(loadConfig(['broker'], {}).producers).toBeUndefined();
    expect(loadConfig(['broker', '--producers', '2'], {}).producers).toBe(2);
    expect(() => loadConfig(['broker', '--producers', '0'], {})).toThrow(/producers/);
    expect(() => loadConfig(['broker', '--producers', '257'], {})).toThrow(/producers/);
    const [plan] = plansOf('broker');
    expect(withProducers(plan!, undefined)).toBe(plan);
    expect(withProducers(plan!, 1)).toBe(plan);
    expect(withProducers(plan!, 8)).toMatchObject({
      producers: 8,
      batch: 1000,
      note: expect.stringMatching(/producers 1 → 8 by --producers$/),
    });
  });

  it("takes Compose's environment as the given services, /metrics stripped to the base URL", () => {
    const c = loadConfig(['broker'], {
      NATS_URL: 'nats://nats:4222',
      MONGO_URL: 'mongodb://mongo:27017/?replicaSet=rs0',
      ASP_SEQUENCER_METRICS_URL: 'http://sequencer:9464/metrics',
      ASP_PROJECTOR_METRICS_URL: 'http://projector:9465/metrics',
      ASP_MONGO_DB: 'bench',
    });
    expect(c.given).toEqual({
      natsUrl: 'nats://nats:4222',
      mongoUrl: 'mongodb://mongo:27017/?replicaSet=rs0',
      sequencerUrl: 'http://sequencer:9464',
      projectorUrl: 'http://projector:9465',
    });
    expect(c.mongoDb).toBe('bench');
  });

  it('ignores NATS_URL alone (a shell set for the CLI) and refuses half-given services', () => {
    expect(loadConfig(['dense'], { NATS_URL: 'nats://x:4222' }).given).toBeUndefined();
    expect(() => loadConfig(['dense'], { ASP_SEQUENCER_METRICS_URL: 'http://s:9464/metrics' })).toThrow(
      /also give: natsUrl, mongoUrl, projectorUrl/,
    );
  });

  it('names every bad value', () => {
    expect(() => loadConfig(['nope', '--duration=-1'], {})).toThrow(/scenario must be one of[\s\S]*duration/);
    expect(() => loadConfig(['broker', '--bogus'], {})).toThrow(/ASP_ERR_BENCH_USAGE|Unknown option/);
  });
});

describe('small pure parts', () => {
  it('reads the verdict however the audit returns it', () => {
    expect(verdictOf('INTEGRITY_OK', [])).toBe('INTEGRITY_OK');
    expect(verdictOf({ verdict: 'INTEGRITY_MISMATCH' }, [])).toBe('INTEGRITY_MISMATCH');
    expect(verdictOf(false, ['checked 3 collections', 'INTEGRITY_MISMATCH: 2 documents'])).toBe(
      'INTEGRITY_MISMATCH',
    );
    expect(verdictOf(true, ['all equal'])).toBe('INTEGRITY_OK');
  });

  it('draws a progress bar with live items/s', () => {
    expect(progressLine('broker', 15, 30, 33_091.4, 496_000)).toBe(
      '  broker           [############............]   15/30 s     33,091 items/s  496,000 items',
    );
  });
});
