import type { WireCommand } from '@asp/protocol';

/**
 * A deterministic mix of commands over every built-in domain: some accepted,
 * some rejected (a rejection has no events, which the projector must also
 * cope with). `seed` makes a run reproducible.
 */
export class Workload {
  #n = 0;
  #rand: () => number;
  readonly #prefix: string;
  #pending: { transferId: string; debitAccountId: string; creditAccountId: string }[] = [];
  #reservations: { reservationId: string; skuId: string }[] = [];

  constructor(seed = 1, prefix = 'w') {
    this.#prefix = prefix;
    let s = seed >>> 0 || 1;
    this.#rand = () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  #id(): string {
    this.#n += 1;
    return `${this.#prefix}-${this.#n}`;
  }

  /** An aggregate id of this workload: ids are global (an aggregate lives in one partition). */
  id(kind: string, n: number): string {
    return `${this.#prefix}${kind}${n}`;
  }

  #pick(n: number): number {
    return Math.floor(this.#rand() * n);
  }

  #c(type: string, data: unknown): WireCommand {
    return { id: this.#id(), type, data };
  }

  /** Creates the aggregates the random commands use. */
  setup(): WireCommand[] {
    const out: WireCommand[] = [];
    for (let o = 0; o < 3; o++) out.push(this.#c('seats.createOrg', { orgId: this.id('o', o), cap: 500 }));
    for (let t = 0; t < 12; t++)
      out.push(this.#c('seats.createTeam', { orgId: this.id('o', t % 3), teamId: this.id('t', t) }));
    for (let a = 0; a < 8; a++) out.push(this.#c('ledger.openAccount', { accountId: this.id('a', a) }));
    for (let s = 0; s < 4; s++)
      out.push(this.#c('inventory.createSku', { skuId: this.id('s', s), onHand: 200 }));
    return out;
  }

  /** `count` random commands. */
  next(count: number): WireCommand[] {
    const out: WireCommand[] = [];
    for (let i = 0; i < count; i++) out.push(this.#one());
    return out;
  }

  #one(): WireCommand {
    const r = this.#pick(10);
    const t = this.#pick(12);
    const team = { orgId: this.id('o', t % 3), teamId: this.id('t', t) };
    if (r < 2) return this.#c('seats.addSeats', { ...team, seats: 1 + this.#pick(5) });
    if (r < 3) return this.#c('seats.removeSeats', { ...team, seats: 1 + this.#pick(3) });
    if (r < 5) return this.#transfer();
    if (r < 6 && this.#pending.length > 0) {
      const p = this.#pending.splice(this.#pick(this.#pending.length), 1)[0]!;
      return this.#c(this.#pick(2) === 0 ? 'ledger.postPending' : 'ledger.voidPending', p);
    }
    if (r < 7) {
      const reservationId = this.#id();
      const skuId = this.id('s', this.#pick(4));
      this.#reservations.push({ reservationId, skuId });
      return this.#c('inventory.reserve', { reservationId, skuId, qty: 1 + this.#pick(4) });
    }
    if (r < 8 && this.#reservations.length > 0) {
      const x = this.#reservations.splice(this.#pick(this.#reservations.length), 1)[0]!;
      return this.#c(this.#pick(2) === 0 ? 'inventory.commitReservation' : 'inventory.releaseReservation', x);
    }
    if (r < 9)
      return this.#c('inventory.restock', { skuId: this.id('s', this.#pick(4)), qty: 1 + this.#pick(10) });
    return this.#c('counter.increment', { counterId: this.id('k', this.#pick(3)), by: 1 });
  }

  #transfer(): WireCommand {
    const d = this.#pick(8);
    const c = (d + 1 + this.#pick(7)) % 8;
    const transferId = this.#id();
    const pending = this.#pick(3) === 0;
    const data = {
      transferId,
      debitAccountId: this.id('a', d),
      creditAccountId: this.id('a', c),
      amount: 1 + this.#pick(100),
    };
    if (pending)
      this.#pending.push({
        transferId,
        debitAccountId: data.debitAccountId,
        creditAccountId: data.creditAccountId,
      });
    return this.#c('ledger.transfer', pending ? { ...data, pending: true } : data);
  }
}
