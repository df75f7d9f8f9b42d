import { canonicalJson, type Versioned } from '@asp/domain';

export interface Difference {
  key: string;
  kind: 'missing' | 'extra' | 'version' | 'state';
  message: string;
}

const show = (v: unknown): string => {
  const s = canonicalJson(v);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

/**
 * Every way the read models differ from the sequencer's state: a document
 * missing, one the state does not have, a version or a state field that is
 * not the same. States are compared as canonical JSON (key order and
 * number representation do not matter; a missing field and null do).
 */
export function compareModels(
  truth: ReadonlyMap<string, Versioned>,
  models: ReadonlyMap<string, Versioned>,
): Difference[] {
  const c = new Comparison(truth);
  for (const [key, have] of models) c.see(key, have);
  return c.finish();
}

/**
 * compareModels one document at a time, as they are read: the documents are never all in
 * memory at once (a ten-minute `pnpm bench broker` leaves ~6 M of them, and holding them beside
 * the state ran the audit out of a 4 GB heap). What it keeps: the aggregates seen (references
 * into `truth`, ~20 bytes each) and the first `keep` differences; `total` counts them all.
 */
export class Comparison {
  readonly #truth: ReadonlyMap<string, Versioned>;
  readonly #seen = new Set<Versioned>();
  readonly #keep: number;
  readonly #kept: Difference[] = [];
  #total = 0;
  #documents = 0;

  constructor(truth: ReadonlyMap<string, Versioned>, keep = Number.POSITIVE_INFINITY) {
    this.#truth = truth;
    this.#keep = keep;
  }

  /** Differences found, the ones not kept too. */
  get total(): number {
    return this.#total;
  }

  /** Documents seen. */
  get documents(): number {
    return this.#documents;
  }

  /** One read model document, by `type/id` key (each key once). */
  see(key: string, have: Versioned): void {
    this.#documents++;
    const want = this.#truth.get(key);
    if (want === undefined) {
      this.#add({
        key,
        kind: 'extra',
        message: `${key}: read model document (version ${have.version}) the sequencer does not have`,
      });
      return;
    }
    this.#seen.add(want);
    if (have.version !== want.version) {
      this.#add({
        key,
        kind: 'version',
        message: `${key}: read model at version ${have.version}, sequencer at ${want.version}`,
      });
    } else if (canonicalJson(have.state) !== canonicalJson(want.state)) {
      this.#add({
        key,
        kind: 'state',
        message: `${key}: read model ${show(have.state)} but sequencer ${show(want.state)} (version ${want.version})`,
      });
    }
  }

  /** Once every document was seen: adds the aggregates no document was seen for. */
  finish(): Difference[] {
    for (const [key, want] of this.#truth) {
      if (!this.#seen.has(want)) {
        this.#add({
          key,
          kind: 'missing',
          message: `${key}: no read model document (sequencer: version ${want.version})`,
        });
      }
    }
    this.#seen.clear();
    return this.#kept;
  }

  #add(d: Difference): void {
    this.#total++;
    if (this.#kept.length < this.#keep) this.#kept.push(d);
  }
}
