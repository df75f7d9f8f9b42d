import { resolve } from 'node:path';
import { parseConfig } from '@asp/service';
import { z } from 'zod';

const port = (def: number) => z.coerce.number().int().min(1).max(65535).default(def);

/**
 * The CLI's settings. The local stack's ports default away from the standard
 * ones (4222, 27017): machines of this kind run shared servers there.
 */
export const cliConfigSchema = z.object({
  ASP_HOME: z.string().default('.data'),
  ASP_PARTITION: z.string().default('p0'),
  ASP_NATS_PORT: port(4322),
  ASP_NATS_MONITOR_PORT: port(8322),
  ASP_MONGO_PORT: port(27117),
  ASP_SEQUENCER_HTTP_PORT: port(9464),
  ASP_PROJECTOR_HTTP_PORT: port(9465),
  ASP_MONGO_DB: z.string().default('atomic_state'),
  /** When set, `result`/`status`/the load use this NATS instead of the local stack's. */
  NATS_URL: z.string().optional(),
});

export type CliConfig = z.infer<typeof cliConfigSchema> & { home: string };

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const cfg = parseConfig('asp', cliConfigSchema, env);
  return { ...cfg, home: resolve(cfg.ASP_HOME) };
}
