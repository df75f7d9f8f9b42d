import type { StateStore } from '@asp/state';
import { Gauge, type Registry } from 'prom-client';

const MiB = 1024 * 1024;

/**
 * LevelDB and cache health, read from the store when Prometheus scrapes (one
 * getProperty call under LevelDB's mutex, not per batch). LevelDB 1.20 keeps
 * no compaction count: the cumulative compaction time and bytes, whose rate
 * shows compaction activity, stand in for it.
 */
export function registerStateMetrics(registry: Registry, state: () => StateStore | undefined): void {
  const r = [registry];
  // prom-client collects every metric concurrently; each gauge awaits the one
  // stats() read of this scrape, so all of them show the same moment.
  let pending: Promise<void> | undefined;
  const refresh = () => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: r, collect: refresh });
  const up = gauge(
    'asp_state_stats_up',
    '1 when the state store answered its health figures at the last scrape',
  );
  const files = gauge('asp_leveldb_files', 'LevelDB table files per level', ['level']);
  const compactionSeconds = gauge(
    'asp_leveldb_compaction_seconds_total',
    'Cumulative LevelDB compaction time',
  );
  const compactionBytes = gauge(
    'asp_leveldb_compaction_bytes_total',
    'Cumulative bytes written by LevelDB compactions (LevelDB reports whole MiB)',
  );
  const memory = gauge('asp_leveldb_memory_bytes', 'LevelDB memtables and block cache');
  const cacheEntries = gauge('asp_state_cache_entries', 'Entries in the state store caches', ['cache']);
  const retained = gauge('asp_state_results_retained', 'Command results kept for dedupe');
  const filterReady = gauge(
    'asp_state_filter_ready',
    '1 when the keyspace\'s "certainly absent" filter answers (0 while it scans at start, or turned off)',
    ['keyspace'],
  );
  const filterKeys = gauge('asp_state_filter_keys', 'Keys added to the "certainly absent" filter', [
    'keyspace',
  ]);
  const filterBytes = gauge('asp_state_filter_bytes', 'Memory of the "certainly absent" filter', [
    'keyspace',
  ]);
  const filterSkipped = gauge(
    'asp_state_filter_skipped_total',
    'Lookups the filter answered "absent" without a LevelDB read',
    ['keyspace'],
  );
  const filterFalse = gauge(
    'asp_state_filter_false_positives_total',
    'Lookups the filter answered "maybe" that LevelDB did not find',
    ['keyspace'],
  );

  async function read(): Promise<void> {
    const store = state();
    if (!store) return void up.set(0);
    try {
      const s = await store.stats();
      for (const l of s.level.levels) files.set({ level: String(l.level) }, l.files);
      compactionSeconds.set(s.level.levels.reduce((a, l) => a + l.compactionSeconds, 0));
      compactionBytes.set(s.level.levels.reduce((a, l) => a + l.compactionWriteMiB, 0) * MiB);
      memory.set(s.level.memoryBytes);
      cacheEntries.set({ cache: 'aggregates' }, s.aggregateCache.entries);
      cacheEntries.set({ cache: 'results' }, s.resultCache.entries);
      retained.set(s.results.retained);
      for (const [keyspace, f] of [
        ['aggregates', s.aggregateFilter],
        ['results', s.resultFilter],
      ] as const) {
        filterReady.set({ keyspace }, f.state === 'ready' ? 1 : 0);
        filterKeys.set({ keyspace }, f.keys);
        filterBytes.set({ keyspace }, f.bytes);
        filterSkipped.set({ keyspace }, f.skipped);
        filterFalse.set({ keyspace }, f.falsePositives);
      }
      up.set(1);
    } catch {
      up.set(0);
    }
  }
}
