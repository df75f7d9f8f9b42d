import { connectNats } from '@asp/nats';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Db, MongoClient } from 'mongodb';
import type { CliConfig } from '../config.ts';
import { readStack } from '../stack.ts';

export interface ServersOptions {
  /** Override the local stack's servers (stack.json). */
  natsUrl?: string;
  mongoUrl?: string;
}

/**
 * Runs `fn` with NATS and the read models' database of the local stack (or
 * the given servers), closing both after. Undefined when there is no stack.
 */
export async function withReadModels<T>(
  cfg: CliConfig,
  opts: ServersOptions,
  name: string,
  fn: (nc: NatsConnection, db: Db) => Promise<T>,
): Promise<T | undefined> {
  const stack = readStack(cfg);
  const natsUrl = opts.natsUrl ?? cfg.NATS_URL ?? stack?.nats.url;
  const mongoUrl = opts.mongoUrl ?? stack?.mongo.url;
  if (!natsUrl || !mongoUrl) return undefined;
  const nc = await connectNats({ servers: natsUrl, name, reconnect: false });
  // retryWrites off: FerretDB has no sessions (the stack's URL says so too).
  const mongo = new MongoClient(mongoUrl, {
    serverSelectionTimeoutMS: 5000,
    retryWrites: false,
    ignoreUndefined: true,
  });
  try {
    return await fn(nc, mongo.db(cfg.ASP_MONGO_DB));
  } finally {
    await mongo.close().catch(() => {});
    await nc.close().catch(() => {});
  }
}
