import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios.ts';

export const DEFAULT_DURATION_S = 60;

export const usage = `usage: pnpm bench <scenario> [options]

scenarios: ${SCENARIOS.join(', ')}, all (each once)

  --duration <s>        load time of each run (default ${DEFAULT_DURATION_S})
  --json <file>         also write the JSON result here
  --report <dir>        report folder (default bench/results)
  --fsync-max-us <n>    refuse a data disk whose fsync p50 exceeds this (default 5000)
  --force               run on a slow disk anyway (recorded in the report)
  --seed <n>            workload seed (default 1)
  --producers <n>       producer loops of every run, each with one message in flight
                        (default: the scenario's; peers: PostgreSQL's connections too)
  --catchup-max <s>     wait at most this long for the read models after the load (default 60)
  --sample-ms <n>       metrics sampling interval (default 1000)
  --profile             CPU-profile the sequencer, the projector, FerretDB, nats-server and the bench during the load:
                        flame graphs and the top functions in the report (a fresh pipeline only;
                        the profiler costs CPU, so a profiled run's figures are not results)
  --pg-url <url>        PostgreSQL for the peers scenario (default postgres://postgres@127.0.0.1:5432/postgres)
  --nats-url <url> --mongo-url <url> --sequencer-url <http> --projector-url <http>
                        use running services instead of a fresh pipeline
                        (env: NATS_URL, MONGO_URL, ASP_SEQUENCER_METRICS_URL, ASP_PROJECTOR_METRICS_URL)
  env: ASP_MONGO_DB, ASP_PARTITION, ASP_BENCH_PG_URL, ASP_BENCH_DATA_DIR
`;

/** The command line's flags, as strings: the configuration schema coerces and checks them. */
export function parseFlags(argv: string[]) {
  const s = { type: 'string' } as const;
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      duration: s,
      json: s,
      report: s,
      'fsync-max-us': s,
      force: { type: 'boolean' },
      profile: { type: 'boolean' },
      'nats-url': s,
      'mongo-url': s,
      'sequencer-url': s,
      'projector-url': s,
      'pg-url': s,
      seed: s,
      producers: s,
      'sample-ms': s,
      'catchup-max': s,
    },
  });
}
