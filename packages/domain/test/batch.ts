/** Runs wire commands through the engine the way the sequencer does, against a MemoryState. */
import { type BatchOutcome, createEngine, type Engine, MemoryState, stateHash } from '../src/index.ts';
import type { WireCommand } from '../src/protocol.ts';

let nextId = 0;

/** A wire command with a fresh id. */
export function cmd(type: string, data: unknown, linked?: boolean): WireCommand {
  nextId += 1;
  return linked === undefined ? { id: `c${nextId}`, type, data } : { id: `c${nextId}`, type, data, linked };
}

export class Harness {
  readonly engine: Engine;
  readonly state = new MemoryState();

  constructor(engine: Engine = createEngine()) {
    this.engine = engine;
  }

  /** Decides one batch and applies its changes, like a committed batch. */
  run(commands: readonly WireCommand[]): BatchOutcome {
    const outcome = this.engine.decideBatch(
      commands.map((c) => this.engine.validate(c)),
      this.state,
    );
    this.state.apply(outcome.changed);
    return outcome;
  }

  hash(): string {
    return stateHash(this.state.entries());
  }
}
