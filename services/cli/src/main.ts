import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isAspError } from '@asp/errors';
import { loadCliConfig } from './config.ts';
import { lookupResult } from './result.ts';
import { down, up } from './stack.ts';
import { status } from './status.ts';

const usage = `usage: pnpm asp <command>

  up                  start nats-server, FerretDB, the sequencer and the projector (data in ASP_HOME, default .data)
  down                stop them
  status              health, stream and consumer lag, last committed sequence
  result <command-id> the stored result of a command
  audit               wait for the projector, then prove the read models equal the state (INTEGRITY_OK)
  rebuild-read-models replay ASP_EVENTS into fresh collections and swap them in
  demo [--keep]       fresh stack, a short mixed load, a summary (the README's main job)
`;

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const cfg = loadCliConfig();
  switch (command) {
    case 'up':
      await up(cfg, say, { projector: projectorAvailable() });
      return 0;
    case 'down':
      await down(cfg, say);
      return 0;
    case 'status':
      return (await status(cfg, say)) ? 0 : 1;
    case 'result': {
      const id = rest[0];
      if (!id) {
        process.stderr.write(usage);
        return 2;
      }
      return (await lookupResult(cfg, id, say)) ? 0 : 1;
    }
    case 'audit': {
      const { audit } = await import('./audit.ts');
      return (await audit(cfg, say, {})) ? 0 : 1;
    }
    case 'rebuild-read-models': {
      const { rebuild } = await import('./rebuild.ts');
      return (await rebuild(cfg, say, {})) ? 0 : 1;
    }
    case 'demo': {
      const { demo } = await import('./demo.ts');
      return (await demo(cfg, say, { keep: rest.includes('--keep'), projector: projectorAvailable() }))
        ? 0
        : 1;
    }
    default:
      process.stderr.write(usage);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

/** The projector is part of the stack once its service exists in this checkout. */
function projectorAvailable(): boolean {
  const entry = fileURLToPath(new URL('../../projector/src/main.ts', import.meta.url));
  return process.env.ASP_NO_PROJECTOR !== '1' && existsSync(entry);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = isAspError(err) ? `${err.code}: ` : '';
    process.stderr.write(`asp: ${code}${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
