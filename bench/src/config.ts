import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_DURATION_S, parseFlags, usage } from './args.ts';
import { BenchError } from './errors.ts';
import { PRODUCERS_MAX } from './peers/options.ts';
import { SCENARIOS, type ScenarioName } from './scenarios.ts';

export { usage } from './args.ts';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the services are when the bench does not start them (Compose, or your own stack). */
export interface GivenUrls {
  natsUrl: string;
  mongoUrl: string;
  /** Base URLs (no path): /metrics and /health are appended. */
  sequencerUrl: string;
  projectorUrl: string;
}

export interface BenchConfig {
  scenario: ScenarioName | 'all';
  /** Load time of each run. */
  durationMs: number;
  jsonFile: string | undefined;
  reportDir: string;
  fsyncMaxUs: number;
  force: boolean;
  given: GivenUrls | undefined;
  partition: string;
  mongoDb: string;
  pgUrl: string;
  dataDir: string;
  seed: number;
  /** Producer loops of every run instead of the scenario's own (undefined: the scenario's). */
  producers: number | undefined;
  sampleMs: number;
  /** How long the read models get to catch up after the load before the audit runs anyway. */
  catchupMaxMs: number;
  /** CPU-profile the sequencer, the projector, FerretDB, nats-server and the bench during the load (fresh pipelines only). */
  profile: boolean;
}

const httpBase = z
  .url()
  .transform((u) => u.replace(/\/+$/, '').replace(/\/metrics$/, ''))
  .optional();

const schema = z.object({
  scenario: z.enum([...SCENARIOS, 'all'], {
    error: `scenario must be one of ${[...SCENARIOS, 'all'].join(', ')}`,
  }),
  duration: z.coerce.number().positive().max(86_400).default(DEFAULT_DURATION_S),
  json: z.string().min(1).optional(),
  report: z.string().min(1).default(join(benchDir, 'results')),
  fsyncMaxUs: z.coerce.number().int().positive().default(5000),
  force: z.boolean().default(false),
  profile: z.boolean().default(false),
  natsUrl: z.string().min(1).optional(),
  mongoUrl: z.string().min(1).optional(),
  sequencerUrl: httpBase,
  projectorUrl: httpBase,
  partition: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/)
    .default('p0'),
  mongoDb: z.string().min(1).max(63).default('atomic_state'),
  pgUrl: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/postgres'),
  dataDir: z.string().min(1).default(tmpdir()),
  seed: z.coerce.number().int().min(0).max(0xffffffff).default(1),
  producers: z.coerce.number().int().min(1).max(PRODUCERS_MAX).optional(),
  sampleMs: z.coerce.number().int().min(100).max(60_000).default(1000),
  catchupMax: z.coerce.number().positive().max(3600).default(60),
});

/** Flags first, then the environment Compose sets; parsed once, every bad value named. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchConfig {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (err) {
    throw new BenchError('ASP_ERR_BENCH_USAGE', `${(err as Error).message}\n\n${usage}`);
  }
  const { values: f, positionals } = parsed;
  const raw = {
    scenario: positionals[0],
    duration: f.duration,
    json: f.json,
    report: f.report,
    fsyncMaxUs: f['fsync-max-us'],
    force: f.force,
    profile: f.profile,
    natsUrl: f['nats-url'] ?? env.NATS_URL,
    mongoUrl: f['mongo-url'] ?? env.MONGO_URL,
    sequencerUrl: f['sequencer-url'] ?? env.ASP_SEQUENCER_METRICS_URL,
    projectorUrl: f['projector-url'] ?? env.ASP_PROJECTOR_METRICS_URL,
    partition: env.ASP_PARTITION,
    mongoDb: env.ASP_MONGO_DB,
    pgUrl: f['pg-url'] ?? env.ASP_BENCH_PG_URL,
    dataDir: env.ASP_BENCH_DATA_DIR,
    seed: f.seed,
    producers: f.producers,
    sampleMs: f['sample-ms'],
    catchupMax: f['catchup-max'],
  };
  const r = schema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BenchError('ASP_ERR_BENCH_USAGE', `invalid bench options:\n${lines.join('\n')}\n\n${usage}`);
  }
  const c = r.data;
  const given = givenUrls(c);
  if (c.profile && given) {
    // The services' inspectors are opened by the bench when it starts them; a given stack has none.
    throw new BenchError(
      'ASP_ERR_BENCH_USAGE',
      `--profile needs a fresh pipeline: leave out the service URLs\n\n${usage}`,
    );
  }
  return {
    scenario: c.scenario,
    durationMs: Math.round(c.duration * 1000),
    jsonFile: c.json === undefined ? undefined : resolve(c.json),
    reportDir: resolve(c.report),
    fsyncMaxUs: c.fsyncMaxUs,
    force: c.force,
    given,
    partition: c.partition,
    mongoDb: c.mongoDb,
    pgUrl: c.pgUrl,
    dataDir: resolve(c.dataDir),
    seed: c.seed,
    producers: c.producers,
    sampleMs: c.sampleMs,
    catchupMaxMs: Math.round(c.catchupMax * 1000),
    profile: c.profile,
  };
}

/**
 * The sequencer's URL selects "given" mode: NATS_URL alone is often set in a
 * shell for the CLI, and must not turn a fresh-pipeline run into a half-given one.
 */
function givenUrls(c: z.infer<typeof schema>): GivenUrls | undefined {
  if (c.sequencerUrl === undefined) return undefined;
  const missing = (['natsUrl', 'mongoUrl', 'projectorUrl'] as const).filter((k) => c[k] === undefined);
  if (missing.length > 0) {
    throw new BenchError(
      'ASP_ERR_BENCH_USAGE',
      `with --sequencer-url (or ASP_SEQUENCER_METRICS_URL) also give: ${missing.join(', ')}`,
    );
  }
  return {
    natsUrl: c.natsUrl!,
    mongoUrl: c.mongoUrl!,
    sequencerUrl: c.sequencerUrl,
    projectorUrl: c.projectorUrl!,
  };
}
