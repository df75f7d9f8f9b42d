import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from './errors.ts';
import type { Pipeline } from './stack.ts';

type Say = (line: string) => void;

/** The integrity audit as the bench sees it: a pipeline in, a verdict string out (`INTEGRITY_OK`, …). */
export type AuditFn = (p: Pipeline, say: Say) => Promise<string>;

/** The verdict recorded when no audit could be found in this checkout. */
export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE';

const cliAuditFile = resolve(dirname(fileURLToPath(import.meta.url)), '../../services/cli/src/audit.ts');

/** How long the audit itself may wait for the projector and a quiet moment (the bench waited already). */
const AUDIT_WAIT_MS = 10_000;

/**
 * `asp audit` from services/cli, loaded at run time: the bench does not depend
 * on the CLI package, and the audit may not exist yet in a checkout. It takes
 * the CLI's configuration; the pipeline's servers go in its URL overrides.
 */
async function cliAudit(p: Pipeline, say: Say): Promise<string> {
  if (!existsSync(cliAuditFile)) return AUDIT_UNAVAILABLE;
  const mod = (await import(cliAuditFile)) as { audit?: unknown };
  if (typeof mod.audit !== 'function') {
    throw new BenchError('ASP_ERR_BENCH_AUDIT', `${cliAuditFile} does not export audit(cfg, say, opts)`);
  }
  const home = p.dir ?? resolve('.data');
  const cfg = {
    ASP_HOME: home,
    home,
    ASP_PARTITION: p.partition,
    ASP_MONGO_DB: p.mongoDb,
    NATS_URL: p.natsUrl,
  };
  const opts = { natsUrl: p.natsUrl, mongoUrl: p.mongoUrl, waitMs: AUDIT_WAIT_MS };
  const lines: string[] = [];
  const sayAndKeep = (line: string) => {
    lines.push(line);
    say(`  ${line}`);
  };
  const out: unknown = await (mod.audit as (c: unknown, s: Say, o: unknown) => Promise<unknown>)(
    cfg,
    sayAndKeep,
    opts,
  );
  return verdictOf(out, lines);
}

/** The audit's answer as a verdict string, whether it returns one, an object with one, or a boolean. */
export function verdictOf(out: unknown, lines: readonly string[]): string {
  if (typeof out === 'string') return out;
  if (out && typeof out === 'object' && 'verdict' in out && typeof out.verdict === 'string')
    return out.verdict;
  const said = lines.join('\n').match(/\bINTEGRITY_[A-Z_]+\b/g);
  if (said) return said[said.length - 1]!;
  if (typeof out === 'boolean') return out ? 'INTEGRITY_OK' : 'INTEGRITY_FAILED';
  throw new BenchError('ASP_ERR_BENCH_AUDIT', `the audit returned no verdict: ${JSON.stringify(out)}`);
}

let current: AuditFn = cliAudit;

/** Swaps the audit (tests; or the bench's own once the CLI's moves to a shared package). */
export function setAudit(fn: AuditFn | undefined): void {
  current = fn ?? cliAudit;
}

/** Runs the audit; a failure to run it at all is recorded as a verdict, never as a pass. */
export async function runAudit(p: Pipeline, say: Say): Promise<string> {
  try {
    return await current(p, say);
  } catch (err) {
    const code = err && typeof err === 'object' && 'code' in err ? String(err.code) : 'ERROR';
    say(`  audit failed to run: ${err instanceof Error ? err.message : String(err)}`);
    return `AUDIT_ERROR ${code}`;
  }
}
