/**
 * Runs the peer comparison alone and prints its results as JSON, for trying settings without the
 * whole benchmark: node bench/src/peers/main.ts --producers 16 --aggregates 1000 --duration-ms 10000
 */
import { parseArgs } from 'node:util';
import { runPeersDetailed } from './index.ts';
import { MODES, type PeerMode } from './options.ts';

const { values } = parseArgs({
  options: {
    'pg-url': {
      type: 'string',
      default: process.env.ASP_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    'duration-ms': { type: 'string', default: '10000' },
    producers: { type: 'string', default: '16' },
    aggregates: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    lanes: { type: 'string', default: '1' },
    modes: { type: 'string', default: MODES.join(',') },
    'org-cap': { type: 'string' },
    'account-funding': { type: 'string' },
  },
});

const int = (name: keyof typeof values): number | undefined => {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`--${name} must be an integer, got ${v}`);
  return n;
};

const orgCap = int('org-cap');
const accountFunding = int('account-funding');
const run = await runPeersDetailed({
  pgUrl: String(values['pg-url']),
  durationMs: int('duration-ms')!,
  producers: int('producers')!,
  aggregates: int('aggregates')!,
  seed: int('seed')!,
  lanes: int('lanes')!,
  modes: String(values.modes).split(',') as PeerMode[],
  workload: {
    ...(orgCap === undefined ? {} : { orgCap }),
    ...(accountFunding === undefined ? {} : { accountFunding }),
  },
  log: (line) => console.error(line),
});
console.log(JSON.stringify(run, null, 2));
