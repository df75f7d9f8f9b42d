import type { CommandResult, ResultsMessage } from '@asp/protocol';
import { ClientError } from './errors.ts';

/**
 * The results of one message as they arrive, by reply (all at once) or by look-up (possibly
 * some). Only a result from the sequencer fills a position: nothing here ever guesses a
 * commit. The delivery loop sleeps in `wait`, which returns early once the message settles.
 */
export class PendingResults {
  readonly ids: readonly string[];
  readonly #results: (CommandResult | undefined)[];
  #missing: number;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  #nudged = false;
  /** Position by id, built on the first partial look-up only: replies are positional. */
  #index: Map<string, number> | undefined;

  constructor(ids: readonly string[]) {
    this.ids = ids;
    this.#results = new Array<CommandResult | undefined>(ids.length);
    this.#missing = ids.length;
  }

  get complete(): boolean {
    return this.#missing === 0;
  }

  /** Complete, or failed for good: the delivery loop stops. */
  get settled(): boolean {
    return this.#missing === 0 || this.#failure !== undefined;
  }

  get failure(): Error | undefined {
    return this.#failure;
  }

  /** The results, in command order; only call once complete. */
  results(): CommandResult[] {
    return this.#results as CommandResult[];
  }

  missingIds(): string[] {
    const ids: string[] = [];
    for (let i = 0; i < this.ids.length; i++) if (this.#results[i] === undefined) ids.push(this.ids[i]!);
    return ids;
  }

  /**
   * A reply from the sequencer. False when it does not belong to this message (wrong length or
   * ids): it is ignored and the look-up will settle the message instead.
   */
  onReply(m: ResultsMessage): boolean {
    if ('error' in m) {
      const message = `the sequencer could not read the message: ${m.error.code}: ${m.error.message}`;
      this.fail(
        new ClientError('ASP_ERR_CLIENT_MESSAGE_REJECTED', message, { ids: this.ids, rejection: m.error }),
      );
      return true;
    }
    const results = m.results;
    if (results.length !== this.ids.length) return false;
    for (let i = 0; i < results.length; i++) if (results[i]!.id !== this.ids[i]) return false;
    for (let i = 0; i < results.length; i++) this.#set(i, results[i]!);
    this.#notify();
    return true;
  }

  /** Look-up answers for `ids` (positional; null = no result yet). */
  fill(ids: readonly string[], found: readonly (CommandResult | null)[]): void {
    this.#index ??= new Map(this.ids.map((id, i) => [id, i]));
    for (let k = 0; k < ids.length; k++) {
      const r = found[k];
      const i = this.#index.get(ids[k]!);
      if (r && i !== undefined && r.id === this.ids[i]) this.#set(i, r);
    }
    this.#notify();
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.#failure = err;
    this.#notify();
  }

  /** Ends the current `wait` early: after a reconnect, a reply sent meanwhile was lost. */
  nudge(): void {
    this.#nudged = true;
    this.#wake?.();
  }

  /** Whether `nudge` was called since the last call of this. */
  takeNudge(): boolean {
    const was = this.#nudged;
    this.#nudged = false;
    return was;
  }

  /** Sleeps `ms`, or less once the message settles (or is nudged). */
  wait(ms: number): Promise<void> {
    // A nudge during a publish retry: that message may have been stored (and answered) before.
    if (this.settled || this.#nudged) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#wake = done;
    });
  }

  /** The first result for a position wins: a retried id always gets its original result anyway. */
  #set(i: number, r: CommandResult): void {
    if (this.#results[i] !== undefined) return;
    this.#results[i] = r;
    this.#missing--;
  }

  #notify(): void {
    if (this.settled) this.#wake?.();
  }
}
