import { CONTENT_TYPE_MSGPACK, decodeValue } from '@asp/protocol';

/**
 * The record's `ts` without decoding the record: the lag probe reads it once
 * a second from a record that may be megabytes. The sequencer writes `ts`
 * among the first keys; any other layout (or value) reads it the slow way.
 */
export function recordTs(bytes: Uint8Array): unknown {
  const b = bytes;
  let p = 0;
  const t = b[p++];
  if (t === undefined || t < 0x80 || t > 0x8f) return slowTs(bytes);
  const keys = Math.min(t & 0x0f, PEEK_KEYS_MAX);
  for (let i = 0; i < keys; i++) {
    const k = b[p++];
    if (k === undefined || k < 0xa0 || k > 0xbf) return slowTs(bytes);
    const len = k & 0x1f;
    const key = String.fromCharCode(...b.subarray(p, p + len));
    p += len;
    const v = b[p];
    if (v === undefined) return slowTs(bytes);
    if (key === 'ts') return numberAt(b, p) ?? slowTs(bytes);
    // The keys before `ts`: small values only (v, partition, seq).
    if (v <= 0x7f || v >= 0xe0) p += 1;
    else if (v >= 0xa0 && v <= 0xbf) p += 1 + (v & 0x1f);
    else if (v === 0xcc) p += 2;
    else if (v === 0xcd) p += 3;
    else if (v === 0xce) p += 5;
    else if (v === 0xcb) p += 9;
    else return slowTs(bytes);
  }
  return slowTs(bytes);
}

/** An unsigned integer or float64 at `p`; undefined for anything else. */
function numberAt(b: Uint8Array, p: number): number | undefined {
  const t = b[p]!;
  if (t <= 0x7f) return t;
  const width = t === 0xcc ? 1 : t === 0xcd ? 2 : t === 0xce ? 4 : t === 0xcf || t === 0xcb ? 8 : 0;
  if (width === 0 || p + 1 + width > b.length) return undefined;
  const v = new DataView(b.buffer, b.byteOffset + p + 1, width);
  if (t === 0xcc) return v.getUint8(0);
  if (t === 0xcd) return v.getUint16(0);
  if (t === 0xce) return v.getUint32(0);
  if (t === 0xcb) return v.getFloat64(0);
  const n = Number(v.getBigUint64(0));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Keys looked at before giving up on the quick path. */
const PEEK_KEYS_MAX = 6;

function slowTs(bytes: Uint8Array): unknown {
  return (decodeValue(bytes, CONTENT_TYPE_MSGPACK) as { ts?: unknown }).ts;
}
