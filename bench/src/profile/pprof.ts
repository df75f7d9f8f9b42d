import type { CpuProfile } from './analyze.ts';

/**
 * Go's CPU profile (`/debug/pprof/profile`: gzipped protobuf, the pprof
 * format of github.com/google/pprof's profile.proto), decoded as far as a
 * flame graph needs, and turned into the shape of a V8 profile so one
 * analysis serves both. Pure: bytes in, data out.
 */

export interface Pprof {
  sampleTypes: { type: string; unit: string }[];
  samples: { locationIds: number[]; values: number[] }[];
  locations: Map<number, { functionId: number; line: number }[]>;
  functions: Map<number, { name: string; file: string; startLine: number }>;
  durationNanos: number;
  period: number;
}

class Reader {
  pos = 0;
  readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    // Numbers here (ids, counts, nanoseconds, string indexes) stay far below 2^53.
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('pprof: truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('pprof: varint too long');
    }
  }
  bytes(): Uint8Array {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new Error('pprof: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`pprof: unsupported wire type ${wire}`);
  }
  /** Each (field, wire type) of a message, with this reader at the field's value. */
  *fields(): Generator<[number, number]> {
    while (!this.done) {
      const key = this.varint();
      yield [Math.floor(key / 8), key & 7];
    }
  }
}

/** A repeated integer field: packed (wire type 2) or one value per occurrence (wire type 0). */
function ints(r: Reader, wire: number, into: number[]): void {
  if (wire === 0) {
    into.push(r.varint());
    return;
  }
  const packed = new Reader(r.bytes());
  while (!packed.done) into.push(packed.varint());
}

export function decodePprof(buf: Uint8Array): Pprof {
  const r = new Reader(buf);
  const strings: string[] = [];
  const sampleTypes: [number, number][] = [];
  const samples: Pprof['samples'] = [];
  const locations: Pprof['locations'] = new Map();
  const fns = new Map<number, { name: number; file: number; startLine: number }>();
  let durationNanos = 0;
  let period = 0;
  const text = new TextDecoder();
  for (const [field, wire] of r.fields()) {
    if (field === 1 && wire === 2) {
      const m = new Reader(r.bytes());
      let type = 0;
      let unit = 0;
      for (const [f, w] of m.fields()) {
        if (f === 1 && w === 0) type = m.varint();
        else if (f === 2 && w === 0) unit = m.varint();
        else m.skip(w);
      }
      sampleTypes.push([type, unit]);
    } else if (field === 2 && wire === 2) {
      const m = new Reader(r.bytes());
      const s = { locationIds: [] as number[], values: [] as number[] };
      for (const [f, w] of m.fields()) {
        if (f === 1) ints(m, w, s.locationIds);
        else if (f === 2) ints(m, w, s.values);
        else m.skip(w);
      }
      samples.push(s);
    } else if (field === 4 && wire === 2) {
      const m = new Reader(r.bytes());
      let id = 0;
      const lines: { functionId: number; line: number }[] = [];
      for (const [f, w] of m.fields()) {
        if (f === 1 && w === 0) id = m.varint();
        else if (f === 4 && w === 2) {
          const l = new Reader(m.bytes());
          const line = { functionId: 0, line: 0 };
          for (const [lf, lw] of l.fields()) {
            if (lf === 1 && lw === 0) line.functionId = l.varint();
            else if (lf === 2 && lw === 0) line.line = l.varint();
            else l.skip(lw);
          }
          lines.push(line);
        } else m.skip(w);
      }
      locations.set(id, lines);
    } else if (field === 5 && wire === 2) {
      const m = new Reader(r.bytes());
      let id = 0;
      const fn = { name: 0, file: 0, startLine: 0 };
      for (const [f, w] of m.fields()) {
        if (f === 1 && w === 0) id = m.varint();
        else if (f === 2 && w === 0) fn.name = m.varint();
        else if (f === 4 && w === 0) fn.file = m.varint();
        else if (f === 5 && w === 0) fn.startLine = m.varint();
        else m.skip(w);
      }
      fns.set(id, fn);
    } else if (field === 6 && wire === 2) {
      strings.push(text.decode(r.bytes()));
    } else if (field === 10 && wire === 0) {
      durationNanos = r.varint();
    } else if (field === 12 && wire === 0) {
      period = r.varint();
    } else {
      r.skip(wire);
    }
  }
  const str = (i: number) => strings[i] ?? '';
  const functions: Pprof['functions'] = new Map();
  for (const [id, f] of fns)
    functions.set(id, { name: str(f.name), file: str(f.file), startLine: f.startLine });
  return {
    sampleTypes: sampleTypes.map(([t, u]) => ({ type: str(t), unit: str(u) })),
    samples,
    locations,
    functions,
    durationNanos,
    period,
  };
}

/** `go:<package>` for a Go function name (`github.com/x/y/pkg.(*T).M` → `go:github.com/x/y/pkg`). */
export function goPackageUrl(fn: string): string {
  const slash = fn.lastIndexOf('/');
  const dot = fn.indexOf('.', slash + 1);
  // No package: the runtime's assembly (aeshashbody, indexbytebody).
  return dot < 0 ? 'go:(assembly)' : `go:${fn.slice(0, dot)}`;
}

/**
 * Samples that stop in `runtime.cgocall` ran C code Go cannot unwind (in
 * ferretdb-asp: SQLite, through mattn/go-sqlite3): they get a frame of their
 * own below it, so the flame graph and the lists say so instead of crediting
 * Go's runtime.
 */
export const CGO_FRAME = '(C code, via cgo)';

/** Functions whose samples are the Go collector's (its background workers and the mutator's assists). */
const GC_FUNCTIONS = [
  'runtime.gcBgMarkWorker',
  'runtime.bgsweep',
  'runtime.bgscavenge',
  'runtime.gcAssistAlloc',
];

export interface GoCpuProfile {
  /** The call tree in V8's shape; frames' urls are `go:<package>`. */
  profile: CpuProfile;
  /** CPU time the samples stand for, ns (every thread: may exceed the duration on two cores). */
  cpuNanos: number;
  durationNanos: number;
  /** Nanoseconds of CPU between two samples. */
  periodNanos: number;
  /** Samples under the collector's functions. */
  gcSamples: number;
}

/**
 * The samples' stacks merged into a tree, root first (pprof lists a stack
 * leaf first, and a location's inlined functions innermost first). Each
 * frame is a function: lines within it are merged.
 */
export function goToCpuProfile(p: Pprof): GoCpuProfile {
  const countIdx = Math.max(
    0,
    p.sampleTypes.findIndex((t) => t.type === 'samples'),
  );
  const nanosIdx = p.sampleTypes.findIndex((t) => t.unit === 'nanoseconds');
  type Node = CpuProfile['nodes'][number] & { kids: Map<number, Node> };
  const nodes: Node[] = [];
  const make = (functionName: string, url: string, line: number): Node => {
    const n: Node = {
      id: nodes.length + 1,
      callFrame: { functionName, url, lineNumber: line },
      hitCount: 0,
      kids: new Map(),
    };
    nodes.push(n);
    return n;
  };
  const root = make('(root)', '', -1);
  let cpuNanos = 0;
  let gcSamples = 0;
  for (const s of p.samples) {
    const count = s.values[countIdx] ?? 0;
    cpuNanos += nanosIdx >= 0 ? (s.values[nanosIdx] ?? 0) : count * p.period;
    let at = root;
    let gc = false;
    for (let i = s.locationIds.length - 1; i >= 0; i--) {
      const lines = p.locations.get(s.locationIds[i]!) ?? [];
      for (let j = lines.length - 1; j >= 0; j--) {
        const fid = lines[j]!.functionId;
        let next = at.kids.get(fid);
        if (!next) {
          const f = p.functions.get(fid);
          const name = f?.name ?? `(function ${fid})`;
          next = make(name, goPackageUrl(name), (f?.startLine ?? 0) - 1);
          at.kids.set(fid, next);
        }
        if (GC_FUNCTIONS.includes(next.callFrame.functionName)) gc = true;
        at = next;
      }
    }
    if (at.callFrame.functionName === 'runtime.cgocall') {
      let c = at.kids.get(-1);
      if (!c) {
        c = make(CGO_FRAME, '', -1);
        at.kids.set(-1, c);
      }
      at = c;
    }
    at.hitCount = (at.hitCount ?? 0) + count;
    if (gc) gcSamples += count;
  }
  const profile: CpuProfile = {
    nodes: nodes.map(({ kids, ...n }) => ({ ...n, children: [...kids.values()].map((k) => k.id) })),
    startTime: 0,
    endTime: Math.round(p.durationNanos / 1000),
  };
  return { profile, cpuNanos, durationNanos: p.durationNanos, periodNanos: p.period, gcSamples };
}
