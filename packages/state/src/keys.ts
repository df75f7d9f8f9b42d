/**
 * The key layout: one LevelDB keyspace, a short prefix per kind. Keys are UTF-8 strings, so
 * LevelDB's bytewise order is Unicode code-point order.
 *
 *   m:format          format version (FORMAT_VERSION)
 *   m:progress        { appliedSeq, resultsFromSeq, resultsRetained }, written in every batch
 *   m:published       the relay's published seq (informational)
 *   a:<type>/<id>     an aggregate { version, state }
 *   r:<commandId>     a command's result, without its id (the key has it): an accepted one
 *                     as its seq alone (format 2; format 1 stored the whole result)
 *   s:<seq, 16 digits> the command ids whose results batch <seq> indexed (for pruning)
 */
export const FORMAT_VERSION = 2;
/** Stores of this format open too: they are upgraded in place (see level.ts). */
export const FORMAT_VERSION_UPGRADABLE = 1;

export const META_FORMAT = 'm:format';
export const META_PROGRESS = 'm:progress';
export const META_PUBLISHED = 'm:published';

const AGGREGATE = 'a:';
const RESULT = 'r:';
const SEQ_IDS = 's:';

/** The range of all aggregate keys: ';' is the character after ':'. */
export const AGGREGATE_RANGE = { gte: AGGREGATE, lt: 'a;' } as const;
export const RESULT_RANGE = { gte: RESULT, lt: 'r;' } as const;
export const SEQ_IDS_RANGE = { gte: SEQ_IDS, lt: 's;' } as const;

export function aggregateKey(key: string): string {
  return AGGREGATE + key;
}

export function aggregateKeyOf(levelKey: string): string {
  return levelKey.slice(AGGREGATE.length);
}

export function resultKey(commandId: string): string {
  return RESULT + commandId;
}

export function resultIdOf(levelKey: string): string {
  return levelKey.slice(RESULT.length);
}

/** Zero-padded so the seq index sorts by seq (2^53 has 16 digits). */
export function seqIdsKey(seq: number): string {
  return SEQ_IDS + String(seq).padStart(16, '0');
}
