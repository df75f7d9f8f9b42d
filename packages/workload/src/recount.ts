import type { CommandResult, WireCommand } from '@asp/protocol';

/**
 * The state the accepted commands must have produced, recomputed by plain arithmetic from the
 * commands and their results alone, without the engine. A test compares it with the invariants
 * (checkRecount) and, when it can, with the system's own state.
 */
export interface Recount {
  orgs: Map<string, { cap: number; used: number }>;
  teams: Map<string, { orgId: string; seats: number }>;
  accounts: Map<string, { flagged: boolean; debits: number; credits: number }>;
  skus: Map<string, { onHand: number; reserved: number }>;
  counters: Map<string, { max: number | null; value: number }>;
  accepted: number;
  rejected: number;
  /** Commands with no result, and results for no command (or a second result for one). */
  missing: string[];
  unexpected: string[];
  /** Accepted commands of types the recount does not know. */
  unknown: string[];
}

type Data = Record<string, unknown>;
const str = (d: Data, k: string) => String(d[k]);
const num = (d: Data, k: string) => Number(d[k]);

function emptyRecount(): Recount {
  const maps = {
    orgs: new Map(),
    teams: new Map(),
    accounts: new Map(),
    skus: new Map(),
    counters: new Map(),
  };
  return { ...maps, accepted: 0, rejected: 0, missing: [], unexpected: [], unknown: [] };
}

/** Recounts from every result (any order) of `commands` (in the order they were decided). */
export function recount(results: Iterable<CommandResult>, commands: Iterable<WireCommand>): Recount {
  const r = emptyRecount();
  const byId = new Map<string, CommandResult>();
  for (const res of results) {
    if (byId.has(res.id)) r.unexpected.push(res.id);
    else byId.set(res.id, res);
  }
  const reservations = new Map<string, { skuId: string; qty: number }>();
  for (const c of commands) {
    const res = byId.get(c.id);
    byId.delete(c.id);
    if (res === undefined) {
      r.missing.push(c.id);
      continue;
    }
    if (res.status !== 'accepted') {
      r.rejected++;
      continue;
    }
    r.accepted++;
    if (!apply(r, c.type, (c.data ?? {}) as Data, reservations)) r.unknown.push(c.id);
  }
  r.unexpected.push(...byId.keys());
  return r;
}

function apply(
  r: Recount,
  type: string,
  d: Data,
  reservations: Map<string, { skuId: string; qty: number }>,
): boolean {
  switch (type) {
    case 'seats.createOrg':
      r.orgs.set(str(d, 'orgId'), { cap: num(d, 'cap'), used: 0 });
      return true;
    case 'seats.setCap':
      r.orgs.get(str(d, 'orgId'))!.cap = num(d, 'cap');
      return true;
    case 'seats.createTeam':
      r.teams.set(str(d, 'teamId'), { orgId: str(d, 'orgId'), seats: 0 });
      return true;
    case 'seats.addSeats':
    case 'seats.removeSeats': {
      const seats = type === 'seats.addSeats' ? num(d, 'seats') : -num(d, 'seats');
      r.teams.get(str(d, 'teamId'))!.seats += seats;
      r.orgs.get(str(d, 'orgId'))!.used += seats;
      return true;
    }
    case 'ledger.openAccount': {
      const flags = d.flags as Data | undefined;
      r.accounts.set(str(d, 'accountId'), {
        flagged: flags?.debitsMustNotExceedCredits === true,
        debits: 0,
        credits: 0,
      });
      return true;
    }
    case 'ledger.transfer':
      if (d.pending === true) return false;
      r.accounts.get(str(d, 'debitAccountId'))!.debits += num(d, 'amount');
      r.accounts.get(str(d, 'creditAccountId'))!.credits += num(d, 'amount');
      return true;
    case 'inventory.createSku':
      r.skus.set(str(d, 'skuId'), { onHand: num(d, 'onHand') || 0, reserved: 0 });
      return true;
    case 'inventory.reserve':
      reservations.set(str(d, 'reservationId'), { skuId: str(d, 'skuId'), qty: num(d, 'qty') });
      r.skus.get(str(d, 'skuId'))!.reserved += num(d, 'qty');
      return true;
    case 'inventory.releaseReservation': {
      const res = reservations.get(str(d, 'reservationId'))!;
      r.skus.get(res.skuId)!.reserved -= res.qty;
      return true;
    }
    case 'counter.increment': {
      const id = str(d, 'counterId');
      const c = r.counters.get(id) ?? { max: d.max === undefined ? null : num(d, 'max'), value: 0 };
      c.value += num(d, 'by');
      r.counters.set(id, c);
      return true;
    }
    default:
      return false;
  }
}
