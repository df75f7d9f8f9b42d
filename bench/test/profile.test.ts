import { describe, expect, it } from 'vitest';
import { type CpuProfile, flameTree, packageOf, summarize } from '../src/profile/analyze.ts';
import { CGO_FRAME, decodePprof, goPackageUrl, goToCpuProfile } from '../src/profile/pprof.ts';
import { escapeXml, flameSvg, ownerOf } from '../src/report/flame.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { assertWellFormedSvg, fixture } from './report-fixture.ts';

type Frame = { fn: string; url?: string; line?: number };
/** A V8 profile from a list of (stack root-first, samples). Nodes are per path, as V8 makes them. */
function v8(stacks: [Frame[], number][]): CpuProfile {
  const nodes: CpuProfile['nodes'] = [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [] },
  ];
  const samples: number[] = [];
  const index = new Map<string, number>();
  for (const [stack, n] of stacks) {
    let parent = 1;
    let path = '';
    for (const f of stack) {
      path += `>${f.fn}@${f.url ?? ''}`;
      let id = index.get(path);
      if (id === undefined) {
        id = nodes.length + 1;
        index.set(path, id);
        nodes.push({
          id,
          callFrame: { functionName: f.fn, url: f.url ?? '', lineNumber: f.line ?? 0 },
          children: [],
        });
        nodes[parent - 1]!.children!.push(id);
      }
      parent = id;
    }
    for (let i = 0; i < n; i++) samples.push(parent);
  }
  return { nodes, startTime: 0, endTime: 2_000_000, samples };
}

const OURS = 'file:///repo/packages/state/src/clock.ts';
const NPM = 'file:///repo/node_modules/.pnpm/classic-level@3.0.0/node_modules/classic-level/chained-batch.js';
const SCOPED = 'file:///repo/node_modules/.pnpm/x/node_modules/@nats-io/nats-core/lib/protocol.js';

const profile = v8([
  [[{ fn: '(idle)' }], 50],
  [[{ fn: '(program)' }], 5],
  [[{ fn: '(garbage collector)' }], 5],
  [
    [
      { fn: 'main', url: OURS },
      { fn: 'get', url: OURS, line: 26 },
    ],
    10,
  ],
  // A native addon's function under its JavaScript caller, named as V8 names it.
  [[{ fn: 'main', url: OURS }, { fn: '_put', url: NPM, line: 13 }, { fn: 'crc32c' }], 20],
  [[{ fn: 'send', url: SCOPED }], 10],
]);

describe('a V8 profile, summarized', () => {
  it('counts busy and GC shares, and names native code by its caller', () => {
    const s = summarize(profile, 3);
    expect(s).toMatchObject({ samples: 100, duration_s: 2, busy_pct: 50, gc_pct: 10 });
    expect(s.top_self).toEqual([
      {
        name: 'crc32c (native, from _put classic-level/chained-batch.js:14)',
        pkg: 'classic-level (native)',
        pct: 40,
      },
      { name: 'get src/clock.ts:27', pkg: 'packages/state', pct: 20 },
      { name: 'send lib/protocol.js:1', pkg: '@nats-io/nats-core', pct: 20 },
    ]);
    expect(s.by_package.slice(0, 2)).toEqual([
      { pkg: 'classic-level (native)', pct: 40 },
      { pkg: 'packages/state', pct: 20 },
    ]);
  });

  it('knows who owns a frame', () => {
    expect(packageOf(OURS)).toBe('packages/state');
    expect(packageOf('file:///repo/services/sequencer/src/committer.ts')).toBe('services/sequencer');
    expect(packageOf('file:///repo/bench/src/run.ts')).toBe('bench');
    expect(packageOf(NPM)).toBe('classic-level');
    expect(packageOf(SCOPED)).toBe('@nats-io/nats-core');
    expect(packageOf('node:internal/streams/writable')).toBe('node');
    expect(packageOf('', 'writeBuffer')).toBe('(native)');
    expect(packageOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(ownerOf('packages/state')).toBe('ours');
    expect(ownerOf('classic-level')).toBe('npm');
    expect(ownerOf('node')).toBe('node');
    expect(ownerOf('(program)')).toBe('native');
    expect(ownerOf('go:main')).toBe('ours');
    expect(ownerOf('go:runtime')).toBe('node');
    expect(ownerOf('go:encoding/json')).toBe('node');
    expect(ownerOf('go:github.com/FerretDB/FerretDB/internal/handler')).toBe('npm');
  });

  it('merges a call tree without the idle samples', () => {
    const t = flameTree(profile);
    expect(t.total).toBe(50);
    expect(t.children.map((c) => [c.name, c.total])).toEqual([
      ['(garbage collector)', 5],
      ['(program)', 5],
      ['main src/clock.ts:1', 30],
      ['send lib/protocol.js:1', 10],
    ]);
    const main = t.children[2]!;
    expect(main.self).toBe(0);
    expect(main.children.map((c) => [c.name, c.self, c.total])).toEqual([
      ['_put classic-level/chained-batch.js:14', 0, 20],
      ['get src/clock.ts:27', 10, 10],
    ]);
  });

  it('merges the same call site reached through different profile nodes', () => {
    // V8 makes one node per distinct path and line: two nodes of `f` under `main` are one frame.
    const p = v8([
      [
        [
          { fn: 'main', url: OURS },
          { fn: 'f', url: OURS, line: 4 },
        ],
        3,
      ],
    ]);
    const f = p.nodes.find((n) => n.callFrame.functionName === 'f')!;
    p.nodes.push({ ...f, id: 99, children: [] });
    p.nodes.find((n) => n.callFrame.functionName === 'main')!.children!.push(99);
    p.samples!.push(99, 99);
    const main = flameTree(p).children[0]!;
    expect(main.children).toHaveLength(1);
    expect(main.children[0]!.total).toBe(5);
  });
});

describe('the flame graph', () => {
  it('draws each frame as wide as its share, callers below, names escaped', () => {
    const svg = flameSvg(flameTree(profile), { title: 'a <test>', subtitle: 'x & y' });
    assertWellFormedSvg(svg);
    expect(svg).toContain('a &#60;test&#62;');
    expect(svg).toContain('x &#38; y');
    const rect = (name: string) => {
      const m = new RegExp(
        `<title>${escapeXml(name)} [^<]*</title><rect x="([0-9.]+)" y="([0-9.]+)" width="([0-9.]+)"`,
      ).exec(svg);
      expect(m, name).not.toBeNull();
      return { x: Number(m![1]), y: Number(m![2]), w: Number(m![3]) };
    };
    const all = rect('all');
    const main = rect('main src/clock.ts:1');
    const put = rect('_put classic-level/chained-batch.js:14');
    expect(main.w / all.w).toBeCloseTo(30 / 50, 3);
    expect(put.w / all.w).toBeCloseTo(20 / 50, 3);
    // The root at the bottom, each callee one row above its caller.
    expect(main.y).toBeLessThan(all.y);
    expect(put.y).toBeLessThan(main.y);
    expect(put.x).toBeGreaterThanOrEqual(main.x);
  });

  it('stays bounded for a deep recursion', () => {
    const deep: Frame[] = Array.from({ length: 500 }, (_, i) => ({ fn: `f${i}`, url: OURS }));
    const svg = flameSvg(flameTree(v8([[deep, 10]])), { title: 't', subtitle: 's' });
    assertWellFormedSvg(svg);
    expect((svg.match(/<rect x=/g) ?? []).length).toBeLessThan(80);
    expect(svg).toContain('not drawn');
  });

  it('draws nothing but the frame for an idle process', () => {
    const svg = flameSvg(flameTree(v8([[[{ fn: '(idle)' }], 10]])), { title: 't', subtitle: 's' });
    expect(svg).toContain('</svg>');
    expect(svg).not.toContain('<title>');
  });
});

/** A minimal protobuf writer, for a Go profile the decoder has never seen. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const field = (num: number, v: number): number[] => [...varint(num * 8), ...varint(v)];
const message = (num: number, body: number[]): number[] => [
  ...varint(num * 8 + 2),
  ...varint(body.length),
  ...body,
];
const str = (num: number, s: string) => message(num, [...Buffer.from(s)]);

describe("Go's CPU profile", () => {
  // Strings: 0 "", 1 samples, 2 count, 3 cpu, 4 nanoseconds, 5..8 function names.
  const strings = [
    '',
    'samples',
    'count',
    'cpu',
    'nanoseconds',
    'main.main',
    'github.com/FerretDB/FerretDB/internal/handler.(*Handler).MsgInsert',
    'runtime.cgocall',
    'sjson.appendString',
  ];
  const bytes = [
    ...message(1, [...field(1, 1), ...field(2, 2)]),
    ...message(1, [...field(1, 3), ...field(2, 4)]),
    // main → MsgInsert → cgocall: 30 samples (leaf first, packed); main → MsgInsert (with
    // appendString inlined into it: one location, two lines): 10 samples, unpacked ids.
    ...message(2, [
      ...message(1, [...varint(3), ...varint(2), ...varint(1)]),
      ...message(2, [...varint(30), ...varint(300_000_000)]),
    ]),
    ...message(2, [...field(1, 4), ...field(1, 1), ...message(2, [...varint(10), ...varint(100_000_000)])]),
    ...message(4, [...field(1, 1), ...message(4, [...field(1, 1), ...field(2, 12)])]),
    ...message(4, [...field(1, 2), ...message(4, [...field(1, 2), ...field(2, 40)])]),
    ...message(4, [...field(1, 3), ...message(4, [...field(1, 3), ...field(2, 7)])]),
    ...message(4, [
      ...field(1, 4),
      ...message(4, [...field(1, 4), ...field(2, 3)]),
      ...message(4, [...field(1, 2), ...field(2, 41)]),
    ]),
    ...message(5, [...field(1, 1), ...field(2, 5), ...field(5, 10)]),
    ...message(5, [...field(1, 2), ...field(2, 6), ...field(5, 30)]),
    ...message(5, [...field(1, 3), ...field(2, 7), ...field(5, 1)]),
    ...message(5, [...field(1, 4), ...field(2, 8), ...field(5, 2)]),
    ...strings.flatMap((s) => str(6, s)),
    ...field(10, 2_000_000_000),
    ...field(12, 10_000_000),
  ];

  it('decodes the pprof format, packed and unpacked', () => {
    const p = decodePprof(new Uint8Array(bytes));
    expect(p.sampleTypes).toEqual([
      { type: 'samples', unit: 'count' },
      { type: 'cpu', unit: 'nanoseconds' },
    ]);
    expect(p.samples).toEqual([
      { locationIds: [3, 2, 1], values: [30, 300_000_000] },
      { locationIds: [4, 1], values: [10, 100_000_000] },
    ]);
    expect(p.locations.get(4)).toEqual([
      { functionId: 4, line: 3 },
      { functionId: 2, line: 41 },
    ]);
    expect(p.functions.get(2)).toEqual({ name: strings[6], file: '', startLine: 30 });
    expect(p).toMatchObject({ durationNanos: 2_000_000_000, period: 10_000_000 });
    expect(() => decodePprof(new Uint8Array(bytes.slice(0, 7)))).toThrow(/pprof: truncated/);
  });

  it('becomes a call tree root first, inlined calls under their caller, C code named', () => {
    const go = goToCpuProfile(decodePprof(new Uint8Array(bytes)));
    expect(go).toMatchObject({
      cpuNanos: 400_000_000,
      durationNanos: 2_000_000_000,
      periodNanos: 10_000_000,
      gcSamples: 0,
    });
    const t = flameTree(go.profile);
    expect(t.total).toBe(40);
    const main = t.children[0]!;
    expect(main.name).toBe('main.main');
    expect(main.pkg).toBe('go:main');
    const insert = main.children[0]!;
    expect(insert.name).toBe('handler.(*Handler).MsgInsert');
    expect(insert.pkg).toBe('go:github.com/FerretDB/FerretDB/internal/handler');
    expect(insert.children.map((c) => [c.name, c.total])).toEqual([
      ['runtime.cgocall', 30],
      ['sjson.appendString', 10],
    ]);
    expect(insert.children[0]!.children.map((c) => [c.name, c.self])).toEqual([[CGO_FRAME, 30]]);
    expect(summarize(go.profile).top_self[0]).toEqual({ name: CGO_FRAME, pkg: CGO_FRAME, pct: 75 });
    expect(goPackageUrl('aeshashbody')).toBe('go:(assembly)');
    expect(goPackageUrl('encoding/json.(*encodeState).string')).toBe('go:encoding/json');
  });
});

describe("the report's profile section", () => {
  it('is there only for a profiled run, with each process, its table and its files', () => {
    const plain = fixture(true);
    expect(plain.profiles).toBeNull();
    expect(renderMarkdown(plain, { command: 'x', charts: [] })).not.toContain('Where the CPU went');
    const s = summarize(profile, 5);
    const md = renderMarkdown(
      {
        ...plain,
        profiles: {
          sequencer: {
            ...s,
            top_self: [{ name: 'a|b src/x.ts:1', pkg: 'packages/x', pct: 9 }],
            profile_file: 'r-sequencer.cpuprofile',
            flame_file: 'r-sequencer-flame.svg',
          },
          mongo: { ...s, profile_file: 'r-mongo.pb.gz', flame_file: 'r-mongo-flame.svg' },
        },
      },
      { command: 'x', charts: [] },
    );
    expect(md).toContain('## Where the CPU went (profiled run)');
    expect(md).toContain(`### sequencer: busy ${s.busy_pct}% of ${s.duration_s} s, GC ${s.gc_pct}% of busy`);
    // A pipe in a name must not split the table's cell.
    expect(md).toContain('| `a\\|b src/x.ts:1` | packages/x | 9 |');
    expect(md).toContain('![sequencer flame graph](r-sequencer-flame.svg)');
    expect(md).toContain(
      "[r-sequencer.cpuprofile](r-sequencer.cpuprofile), for Chrome DevTools' Performance panel",
    );
    expect(md).toContain('[r-mongo.pb.gz](r-mongo.pb.gz), for `go tool pprof`');
    expect(md.indexOf('Where the CPU went')).toBeLessThan(md.indexOf('## Charts'));
  });
});
