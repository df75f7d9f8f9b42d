import { DomainError } from './errors.ts';
import type { AggregateDef, CommandDef, Domain } from './types.ts';

/** The definitions of every registered domain, by type. */
export interface Registry {
  domains: readonly Domain[];
  aggregates: ReadonlyMap<string, AggregateDef<unknown>>;
  commands: ReadonlyMap<string, CommandDef<unknown>>;
}

/** Checks the definitions once at start-up, so the hot path can trust them. */
export function buildRegistry(domains: readonly Domain[]): Registry {
  const names = new Set<string>();
  const aggregates = new Map<string, AggregateDef<unknown>>();
  const commands = new Map<string, CommandDef<unknown>>();
  for (const domain of domains) {
    if (names.has(domain.name)) duplicate('domain', domain.name);
    names.add(domain.name);
    for (const agg of domain.aggregates) {
      if (agg.type === '' || agg.type.includes('/')) {
        invalid(`aggregate type ${JSON.stringify(agg.type)} must be non-empty and contain no "/"`);
      }
      if (aggregates.has(agg.type)) duplicate('aggregate', agg.type);
      aggregates.set(agg.type, agg);
    }
    for (const cmd of domain.commands) {
      if (!cmd.type.startsWith(`${domain.name}.`)) {
        invalid(`command type ${JSON.stringify(cmd.type)} must start with "${domain.name}."`);
      }
      if (commands.has(cmd.type)) duplicate('command', cmd.type);
      commands.set(cmd.type, cmd);
    }
  }
  return { domains, aggregates, commands };
}

function duplicate(what: string, type: string): never {
  throw new DomainError('ASP_ERR_DOMAIN_DUPLICATE_TYPE', `${what} type "${type}" is defined twice`);
}

function invalid(message: string): never {
  throw new DomainError('ASP_ERR_DOMAIN_INVALID_DEF', message);
}
