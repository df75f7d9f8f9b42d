import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtInDomains, createEngine } from '../src/index.ts';

describe('validate', () => {
  it('turns any data into a command or a schema rejection, never an exception', () => {
    const engine = createEngine();
    const types = builtInDomains.flatMap((d) => d.commands.map((c) => c.type));
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.anything(), fc.boolean(), (type, data, linked) => {
        const item = engine.validate({ id: 'x', type, data, linked });
        expect(item.linked).toBe(linked);
        if (!item.ok) expect(item.result.code).toBe('ASP_REJ_SCHEMA');
      }),
      { numRuns: 500 },
    );
  });
});
