import type { FlameNode } from '../profile/analyze.ts';

/**
 * A flame graph of a merged call tree, as a self-contained SVG (no script):
 * each frame's width is its share of the busy samples, its callers below it,
 * the root at the bottom; hovering a frame shows its full name, owner and
 * share (an SVG `<title>`). Colours say who owns the code: ours warm,
 * dependencies (npm packages, Go modules) blue, the runtime's own code (Node's
 * JavaScript, Go's standard library) green, V8 and native code grey.
 */
export const FLAME_WIDTH = 1200;
const FRAME_H = 16;
const TOP = 46;
const BOTTOM = 26;
const PAD = 10;
/** Frames narrower than this are not drawn: invisible, and a deep profile has many thousands. */
const MIN_FRAME_PX = 0.3;
/** Drawn frames at most, whatever the profile: the file stays small enough to open. */
const FRAMES_MAX = 20_000;
/** Rows at most: a deep recursion would otherwise make a picture of one thin column. */
const DEPTH_MAX = 64;
/** Average glyph width of 11 px sans-serif, for deciding how much of a name fits. */
const CHAR_PX = 6.4;

type Owner = 'ours' | 'npm' | 'node' | 'native';

export function ownerOf(pkg: string): Owner {
  if (pkg === 'bench' || pkg.startsWith('packages/') || pkg.startsWith('services/')) return 'ours';
  if (pkg.startsWith('go:')) {
    if (pkg === 'go:main') return 'ours';
    // Go's standard library: no domain in the first path element (runtime, encoding/json).
    return pkg.slice(3).split('/')[0]!.includes('.') ? 'npm' : 'node';
  }
  if (pkg === 'node') return 'node';
  if (pkg.startsWith('(')) return 'native';
  return 'npm';
}

const BASE_HUE: Record<Owner, [number, number, number]> = {
  ours: [20, 85, 62],
  npm: [205, 60, 62],
  node: [110, 45, 55],
  native: [0, 0, 68],
};

/** A stable shade per name, so neighbours differ and the same function looks the same everywhere. */
function colour(node: FlameNode): string {
  let h = 2166136261;
  for (let i = 0; i < node.name.length; i++) h = Math.imul(h ^ node.name.charCodeAt(i), 16777619);
  const [hue, sat, light] = BASE_HUE[ownerOf(node.pkg)];
  const jitter = ((h >>> 0) % 1000) / 1000;
  return `hsl(${hue + Math.round(jitter * 30)},${sat}%,${light + Math.round(jitter * 12)}%)`;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fit(label: string, px: number): string {
  const chars = Math.floor((px - 6) / CHAR_PX);
  if (chars < 3) return '';
  return label.length <= chars ? label : `${label.slice(0, chars - 2)}..`;
}

interface Placed {
  node: FlameNode;
  x: number;
  w: number;
  depth: number;
}

/** Frames to draw, row by row from the root: when FRAMES_MAX is reached, the deepest rows are what is left out. */
function place(root: FlameNode, width: number): { placed: Placed[]; depth: number; cut: boolean } {
  const placed: Placed[] = [];
  if (root.total === 0) return { placed, depth: 0, cut: false };
  const scale = width / root.total;
  let depth = 0;
  let cut = false;
  let full = false;
  let queue: Placed[] = [{ node: root, x: 0, w: width, depth: 0 }];
  while (queue.length > 0) {
    const next: Placed[] = [];
    for (const p of queue) {
      if (placed.length >= FRAMES_MAX) {
        full = true;
        break;
      }
      placed.push(p);
      depth = Math.max(depth, p.depth);
      let x = p.x + p.node.self * scale;
      for (const c of p.node.children) {
        const w = c.total * scale;
        if (w < MIN_FRAME_PX) {
          // too thin to see
        } else if (p.depth + 1 > DEPTH_MAX) {
          cut = true;
        } else {
          next.push({ node: c, x, w, depth: p.depth + 1 });
        }
        x += w;
      }
    }
    queue = full ? [] : next;
  }
  return { placed, depth, cut: cut || full };
}

export function flameSvg(root: FlameNode, o: { title: string; subtitle: string; width?: number }): string {
  const width = o.width ?? FLAME_WIDTH;
  const inner = width - 2 * PAD;
  const { placed, depth, cut } = place(root, inner);
  const height = TOP + (depth + 1) * FRAME_H + BOTTOM;
  const yOf = (d: number) => TOP + (depth - d) * FRAME_H;
  const total = root.total;
  const frames = placed.map(({ node, x, w, depth: d }) => {
    const share = total > 0 ? ((100 * node.total) / total).toFixed(2) : '0';
    const tip = `${node.name} (${node.pkg}): ${node.total} samples, ${share}% of busy (self ${node.self})`;
    const label = fit(node.name, w);
    const xx = (PAD + x).toFixed(2);
    const y = yOf(d);
    return (
      `<g><title>${escapeXml(tip)}</title>` +
      `<rect x="${xx}" y="${y}" width="${w.toFixed(2)}" height="${FRAME_H - 1}" fill="${colour(node)}" rx="1"/>` +
      (label ? `<text x="${(PAD + x + 3).toFixed(2)}" y="${y + 11.5}">${escapeXml(label)}</text>` : '') +
      '</g>'
    );
  });
  const legend = (['ours', 'npm', 'node', 'native'] as const).map((k, i) => {
    const [h, s, l] = BASE_HUE[k];
    const x = PAD + i * 150;
    const text = {
      ours: 'our code',
      npm: 'dependencies',
      node: 'Node / Go runtime',
      native: 'V8, native, GC',
    }[k];
    return `<rect x="${x}" y="${height - 18}" width="12" height="12" fill="hsl(${h},${s}%,${l}%)"/><text x="${x + 17}" y="${height - 8}">${text}</text>`;
  });
  const note = cut
    ? ` · not drawn: frames beyond ${DEPTH_MAX} calls deep or past the first ${FRAMES_MAX.toLocaleString('en-US')}`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Verdana, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${PAD}" y="18" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`,
    `<text x="${PAD}" y="35" fill="#555">${escapeXml(o.subtitle + note)}</text>`,
    ...frames,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
