import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AspClient, type CommandResult } from '@asp/client';
import { type ServiceProcess, startService } from '@asp/servers';
import { testEnv, testNats, uniqueName } from '@asp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRecount, loadCommands, recount, setupCommands, take, type WorkloadSpec } from '../src/index.ts';

const env = testEnv('workload');
const partition = uniqueName('wl');
const dir = mkdtempSync(join(tmpdir(), `asp-workload-${partition}-`));
const logFile = join(dir, 'sequencer.log');
let nc: Awaited<ReturnType<typeof testNats>>;
let sequencer: ServiceProcess | undefined;

beforeAll(async () => {
  nc = await testNats(env);
  try {
    sequencer = await startService({
      name: 'sequencer',
      env: { NATS_URL: env.natsUrl, ASP_PARTITION: partition, ASP_DATA_DIR: join(dir, 'data') },
      logFile,
    });
  } catch (err) {
    throw new Error(`sequencer did not start: ${String(err)}\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
  }
});

afterAll(async () => {
  await sequencer?.stop();
  await nc?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the workload through the real sequencer', () => {
  it('32 concurrent producers: about 5% rejected, and the recount of the accepted results holds', async () => {
    const producers = 32;
    const perProducer = 400;
    const spec: WorkloadSpec = {
      runId: uniqueName('w'),
      aggregates: 320,
      producers,
      mix: { seats: 1, ledger: 1, inventory: 1 },
    };
    const setup = setupCommands(spec);
    const admin = AspClient.create(nc, { partition });
    const setupResults: CommandResult[] = [];
    // In order, one message after another: teams need their org, transfers their accounts.
    for (let i = 0; i < setup.length; i += 500)
      setupResults.push(...(await admin.send(setup.slice(i, i + 500))));
    expect(setupResults.filter((r) => r.status !== 'accepted')).toEqual([]);

    const loads = Array.from({ length: producers }, (_, k) => take(loadCommands(spec, 99, k), perProducer));
    const clients = loads.map(() => AspClient.create(nc, { partition, inflightMessagesMax: 4 }));
    const results = await Promise.all(
      loads.map((load, k) => Promise.all(load.map((c) => clients[k]!.submit(c)))),
    );
    await Promise.all([admin, ...clients].map((c) => c.close()));

    const loadResults = results.flat();
    const rejected = loadResults.filter((r) => r.status === 'rejected');
    expect(rejected.length / loadResults.length).toBeGreaterThan(0.03);
    expect(rejected.length / loadResults.length).toBeLessThan(0.08);
    const r = recount([...setupResults, ...loadResults], [...setup, ...loads.flat()]);
    expect(checkRecount(r)).toEqual([]);
    expect(r.accepted + r.rejected).toBe(setup.length + producers * perProducer);
  });
});
