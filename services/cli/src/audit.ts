import { auditLines, auditReadModels } from '@asp/projector';
import type { CliConfig } from './config.ts';
import { type ServersOptions, withReadModels } from './readmodels/connect.ts';

export interface AuditCliOptions extends ServersOptions {
  /** How long to wait for the projector to catch up (and for a quiet moment); default 60 s. */
  waitMs?: number;
}

/**
 * `asp audit`: every invariant and domain audit holds in the sequencer's
 * state, and every read model document equals it. Prints INTEGRITY_OK (last
 * line) and returns true, or the number of differences and the first few.
 */
export async function audit(
  cfg: CliConfig,
  say: (line: string) => void,
  opts: AuditCliOptions = {},
): Promise<boolean> {
  const ok = await withReadModels(cfg, opts, 'asp-audit', async (nc, db) => {
    const report = await auditReadModels({
      nc,
      db,
      partition: cfg.ASP_PARTITION,
      waitMs: opts.waitMs ?? 60_000,
    });
    for (const line of auditLines(report)) say(line);
    return report.ok;
  });
  if (ok === undefined) say(`nothing to audit: the local stack is not up in ${cfg.home} (\`pnpm asp up\`)`);
  return ok === true;
}
