import { randomBytes } from 'node:crypto';
import { connectNats } from '@asp/nats';
import type { NatsConnection } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';

// What globalSetup provides to every test file (inject() is typed by this).
declare module 'vitest' {
  export interface ProvidedContext {
    natsUrl: string;
    natsMonitorUrl: string;
    mongoUrl: string;
  }
}

/**
 * A name no other test file uses: stream prefixes, database names and
 * subjects derive from it so spec files share servers without sharing data.
 */
export function uniqueName(label = 't'): string {
  return `${label}${randomBytes(5).toString('hex')}`;
}

export interface TestEnv {
  natsUrl: string;
  natsMonitorUrl: string;
  mongoUrl: string;
  /** Unique per call; use it for stream names (upper-case it) and database names. */
  prefix: string;
}

export function testEnv(label?: string): TestEnv {
  return {
    natsUrl: inject('natsUrl'),
    natsMonitorUrl: inject('natsMonitorUrl'),
    mongoUrl: inject('mongoUrl'),
    prefix: uniqueName(label),
  };
}

export async function testNats(env: TestEnv, name = 'asp-test'): Promise<NatsConnection> {
  return connectNats({ servers: env.natsUrl, name, reconnect: false });
}

export async function testMongo(env: TestEnv): Promise<MongoClient> {
  const client = new MongoClient(env.mongoUrl, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  return client;
}
