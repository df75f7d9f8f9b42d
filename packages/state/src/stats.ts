import type { FilterStats } from './filter.ts';
import type { CachedKeyspace } from './keyspace.ts';
import type { Level } from './level.ts';

/** LevelDB 1.20 (the one classic-level 3 bundles) has levels 0..6. */
const LEVELS = 7;

/** One row of `leveldb.stats`: cumulative compaction work that wrote into this level. */
export interface LevelFigures {
  level: number;
  /** Exact, from leveldb.num-files-at-levelN. */
  files: number;
  /** LevelDB prints these in whole MiB, so they are coarse. */
  sizeMiB: number;
  compactionSeconds: number;
  compactionReadMiB: number;
  compactionWriteMiB: number;
}

export interface CacheStats {
  entries: number;
  entriesMax: number;
  /** Keys served from memory (cache or the batch in flight) / read from LevelDB, since open. */
  hits: number;
  misses: number;
}

export interface StateStats {
  appliedSeq: number;
  publishedSeq: number;
  aggregateCache: CacheStats;
  resultCache: CacheStats;
  /** The "certainly absent" filters of the two keyspaces (filter.ts). */
  aggregateFilter: FilterStats;
  resultFilter: FilterStats;
  /** The command-id index: `retained` results of seqs fromSeq..appliedSeq, at least retainMax once full. */
  results: { retained: number; fromSeq: number; retainMax: number };
  level: LevelStats;
}

export interface LevelStats {
  /** One entry per level 0..6. Level-0 files above 4 trigger compaction; 8 slow writes; 12 stop them. */
  levels: LevelFigures[];
  /** leveldb.approximate-memory-usage: memtables plus block cache. */
  memoryBytes: number;
  /** approximateSize of each key range, on disk (memtable data is not counted). */
  aggregatesBytes: number;
  resultsBytes: number;
}

export function cacheStats(keyspace: CachedKeyspace<unknown>): CacheStats {
  const { entries, entriesMax, hits, misses } = keyspace;
  return { entries, entriesMax, hits, misses };
}

/**
 * What LevelDB tells cheaply: getProperty is a synchronous call under LevelDB's mutex and
 * approximateSize reads only table indexes. There is no compaction count and no write-stall
 * counter in LevelDB 1.20: cumulative compaction time and bytes per level stand in for them.
 */
export async function levelStats(db: Level, ranges: { gte: string; lt: string }[]): Promise<LevelStats> {
  const sizes = await Promise.all(ranges.map((r) => db.approximateSize(r.gte, r.lt)));
  const rows = parseStats(db.getProperty('leveldb.stats'));
  const levels: LevelFigures[] = [];
  for (let level = 0; level < LEVELS; level++) {
    const files = Number(db.getProperty(`leveldb.num-files-at-level${level}`));
    const row = rows.get(level);
    levels.push({
      level,
      files,
      sizeMiB: row?.[1] ?? 0,
      compactionSeconds: row?.[2] ?? 0,
      compactionReadMiB: row?.[3] ?? 0,
      compactionWriteMiB: row?.[4] ?? 0,
    });
  }
  return {
    levels,
    memoryBytes: Number(db.getProperty('leveldb.approximate-memory-usage')),
    aggregatesBytes: sizes[0] ?? 0,
    resultsBytes: sizes[1] ?? 0,
  };
}

/** Rows "Level Files Size(MB) Time(sec) Read(MB) Write(MB)" by level; levels with no data are absent. */
function parseStats(text: string): Map<number, number[]> {
  const rows = new Map<number, number[]>();
  for (const line of text.split('\n')) {
    const cells = line.trim().split(/\s+/).map(Number);
    if (cells.length === 6 && cells.every(Number.isFinite)) rows.set(cells[0]!, cells.slice(1));
  }
  return rows;
}
