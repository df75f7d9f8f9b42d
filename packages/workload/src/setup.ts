import type { WireCommand } from '@asp/protocol';
import { cmd, HOT_COUNTER_MAX, ids, type ResolvedSpec, resolveSpec, type WorkloadSpec } from './spec.ts';

/** The org's cap: in hot-org mode every producer gets a budget of `orgCap` seats of the one org. */
export function orgCapOf(s: ResolvedSpec): number {
  return s.hot === 'org' ? s.orgCap * s.producers : s.orgCap;
}

/** Teams of one org: in hot-org mode at least one per producer, so producers never share a team. */
export function teamsOf(s: ResolvedSpec): number {
  return s.hot === 'org' ? Math.max(s.teamsPerOrg, s.producers) : s.teamsPerOrg;
}

/**
 * The commands that create every aggregate the load touches, in an order that works when they
 * are sent in order (one message after another): orgs then their teams; the unflagged source
 * account, then each flagged account and its funding transfer; SKUs with stock; the hot counter.
 * All of them are accepted on a fresh partition.
 */
export function setupCommands(spec: WorkloadSpec): WireCommand[] {
  const s = resolveSpec(spec);
  const out: WireCommand[] = [];
  const id = () => ids.setup(s, out.length);
  if (s.hot === 'counter') {
    out.push(cmd('counter.increment', id(), { counterId: ids.counter(s), by: 1, max: HOT_COUNTER_MAX }));
  }
  for (let i = 0; i < s.orgs; i++) {
    out.push(cmd('seats.createOrg', id(), { orgId: ids.org(s, i), cap: orgCapOf(s) }));
    for (let j = 0; j < teamsOf(s); j++) {
      out.push(cmd('seats.createTeam', id(), { orgId: ids.org(s, i), teamId: ids.team(s, i, j) }));
    }
  }
  if (s.accounts > 0) out.push(cmd('ledger.openAccount', id(), { accountId: ids.source(s) }));
  for (let i = 0; i < s.accounts; i++) {
    const accountId = ids.account(s, i);
    out.push(cmd('ledger.openAccount', id(), { accountId, flags: { debitsMustNotExceedCredits: true } }));
    const transferId = id();
    out.push(
      cmd('ledger.transfer', transferId, {
        transferId,
        debitAccountId: ids.source(s),
        creditAccountId: accountId,
        amount: s.accountFunding,
      }),
    );
  }
  for (let i = 0; i < s.skus; i++) {
    out.push(cmd('inventory.createSku', id(), { skuId: ids.sku(s, i), onHand: s.skuStock }));
  }
  return out;
}
