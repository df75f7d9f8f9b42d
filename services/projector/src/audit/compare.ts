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
  const out: Difference[] = [];
  for (const [key, want] of truth) {
    const have = models.get(key);
    if (have === undefined) {
      out.push({
        key,
        kind: 'missing',
        message: `${key}: no read model document (sequencer: version ${want.version})`,
      });
    } else if (have.version !== want.version) {
      out.push({
        key,
        kind: 'version',
        message: `${key}: read model at version ${have.version}, sequencer at ${want.version}`,
      });
    } else if (canonicalJson(have.state) !== canonicalJson(want.state)) {
      out.push({
        key,
        kind: 'state',
        message: `${key}: read model ${show(have.state)} but sequencer ${show(want.state)} (version ${want.version})`,
      });
    }
  }
  for (const [key, have] of models) {
    if (!truth.has(key)) {
      out.push({
        key,
        kind: 'extra',
        message: `${key}: read model document (version ${have.version}) the sequencer does not have`,
      });
    }
  }
  return out;
}
