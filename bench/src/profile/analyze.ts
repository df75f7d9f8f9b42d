/**
 * What a V8 CPU profile says, reduced to what a report can show: the busy
 * share, the collector's share, the functions and packages that took the
 * most samples, and a merged call tree for the flame graph. Pure: the
 * profile in, plain data out.
 */

/** The DevTools protocol's `Profiler.Profile`, the fields read here. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** One call site in the merged tree: every path to it from the root adds up. */
export interface FlameNode {
  /** `function file:line`, or V8's own `(program)`, `(garbage collector)`. */
  name: string;
  /** Who owns the code: see packageOf. */
  pkg: string;
  /** Samples in this frame itself. */
  self: number;
  /** Samples in this frame and below it. */
  total: number;
  children: FlameNode[];
}

export interface TopEntry {
  name: string;
  pkg: string;
  /** Share of the busy samples, %. */
  pct: number;
}

export interface ProfileSummary {
  /** Samples in the profile (one per sampling interval, busy or not). */
  samples: number;
  /** Wall time the profile covers, s. */
  duration_s: number;
  /**
   * How much of one core the profile shows busy, %: in a V8 profile the main thread's busy
   * samples over all of them; a Go profile covers every thread and may exceed 100 (the caller
   * sets it from the profile's CPU time).
   */
  busy_pct: number;
  /** Share of the busy samples in the garbage collector (its main-thread part), %. */
  gc_pct: number;
  /** The functions with the most samples of their own, % of busy. */
  top_self: TopEntry[];
  /** The same by owner: our packages, npm packages, Node itself, native code, %. */
  by_package: { pkg: string; pct: number }[];
}

const IDLE = '(idle)';
const ROOT = '(root)';
const GC = '(garbage collector)';

/**
 * The owner of a frame's code, from its URL: `packages/state` or
 * `services/sequencer` for ours, the npm package's name under node_modules,
 * `node` for Node's own JavaScript, `(native)` for C++ builtins and V8;
 * `go:<package path>` in a Go profile.
 */
export function packageOf(url: string, functionName = ''): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  // A Go profile's frames (pprof.ts): the function's package path, kept whole.
  if (url.startsWith('go:')) return url;
  if (url.startsWith('node:')) return 'node';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [first, second] = url.slice(nm + '/node_modules/'.length).split('/');
    return first?.startsWith('@') ? `${first}/${second}` : (first ?? '(unknown)');
  }
  const ours = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.includes('/bench/src/')) return 'bench';
  return url.split('/').slice(-2, -1)[0] ?? '(unknown)';
}

function frameName(f: CpuProfile['nodes'][number]['callFrame']): string {
  const fn = f.functionName || '(anonymous)';
  if (f.url === '') return fn;
  // Go: `handler.(*Handler).MsgInsert`; the package path is the owner's column.
  if (f.url.startsWith('go:')) return fn.slice(fn.lastIndexOf('/') + 1);
  const file = f.url.split('/').slice(-2).join('/');
  return `${fn} ${file}:${f.lineNumber + 1}`;
}

/** Samples per profile node: from `samples` when V8 gave them, else each node's hitCount. */
function hitsOf(p: CpuProfile): Map<number, number> {
  const hits = new Map<number, number>();
  if (p.samples && p.samples.length > 0) {
    for (const id of p.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  } else {
    for (const n of p.nodes) if (n.hitCount) hits.set(n.id, n.hitCount);
  }
  return hits;
}

/**
 * The call tree with the same call site merged wherever it occurs under the
 * same parent path, idle samples left out: the root's total is the busy
 * samples. Children are sorted by name, so the same profile draws the same.
 */
export function flameTree(p: CpuProfile): FlameNode {
  const hits = hitsOf(p);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const childIds = new Set(p.nodes.flatMap((n) => n.children ?? []));
  const rootNode = p.nodes.find((n) => !childIds.has(n.id));
  const root: FlameNode = { name: 'all', pkg: '(root)', self: 0, total: 0, children: [] };
  if (!rootNode) return root;
  // Iterative: a deep recursion in the profiled code must not overflow this stack.
  const stack: { id: number; into: FlameNode }[] = [];
  for (const c of rootNode.children ?? []) stack.push({ id: c, into: root });
  root.self = hits.get(rootNode.id) ?? 0;
  const index = new WeakMap<FlameNode, Map<string, FlameNode>>();
  while (stack.length > 0) {
    const { id, into } = stack.pop()!;
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === IDLE) continue;
    const name = frameName(n.callFrame);
    let kids = index.get(into);
    if (!kids) {
      kids = new Map();
      index.set(into, kids);
    }
    let node = kids.get(name);
    if (!node) {
      node = {
        name,
        pkg: packageOf(n.callFrame.url, n.callFrame.functionName),
        self: 0,
        total: 0,
        children: [],
      };
      kids.set(name, node);
      into.children.push(node);
    }
    node.self += hits.get(id) ?? 0;
    for (const c of n.children ?? []) stack.push({ id: c, into: node });
  }
  const finish = (node: FlameNode): number => {
    node.children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    node.total = node.self + node.children.reduce((sum, c) => sum + finish(c), 0);
    return node.total;
  };
  finish(root);
  return root;
}

/** `part` of `whole` in %, to a tenth; 0 of nothing. */
export const pct = (part: number, whole: number) => (whole > 0 ? Math.round((1000 * part) / whole) / 10 : 0);

/**
 * The summary of a profile: `top` entries in each list. Native code is named
 * with the JavaScript function that called it: V8 cannot name the functions
 * of a native addon reliably (classic-level's batch writes showed up as
 * `crc32c`, another addon's export), the caller says what the work was.
 */
export function summarize(p: CpuProfile, top = 15): ProfileSummary {
  const hits = hitsOf(p);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  /** A frame's name and owner; native code is its JavaScript caller's (`classic-level (native)`). */
  const frameOf = (n: CpuProfile['nodes'][number]): { name: string; pkg: string } => {
    const f = n.callFrame;
    const own = { name: frameName(f), pkg: packageOf(f.url, f.functionName) };
    if (f.url !== '' || f.functionName.startsWith('(')) return own;
    const caller = byId.get(parentOf.get(n.id) ?? -1)?.callFrame;
    if (!caller || caller.url === '') return own;
    return {
      name: `${own.name} (native, from ${frameName(caller)})`,
      pkg: `${packageOf(caller.url, caller.functionName)} (native)`,
    };
  };
  let samples = 0;
  let idle = 0;
  let gc = 0;
  const self = new Map<string, { pkg: string; n: number }>();
  const pkgs = new Map<string, number>();
  for (const n of p.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (h === 0) continue;
    samples += h;
    const fn = n.callFrame.functionName;
    if (fn === IDLE) {
      idle += h;
      continue;
    }
    if (fn === GC) gc += h;
    if (fn === ROOT) continue;
    const { name, pkg } = frameOf(n);
    const e = self.get(name) ?? { pkg, n: 0 };
    e.n += h;
    self.set(name, e);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + h);
  }
  const busy = samples - idle;
  return {
    samples,
    duration_s: Math.round((p.endTime - p.startTime) / 1e3) / 1e3,
    busy_pct: pct(busy, samples),
    gc_pct: pct(gc, busy),
    top_self: [...self]
      .sort((a, b) => b[1].n - a[1].n)
      .slice(0, top)
      .map(([name, e]) => ({ name, pkg: e.pkg, pct: pct(e.n, busy) })),
    by_package: [...pkgs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([pkg, n]) => ({ pkg, pct: pct(n, busy) })),
  };
}
