import { describe, expect, it } from 'vitest';
import { histogramOf, metricValue, parsePrometheus } from '../src/prom.ts';

const text = `# HELP asp_sequencer_commands_total Commands answered
# TYPE asp_sequencer_commands_total counter
asp_sequencer_commands_total{outcome="accepted"} 950
asp_sequencer_commands_total{outcome="rejected"} 50
asp_wal_last_seq 42
asp_leveldb_files{level="0"} 3
asp_leveldb_files{level="1"} 7
asp_sequencer_batch_commands_bucket{le="1"} 0
asp_sequencer_batch_commands_bucket{le="1000"} 4
asp_sequencer_batch_commands_bucket{le="10"} 1
asp_sequencer_batch_commands_bucket{le="+Inf"} 5
asp_sequencer_batch_commands_sum 3010
asp_sequencer_batch_commands_count 5
odd_label{path="a\\"b\\\\c",x="1"} 2.5e3 1700000000000
broken line without value
nan_metric NaN
`;

describe('parsePrometheus', () => {
  const samples = parsePrometheus(text);

  it('reads names, labels and values, and skips comments and broken lines', () => {
    expect(samples.find((s) => s.name === 'asp_wal_last_seq')?.value).toBe(42);
    expect(samples.some((s) => s.name === 'broken')).toBe(false);
    expect(samples.some((s) => s.name === 'nan_metric')).toBe(false);
  });

  it('unescapes label values and ignores timestamps', () => {
    const odd = samples.find((s) => s.name === 'odd_label');
    expect(odd?.labels).toEqual({ path: 'a"b\\c', x: '1' });
    expect(odd?.value).toBe(2500);
  });

  it('sums a metric over label sets, or picks one', () => {
    expect(metricValue(samples, 'asp_sequencer_commands_total')).toBe(1000);
    expect(metricValue(samples, 'asp_sequencer_commands_total', { outcome: 'rejected' })).toBe(50);
    expect(metricValue(samples, 'asp_leveldb_files', { level: '0' })).toBe(3);
    expect(metricValue(samples, 'asp_leveldb_compaction_seconds_total')).toBeUndefined();
  });

  it('reads a histogram with its buckets sorted by bound and +Inf last', () => {
    const h = histogramOf(samples, 'asp_sequencer_batch_commands');
    expect(h?.le).toEqual([1, 10, 1000, Number.POSITIVE_INFINITY]);
    expect(h?.cumulative).toEqual([0, 1, 4, 5]);
    expect(h?.count).toBe(5);
    expect(h?.sum).toBe(3010);
    expect(histogramOf(samples, 'absent')).toBeUndefined();
  });
});
