import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer } from '@asp/servers';
import { expect, it } from 'vitest';
import { connectNats, Reconnects } from '../src/index.ts';

it('ends a wait in flight at the reconnect and tells its listeners; later waits are not ended by it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'asp-reconnects-'));
  let server = await startNatsServer({ dataDir: dir });
  const nc = await connectNats({ servers: server.url, name: 'reconnects-test' });
  try {
    const reconnects = new Reconnects(nc);
    let told = 0;
    reconnects.onReconnect(() => told++);
    // A subscriber that never answers: the request would wait its whole 60 s.
    nc.subscribe('asp.test.silent', { callback: () => {} });
    nc.subscribe('asp.test.echo', {
      callback: (_err, m) => {
        m.respond(m.data);
      },
    });
    await nc.flush();
    const waiting = reconnects.race(nc.request('asp.test.silent', undefined, { timeout: 60_000 }));

    const monitorPort = Number(new URL(server.monitorUrl).port);
    await server.kill();
    server = await startNatsServer({ dataDir: dir, port: server.port, monitorPort });
    await expect(waiting).rejects.toMatchObject({ code: 'ASP_ERR_NATS_RECONNECTED' });
    expect(told).toBe(1);

    const answer = await reconnects.race(nc.request('asp.test.echo', 'hi', { timeout: 5_000 }));
    expect(answer.string()).toBe('hi');
  } finally {
    await nc.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
