import { connectNats } from '@asp/nats';
import { decodeLookupResponse, encodeLookupRequest, resultLookupSubject } from '@asp/protocol';
import { headers } from '@nats-io/nats-core';
import type { CliConfig } from './config.ts';
import { readStack } from './stack.ts';

/** `asp result <id>`: asks the partition's sequencer for a command's stored result. */
export async function lookupResult(
  cfg: CliConfig,
  id: string,
  say: (line: string) => void,
): Promise<boolean> {
  const servers = cfg.NATS_URL ?? readStack(cfg)?.nats.url;
  if (!servers) {
    say(`no NATS to ask: the local stack is not up (\`pnpm asp up\`) and NATS_URL is not set`);
    return false;
  }
  const nc = await connectNats({ servers, name: 'asp-result', reconnect: false });
  try {
    const h = headers();
    h.set('Content-Type', 'application/json');
    const msg = await nc.request(
      resultLookupSubject(cfg.ASP_PARTITION),
      encodeLookupRequest({ v: 1, ids: [id] }, 'application/json'),
      { timeout: 5000, headers: h },
    );
    const res = decodeLookupResponse(msg.data, 'application/json');
    if ('error' in res) {
      say(`error: ${res.error.code}: ${res.error.message}`);
      return false;
    }
    const r = res.results[0];
    if (!r) {
      say(`${id}: no result (never decided, or older than the result retention window)`);
      return false;
    }
    say(JSON.stringify(r, null, 2));
    return true;
  } finally {
    await nc.close();
  }
}
