import type { WireCommand } from '@asp/protocol';
import type { Prng } from './prng.ts';
import { orgCapOf, teamsOf } from './setup.ts';
import { cmd, HOT_COUNTER_MAX, ids, type ResolvedSpec } from './spec.ts';

/**
 * Per-domain models of what one producer's commands did so far, assuming they are decided in
 * order. `valid` builds a command that the model says is accepted; `failing` one that breaks an
 * invariant whatever happened before (an amount beyond anything that can exist), so the
 * rejection share holds even when producers interleave.
 */
export interface DomainModel {
  valid(rng: Prng, id: string): WireCommand;
  failing(rng: Prng, id: string): WireCommand;
}

/** The indices of `count` aggregates that belong to `producer`: producers never share one. */
function owned(count: number, producers: number, producer: number): number[] {
  const out: number[] = [];
  for (let i = producer; i < count; i += producers) out.push(i);
  return out;
}

interface OrgModel {
  index: number;
  used: number;
  teams: { j: number; seats: number }[];
}

export function seatsModel(s: ResolvedSpec, producer: number): DomainModel | undefined {
  // In hot-org mode all producers share org 0, each with its own teams and a budget of orgCap
  // seats (the org's cap is orgCap × producers), so valid commands stay valid in any interleaving.
  const orgIndices = s.hot === 'org' ? [0] : owned(s.orgs, s.producers, producer);
  const teamIndices = s.hot === 'org' ? owned(teamsOf(s), s.producers, producer) : owned(teamsOf(s), 1, 0);
  if (orgIndices.length === 0 || teamIndices.length === 0) return undefined;
  const orgs: OrgModel[] = orgIndices.map((index) => ({
    index,
    used: 0,
    teams: teamIndices.map((j) => ({ j, seats: 0 })),
  }));
  const budget = s.orgCap;
  const tooMany = orgCapOf(s) + 1;
  return {
    valid(rng, id) {
      const o = orgs[rng.int(orgs.length)]!;
      let t = o.teams[rng.int(o.teams.length)]!;
      const free = budget - o.used;
      // Budget used up and this team empty: remove from the fullest team instead.
      if (free === 0 && t.seats === 0) t = o.teams.reduce((a, b) => (b.seats > a.seats ? b : a));
      // Lean towards adding below half the budget and removing above it: usage hovers mid-way.
      const add = t.seats === 0 || (free > 0 && rng.chance(o.used < budget / 2 ? 0.7 : 0.3));
      const seats = rng.between(1, Math.min(5, add ? free : t.seats));
      o.used += add ? seats : -seats;
      t.seats += add ? seats : -seats;
      const data = { orgId: ids.org(s, o.index), teamId: ids.team(s, o.index, t.j), seats };
      return cmd(add ? 'seats.addSeats' : 'seats.removeSeats', id, data);
    },
    failing(rng, id) {
      const o = orgs[rng.int(orgs.length)]!;
      const t = o.teams[rng.int(o.teams.length)]!;
      const data = { orgId: ids.org(s, o.index), teamId: ids.team(s, o.index, t.j), seats: tooMany };
      return cmd(rng.chance(0.5) ? 'seats.addSeats' : 'seats.removeSeats', id, data);
    },
  };
}

export function ledgerModel(s: ResolvedSpec, producer: number): DomainModel | undefined {
  const accounts = owned(s.accounts, s.producers, producer);
  if (accounts.length < 2) return undefined;
  const balance = new Map(accounts.map((i) => [i, s.accountFunding]));
  // No flagged account can ever hold more than all the funding there is.
  const beyondAll = s.accounts * s.accountFunding + 1;
  const pair = (rng: Prng): [number, number] => {
    const a = rng.int(accounts.length);
    const b = (a + 1 + rng.int(accounts.length - 1)) % accounts.length;
    return [accounts[a]!, accounts[b]!];
  };
  const transfer = (id: string, debit: number, credit: number, amount: number) =>
    cmd('ledger.transfer', id, {
      transferId: id,
      debitAccountId: ids.account(s, debit),
      creditAccountId: ids.account(s, credit),
      amount,
    });
  return {
    valid(rng, id) {
      let [debit, credit] = pair(rng);
      if (balance.get(debit)! < balance.get(credit)!) [debit, credit] = [credit, debit];
      const amount = Math.min(rng.between(1, 1000), balance.get(debit)!);
      balance.set(debit, balance.get(debit)! - amount);
      balance.set(credit, balance.get(credit)! + amount);
      return transfer(id, debit, credit, amount);
    },
    failing(rng, id) {
      const [debit, credit] = pair(rng);
      return transfer(id, debit, credit, beyondAll);
    },
  };
}

export function inventoryModel(s: ResolvedSpec, producer: number): DomainModel | undefined {
  const skus = owned(s.skus, s.producers, producer).map((index) => ({
    index,
    available: s.skuStock,
    open: [] as { id: string; qty: number }[],
  }));
  if (skus.length === 0) return undefined;
  return {
    valid(rng, id) {
      const k = skus[rng.int(skus.length)]!;
      const skuId = ids.sku(s, k.index);
      // Release old reservations about as often as new ones are made: stock never runs out.
      if (k.open.length > 0 && (k.open.length > 100 || k.available < 10 || rng.chance(0.5))) {
        const r = k.open.shift()!;
        k.available += r.qty;
        return cmd('inventory.releaseReservation', id, { reservationId: r.id, skuId });
      }
      const qty = rng.between(1, Math.min(10, k.available));
      k.available -= qty;
      k.open.push({ id, qty });
      return cmd('inventory.reserve', id, { reservationId: id, skuId, qty });
    },
    failing(rng, id) {
      const k = skus[rng.int(skus.length)]!;
      return cmd('inventory.reserve', id, {
        reservationId: id,
        skuId: ids.sku(s, k.index),
        qty: s.skuStock + 1,
      });
    },
  };
}

/** The contended scenario's counter: every producer increments the same one. */
export function hotCounterModel(s: ResolvedSpec): DomainModel {
  const counterId = ids.counter(s);
  return {
    valid: (_rng, id) => cmd('counter.increment', id, { counterId, by: 1 }),
    failing: (_rng, id) => cmd('counter.increment', id, { counterId, by: HOT_COUNTER_MAX + 1 }),
  };
}
