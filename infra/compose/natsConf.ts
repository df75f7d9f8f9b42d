/**
 * Reads a nats-server configuration into flat `block.key → value` pairs
 * (`jetstream.sync_interval → always`), enough to compare two configurations
 * setting by setting. Comments (`#`, `//`) are dropped, quotes removed.
 */
export function parseNatsConf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const blocks: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)(#|\/\/).*$/, '').trim();
    if (line === '') continue;
    if (line === '}') {
      blocks.pop();
      continue;
    }
    const block = line.match(/^([\w-]+)\s*[:=]?\s*\{$/);
    if (block?.[1]) {
      blocks.push(block[1]);
      continue;
    }
    const kv = line.match(/^([\w-]+)\s*[:=\s]\s*(.+?)[,;]?$/);
    if (kv?.[1] && kv[2]) out.set([...blocks, kv[1]].join('.'), kv[2].replace(/^"(.*)"$/, '$1'));
  }
  return out;
}
