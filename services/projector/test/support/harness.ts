import { type Engine, keyString, type Versioned } from '@asp/domain';
import { createLogger } from '@asp/service';
import { waitFor as pollUntil } from '@asp/testing';
import type { Db } from 'mongodb';
import { type ProjectorConfig, projectorConfigSchema } from '../../src/config.ts';
import { Projector } from '../../src/projector.ts';
import { collectionName } from '../../src/readmodels/collections.ts';
import { fromDocument } from '../../src/readmodels/documents.ts';

/** A projector in this process, quick to poll, silent. */
export async function startProjector(env: Record<string, string>): Promise<Projector> {
  const cfg: ProjectorConfig = projectorConfigSchema.parse({
    ASP_HTTP_PORT: '0',
    LOG_LEVEL: process.env.ASP_TEST_LOG ?? 'silent',
    ASP_POLL_MS: '100',
    ASP_LAG_POLL_MS: '100',
    ASP_RETRY_DELAY_MS_MAX: '500',
    ASP_MONGO_TIMEOUT_MS: '1000',
    ...env,
  });
  const p = new Projector(cfg, createLogger('projector', cfg.LOG_LEVEL));
  await p.start();
  return p;
}

/** The projector tests' wait: @asp/testing's, with a longer default and a shorter poll. */
export const waitFor = (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) =>
  pollUntil(what, check, timeoutMs, 50);

/** Every read model document of every aggregate type, as `type/id` → version and state. */
export async function readModels(
  db: Db,
  engine: Engine,
  nameOf: (type: string) => string = collectionName,
): Promise<Map<string, Versioned>> {
  const out = new Map<string, Versioned>();
  for (const d of engine.domains) {
    for (const a of d.aggregates) {
      const docs = await db.collection<{ _id: string }>(nameOf(a.type)).find({}).toArray();
      for (const doc of docs) {
        const { version, state } = fromDocument(doc);
        out.set(keyString(a.type, doc._id), { version, state });
      }
    }
  }
  return out;
}
