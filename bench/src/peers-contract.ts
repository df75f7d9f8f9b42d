// Contract between the bench harness and the PostgreSQL peer workload
// (bench/src/peers/, written separately). The peers module exports
// `runPeers(opts: PeersOptions): Promise<PeerResult[]>`, one result per mode.
// Keep this file small and stable: both sides code against it.

export interface PeerResult {
  mode: 'serializable' | 'for_update' | 'naive';
  items: number;
  items_per_s: number;
  p50_ms: number;
  p99_ms: number;
  retries: number;
  violations: number;
  duration_s: number;
}

export interface PeersOptions {
  pgUrl: string;
  durationMs: number;
  producers: number;
  aggregates: number;
  seed: number;
}

export type RunPeers = (opts: PeersOptions) => Promise<PeerResult[]>;
