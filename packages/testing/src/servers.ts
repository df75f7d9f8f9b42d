import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFerretDb, startNatsServer } from '@asp/servers';
import { dockerEngineReachable } from './docker.ts';

export interface TestServers {
  natsUrl: string;
  natsMonitorUrl: string | undefined;
  mongoUrl: string;
  /** Where the servers came from, printed once so a run says what it tested against. */
  source: 'env' | 'testcontainers' | 'local';
  stop(): Promise<void>;
}

/** Local binaries on free ports, each with its own temp directory, removed on stop. */
async function localServers(): Promise<TestServers> {
  const dir = mkdtempSync(join(tmpdir(), 'asp-test-'));
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  let mongo: Awaited<ReturnType<typeof startFerretDb>>;
  try {
    mongo = await startFerretDb({ dataDir: join(dir, 'ferretdb') });
  } catch (err) {
    await nats.stop();
    throw err;
  }
  return {
    natsUrl: nats.url,
    natsMonitorUrl: nats.monitorUrl,
    mongoUrl: mongo.url,
    source: 'local',
    async stop() {
      await Promise.all([nats.stop(), mongo.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** NATS 2.12 with JetStream and MongoDB 8 in containers, for machines with a Docker engine. */
async function containerServers(): Promise<TestServers> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const nats = await new GenericContainer('nats:2.12-alpine')
    .withCommand(['-js', '-m', '8222', '--max_payload', '8MB'])
    .withExposedPorts(4222, 8222)
    .withWaitStrategy(Wait.forHttp('/healthz?js-enabled-only=true', 8222))
    .start();
  const mongo = await new GenericContainer('mongo:8')
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
    .start();
  return {
    natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
    natsMonitorUrl: `http://${nats.getHost()}:${nats.getMappedPort(8222)}`,
    mongoUrl: `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}/?directConnection=true`,
    source: 'testcontainers',
    async stop() {
      await Promise.all([nats.stop(), mongo.stop()]);
    },
  };
}

/**
 * NATS_URL/MONGO_URL when both are set; else containers when a Docker engine
 * answers; else the local binaries. A server that cannot start fails the run:
 * the integration tiers are never skipped silently.
 */
export async function startTestServers(): Promise<TestServers> {
  const { NATS_URL, MONGO_URL } = process.env;
  if (NATS_URL && MONGO_URL) {
    return {
      natsUrl: NATS_URL,
      natsMonitorUrl: process.env.NATS_MONITOR_URL,
      mongoUrl: MONGO_URL,
      source: 'env',
      stop: async () => {},
    };
  }
  if (await dockerEngineReachable()) return containerServers();
  return localServers();
}
