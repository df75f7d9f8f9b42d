import type { Versioned } from '@asp/domain';
import { ProjectorError } from '../errors.ts';

/**
 * A read model document: the aggregate's state fields at the top level (so
 * users query `{ orgId: 'acme' }`), plus what the projector adds.
 */
export interface ReadModelDoc {
  /** The aggregate id. */
  _id: string;
  /** The aggregate's version: the number of its events applied. */
  version: number;
  /** WAL sequence of the last commit record that changed this document. */
  seq: number;
  /** The partition whose sequencer owns the aggregate. */
  partition: string;
  /** The commit time (sequencer clock) of that record. */
  updatedAt: Date;
  [field: string]: unknown;
}

/** Fields the projector owns; a state with one of them cannot be stored (it would be overwritten). */
export const RESERVED_FIELDS: readonly string[] = ['_id', 'version', 'seq', 'partition', 'updatedAt'];

export interface DocMeta {
  id: string;
  version: number;
  seq: number;
  partition: string;
  ts: number;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toDocument(key: string, state: unknown, m: DocMeta): ReadModelDoc {
  if (!isPlainObject(state)) {
    throw new ProjectorError(
      'ASP_ERR_PROJECTOR_STATE_SHAPE',
      `${key}: the state is not an object, so it cannot be a document`,
    );
  }
  for (const f of RESERVED_FIELDS) {
    if (f in state) {
      throw new ProjectorError(
        'ASP_ERR_PROJECTOR_STATE_SHAPE',
        `${key}: the state has a field "${f}", which read model documents reserve (${RESERVED_FIELDS.join(', ')})`,
      );
    }
  }
  return {
    ...state,
    _id: m.id,
    version: m.version,
    seq: m.seq,
    partition: m.partition,
    updatedAt: new Date(m.ts),
  };
}

/** The aggregate as a document holds it: the version and the state fields (reserved fields taken out). */
export function fromDocument(doc: Record<string, unknown>): Versioned & { seq: number; partition?: string } {
  const state: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (!RESERVED_FIELDS.includes(k)) state[k] = v;
  }
  const version = typeof doc.version === 'number' ? doc.version : 0;
  const seq = typeof doc.seq === 'number' ? doc.seq : 0;
  return typeof doc.partition === 'string'
    ? { version, state, seq, partition: doc.partition }
    : { version, state, seq };
}
