import { Checkpoints, rebuildReadModels } from '@asp/projector';
import type { CliConfig } from './config.ts';
import { type ServersOptions, withReadModels } from './readmodels/connect.ts';

/**
 * `asp rebuild-read-models`: replays ASP_EVENTS into fresh collections and
 * swaps them in while the stack keeps running (see docs/read-models.md). The
 * projector holds for the swap only; the sequencer never stops.
 */
export async function rebuild(
  cfg: CliConfig,
  say: (line: string) => void,
  opts: ServersOptions = {},
): Promise<boolean> {
  const done = await withReadModels(cfg, opts, 'asp-rebuild', async (nc, db) => {
    // The database's read models hold every partition projected into it, and this one.
    const known = (await new Checkpoints(db).list()).map((c) => c.partition);
    const partitions = [...new Set([...known, cfg.ASP_PARTITION])];
    const r = await rebuildReadModels({ nc, db, partitions, say });
    const docs = Object.entries(r.docs).map(([c, n]) => `${c} ${n}`);
    say(`rebuilt from ${r.records} records in ${(r.elapsedMs / 1000).toFixed(1)} s: ${docs.join(', ')}`);
    return true;
  });
  if (done === undefined)
    say(`nothing to rebuild: the local stack is not up in ${cfg.home} (\`pnpm asp up\`)`);
  return done === true;
}
