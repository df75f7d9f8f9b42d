import { Engine } from '../engine.ts';
import type { Domain } from '../types.ts';
import { counterDomain } from './counter/index.ts';
import { inventory } from './inventory/index.ts';
import { ledger } from './ledger/index.ts';
import { seats } from './seats/index.ts';

/** The domains the benchmark and tests use; applications add their own the same way. */
export const builtInDomains: readonly Domain[] = [seats, ledger, inventory, counterDomain];

export function createEngine(domains: readonly Domain[] = builtInDomains): Engine {
  return new Engine(domains);
}
