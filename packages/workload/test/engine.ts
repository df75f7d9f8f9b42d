/** Decides commands with the real engine, in order, in batches: the sequencer's core without I/O. */
import { createEngine, MemoryState, withSeq } from '@asp/domain';
import type { CommandResult, WireCommand } from '@asp/protocol';

export class InOrderEngine {
  readonly engine = createEngine();
  readonly state = new MemoryState();
  #seq = 0;

  decide(commands: readonly WireCommand[], batchSize = 1000): CommandResult[] {
    const out: CommandResult[] = [];
    for (let i = 0; i < commands.length; i += batchSize) {
      const batch = commands.slice(i, i + batchSize).map((c) => this.engine.validate(c));
      const outcome = this.engine.decideBatch(batch, this.state);
      this.state.apply(outcome.changed);
      out.push(...withSeq(outcome.results, ++this.#seq));
    }
    return out;
  }

  get<S>(type: string, id: string): S | undefined {
    return this.state.get<S>(type, id)?.state;
  }
}
