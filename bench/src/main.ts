import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAspError } from '@asp/errors';
import { AUDIT_UNAVAILABLE } from './audit.ts';
import { type BenchConfig, loadConfig, usage } from './config.ts';
import { machineInfo } from './machine.ts';
import { assertPostgres } from './peers.ts';
import { writeIndex, writeReport } from './report/write.ts';
import type { ScenarioResult } from './result.ts';
import { runScenario } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';
import { killAllServers } from './stack.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

/**
 * A run passes when every command was answered, the read models caught up
 * and the audit found them equal to the state (or no audit exists yet).
 */
function passed(r: ScenarioResult): boolean {
  const runs = r.ceiling ? [r, r.ceiling.run] : [r];
  const verdictOk = (v: string) => v === 'INTEGRITY_OK' || v === AUDIT_UNAVAILABLE;
  return runs.every((x) => x.unanswered === 0 && x.catchup.caught_up && verdictOk(x.integrity));
}

async function runAll(cfg: BenchConfig, command: string): Promise<ScenarioResult[]> {
  const names = cfg.scenario === 'all' ? SCENARIOS : [cfg.scenario];
  // Fail before minutes of load rather than at the end.
  if (names.includes('peers')) await assertPostgres(cfg.pgUrl);
  const m = machineInfo();
  say(
    `Atomic State benchmark: ${names.join(', ')} · ${m.cpus} CPUs · Node ${m.node} · ${cfg.given ? 'given services' : 'fresh pipeline per run'}`,
  );
  const results: { r: ScenarioResult; md: string }[] = [];
  for (const name of names) {
    const r = await runScenario(cfg, name, say);
    const written = writeReport(cfg.reportDir, r, command);
    say(`  report: ${written.markdown}`);
    results.push({ r, md: written.markdown });
  }
  if (cfg.scenario === 'all') say(`index: ${writeIndex(cfg.reportDir, new Date(), results, command)}`);
  return results.map((x) => x.r);
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv.includes('--help')) {
    process.stdout.write(usage);
    return argv.length === 0 ? 2 : 0;
  }
  const cfg = loadConfig(argv);
  const command = `pnpm bench ${argv.join(' ')}`;
  // The JSON's directory is made now: a path that cannot be written fails before minutes of load.
  if (cfg.jsonFile) mkdirSync(dirname(cfg.jsonFile), { recursive: true });
  const results = await runAll(cfg, command);
  if (cfg.jsonFile) {
    const doc =
      cfg.scenario === 'all'
        ? { scenario: 'all', date: new Date().toISOString(), machine: machineInfo(), runs: results }
        : results[0];
    writeFileSync(cfg.jsonFile, `${JSON.stringify(doc, null, 2)}\n`);
    say(`json: ${cfg.jsonFile}`);
  }
  const bad = results.filter((r) => !passed(r));
  if (results.some((r) => r.integrity === AUDIT_UNAVAILABLE)) {
    say(
      'note: no integrity audit in this checkout (services/cli/src/audit.ts): verdicts are AUDIT_UNAVAILABLE',
    );
  }
  return bad.length === 0 ? 0 : 1;
}

// An interrupted run must not leave servers behind: their watchdogs only notice
// the bench's death while they are not already draining a SIGTERM.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping the pipeline`);
    void killAllServers().finally(() => process.exit(130));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = isAspError(err) ? `${err.code}: ` : '';
    const cause =
      err instanceof Error && err.cause
        ? `\n  cause: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}`
        : '';
    process.stderr.write(`bench: ${code}${err instanceof Error ? err.message : String(err)}${cause}\n`);
    process.exit(1);
  },
);
