import { AspClient } from '@asp/client';
import { fetchState } from '@asp/projector';
import type { CommandResult, WireCommand } from '@asp/protocol';
import { testEnv } from '@asp/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

// 32 producers hammer ONE license, ONE flagged account and ONE SKU at once.
// Each limit is smaller than the demand, so exactly `limit` commands can be
// accepted per target: any lost update or write skew shows as a count off by one.
const PRODUCERS = 32;
const PER_PRODUCER = 60;
const CAP = 300; // seats in the org's license, spread over 4 teams
const FUNDS = 200; // credits of the account that must not go negative
const STOCK = 250; // units of the SKU

describe('32 concurrent producers on the same license, account and SKU', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testEnv('hot'));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accepts exactly what each invariant allows, and an independent recount agrees', async () => {
    const setup: WireCommand[] = [
      { id: 's-org', type: 'seats.createOrg', data: { orgId: 'lic', cap: CAP } },
      ...[0, 1, 2, 3].map((t) => ({
        id: `s-team${t}`,
        type: 'seats.createTeam',
        data: { orgId: 'lic', teamId: `t${t}` },
      })),
      {
        id: 's-src',
        type: 'ledger.openAccount',
        data: { accountId: 'src', flags: { debitsMustNotExceedCredits: true } },
      },
      { id: 's-bank', type: 'ledger.openAccount', data: { accountId: 'bank' } },
      { id: 's-sink', type: 'ledger.openAccount', data: { accountId: 'sink' } },
      {
        id: 's-fund',
        type: 'ledger.transfer',
        data: { transferId: 'fund', debitAccountId: 'bank', creditAccountId: 'src', amount: FUNDS },
      },
      { id: 's-sku', type: 'inventory.createSku', data: { skuId: 'sku', onHand: STOCK } },
    ];
    expect((await h.send(setup)).every((r) => r.status === 'accepted')).toBe(true);

    const commandsOf = (p: number): WireCommand[] =>
      Array.from({ length: PER_PRODUCER }, (_, i) => {
        const id = `p${p}-${i}`;
        if (i % 3 === 0)
          return { id, type: 'seats.addSeats', data: { orgId: 'lic', teamId: `t${(p + i) % 4}`, seats: 1 } };
        if (i % 3 === 1)
          return {
            id,
            type: 'ledger.transfer',
            data: { transferId: id, debitAccountId: 'src', creditAccountId: 'sink', amount: 1 },
          };
        return { id, type: 'inventory.reserve', data: { reservationId: id, skuId: 'sku', qty: 1 } };
      });
    const clients = Array.from({ length: PRODUCERS }, () =>
      AspClient.create(h.nc, { partition: h.partition }),
    );
    const sent = clients.map((_, p) => commandsOf(p));
    const results: CommandResult[][] = await Promise.all(
      clients.map((c, p) => Promise.all(sent[p]!.map((cmd) => c.submit(cmd)))),
    );
    await Promise.all(clients.map((c) => c.close()));

    // Independent recount from the results alone.
    const accepted = (type: string) =>
      sent.flat().filter((c, i) => c.type === type && results.flat()[i]!.status === 'accepted').length;
    const demand = (PRODUCERS * PER_PRODUCER) / 3;
    expect(demand).toBeGreaterThan(Math.max(CAP, FUNDS, STOCK));
    expect(accepted('seats.addSeats')).toBe(CAP);
    expect(accepted('ledger.transfer')).toBe(FUNDS);
    expect(accepted('inventory.reserve')).toBe(STOCK);
    for (const r of results.flat()) {
      if (r.status === 'rejected') expect(r.code).toBe('ASP_REJ_INVARIANT');
    }

    // The sequencer's own state says the same, with every invariant at its limit.
    const { entries } = await fetchState(h.nc, h.partition);
    expect(entries.get('org/lic')?.state).toMatchObject({ cap: CAP, used: CAP });
    const teamSeats = [0, 1, 2, 3].map((t) => (entries.get(`team/t${t}`)!.state as { seats: number }).seats);
    expect(teamSeats.reduce((a, b) => a + b, 0)).toBe(CAP);
    expect(entries.get('account/src')?.state).toMatchObject({
      debitsPosted: FUNDS,
      creditsPosted: FUNDS,
    });
    expect(entries.get('sku/sku')?.state).toMatchObject({ onHand: STOCK, reserved: STOCK });
  });
});
