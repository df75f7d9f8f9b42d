import type { Recount } from './recount.ts';

/**
 * Every invariant of the built-in domains, checked on a recount; one message per violation,
 * empty when all hold. Also flags commands without exactly one result: the exactly-once rule.
 */
export function checkRecount(r: Recount): string[] {
  const v: string[] = [];
  if (r.missing.length > 0) v.push(`${r.missing.length} command(s) without a result, e.g. ${r.missing[0]}`);
  if (r.unexpected.length > 0) v.push(`${r.unexpected.length} unexpected result(s), e.g. ${r.unexpected[0]}`);
  if (r.unknown.length > 0) v.push(`${r.unknown.length} accepted command(s) the recount cannot replay`);
  const teamSeats = new Map<string, number>();
  for (const [id, t] of r.teams) {
    if (t.seats < 0) v.push(`team ${id} has ${t.seats} seats`);
    teamSeats.set(t.orgId, (teamSeats.get(t.orgId) ?? 0) + t.seats);
  }
  for (const [id, o] of r.orgs) {
    if (o.used > o.cap) v.push(`org ${id} uses ${o.used} seats over its cap of ${o.cap}`);
    if (o.used < 0) v.push(`org ${id} uses ${o.used} seats`);
    const sum = teamSeats.get(id) ?? 0;
    if (sum !== o.used) v.push(`org ${id}: its teams hold ${sum} seats but it counts ${o.used}`);
  }
  let debits = 0;
  let credits = 0;
  for (const [id, a] of r.accounts) {
    debits += a.debits;
    credits += a.credits;
    if (a.flagged && a.debits > a.credits)
      v.push(`account ${id} is overdrawn: debits ${a.debits} > credits ${a.credits}`);
  }
  if (debits !== credits) v.push(`Σ debits ${debits} ≠ Σ credits ${credits}`);
  for (const [id, k] of r.skus) {
    if (k.reserved > k.onHand) v.push(`sku ${id} oversold: ${k.reserved} reserved of ${k.onHand}`);
    if (k.reserved < 0) v.push(`sku ${id} has ${k.reserved} reserved`);
  }
  for (const [id, c] of r.counters) {
    if (c.max !== null && c.value > c.max) v.push(`counter ${id} at ${c.value} over its max ${c.max}`);
  }
  return v;
}
