/**
 * "Certainly absent" answers for a keyspace, so that a lookup of a key that was never
 * written costs no LevelDB read.
 *
 * Most keys a batch looks up are new: every command id (the result index answers "never
 * seen"), and every aggregate a command creates (a transfer, a reservation). The caches
 * cannot say "absent", so each of them was a LevelDB get on the thread pool, behind its
 * bloom filters and table indexes. Skipping them cut the sequencer's CPU per command by 7–10%
 * in bench/src/probe.ts, most of it on the thread pool (docs/state.md, "Absent keys").
 *
 * A Bloom filter never answers "absent" for a key it holds; the one rule that keeps this
 * correct is that every key LevelDB holds was added: the keys found by a scan at open, and
 * every key written since (added before the write is visible). Until the scan has finished
 * the filter answers "maybe" for everything, as it does once it has been turned off.
 *
 * The filter is cut into segments of SEGMENT_KEYS keys, each remembering the highest seq it
 * was given. Results are pruned oldest seq first, so a segment whose every key has been
 * pruned is dropped whole (a Bloom filter cannot forget one key); keys deleted otherwise
 * stay as false positives, which cost a read and nothing else. Aggregates are never deleted.
 */

/** Keys per segment: 2^20. */
const SEGMENT_KEYS = 1 << 20;
/** Bits per segment: 16 per key. */
const SEGMENT_BITS = 1 << 24;
const SEGMENT_MASK = SEGMENT_BITS - 1;
/** Bits set per key. With 16 bits per key and 7 bits set, a full segment says "maybe" for ~0.07% of absent keys. */
const HASHES = 7;
export const SEGMENT_BYTES = SEGMENT_BITS / 8;

interface Segment {
  bits: Int32Array;
  keys: number;
  /** The highest seq of a key added: every key in it is from this seq or earlier. */
  maxSeq: number;
}

export interface FilterStats {
  /** 'scanning' until the keys present at open are in; 'off' after the memory bound was hit. */
  state: 'scanning' | 'ready' | 'off';
  keys: number;
  bytes: number;
  /** Lookups answered "absent" without LevelDB, and "maybe" answers LevelDB then did not find. */
  skipped: number;
  falsePositives: number;
}

export class KeyFilter {
  readonly #bytesMax: number;
  #segments: Segment[] = [];
  #state: FilterStats['state'] = 'scanning';
  #h1 = 0;
  #h2 = 0;
  skipped = 0;
  falsePositives = 0;

  constructor(bytesMax: number) {
    this.#bytesMax = bytesMax;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** The keys present at open are all in: from now on "absent" answers may be given. */
  markReady(): void {
    if (this.#state === 'scanning') this.#state = 'ready';
  }

  /** False only for a key that was certainly never added. */
  mightContain(key: string): boolean {
    if (this.#state !== 'ready') return true;
    this.#hash(key);
    for (const s of this.#segments) if (this.#inSegment(s)) return true;
    return false;
  }

  /** Whether all of the last hashed key's bits are set in `s`. */
  #inSegment(s: Segment): boolean {
    const h1 = this.#h1;
    const h2 = this.#h2;
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & SEGMENT_MASK;
      if ((s.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /**
   * Adds a key written (or found) as of `seq`. A key the newest segment already answers for
   * only raises that segment's seq, so rewriting the same hot aggregates batch after batch
   * does not fill segments (such a "yes" may be a false positive: the key's bits are all set
   * there all the same, and stay set as long as the segment lives). Past the memory bound
   * the filter turns itself off.
   */
  add(key: string, seq: number): void {
    if (this.#state === 'off') return;
    this.#hash(key);
    let s = this.#segments[this.#segments.length - 1];
    if (s !== undefined && this.#inSegment(s)) {
      if (seq > s.maxSeq) s.maxSeq = seq;
      return;
    }
    if (s === undefined || s.keys >= SEGMENT_KEYS) {
      if ((this.#segments.length + 1) * SEGMENT_BYTES > this.#bytesMax) {
        this.#turnOff();
        return;
      }
      s = { bits: new Int32Array(SEGMENT_BITS / 32), keys: 0, maxSeq: seq };
      this.#segments.push(s);
    }
    const h1 = this.#h1;
    const h2 = this.#h2;
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & SEGMENT_MASK;
      s.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
    s.keys += 1;
    if (seq > s.maxSeq) s.maxSeq = seq;
  }

  /** Every key of a seq below `fromSeq` is gone from LevelDB: segments holding only such keys go. */
  dropBefore(fromSeq: number): void {
    const kept = this.#segments.filter((s) => s.maxSeq >= fromSeq);
    if (kept.length !== this.#segments.length) this.#segments = kept;
  }

  stats(): FilterStats {
    return {
      state: this.#state,
      keys: this.#segments.reduce((sum, s) => sum + s.keys, 0),
      bytes: this.#segments.length * SEGMENT_BYTES,
      skipped: this.skipped,
      falsePositives: this.falsePositives,
    };
  }

  #turnOff(): void {
    this.#state = 'off';
    this.#segments = [];
  }

  /**
   * Two 32-bit hashes of the UTF-16 code units in one pass (FNV-1a and a multiplicative
   * variant, each finished with MurmurHash3's fmix32 so every input bit reaches every output
   * bit); bit i of a key is h1 + i·h2 (Kirsch and Mitzenmacher), h2 odd so the steps differ.
   */
  #hash(key: string): void {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.#h1 = fmix32(a);
    this.#h2 = fmix32(b ^ key.length) | 1;
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
