import { describe, expect, it } from 'vitest';
import {
  assertPartition,
  COMMANDS_STREAM,
  COMMANDS_SUBJECTS,
  commandSubject,
  DLQ_STREAM,
  dlqSubject,
  EVENTS_STREAM,
  EVENTS_SUBJECTS,
  eventSubject,
  isAspErrorWith,
  isValidPartition,
  partitionOfSubject,
  protocolLimits,
  resolveLimits,
  resultLookupSubject,
} from './helpers.ts';

describe('subjects', () => {
  it('names streams and per-partition subjects', () => {
    expect([COMMANDS_STREAM, COMMANDS_SUBJECTS, EVENTS_STREAM, EVENTS_SUBJECTS, DLQ_STREAM]).toEqual([
      'ASP_COMMANDS',
      'asp.cmd.>',
      'ASP_EVENTS',
      'asp.evt.>',
      'ASP_DLQ',
    ]);
    expect(commandSubject('p0')).toBe('asp.cmd.p0');
    expect(eventSubject('p0')).toBe('asp.evt.p0');
    expect(resultLookupSubject('p0')).toBe('asp.res.p0');
    expect(dlqSubject('p0')).toBe('asp.dlq.p0');
  });

  it.each(['p0', 'a', 'orders_eu-1', 'x'.repeat(32)])('accepts partition %s', (p) => {
    expect(isValidPartition(p)).toBe(true);
  });

  it.each(['', 'P0', 'p.0', 'p*', 'p>', 'p 0', 'é', 'x'.repeat(33), '../etc'])(
    'refuses partition %j',
    (p) => {
      expect(isValidPartition(p)).toBe(false);
      expect(() => commandSubject(p)).toThrow(/invalid partition name/);
      expect(isAspErrorWith(() => assertPartition(p), 'ASP_ERR_PROTOCOL_PARTITION')).toBe(true);
    },
  );

  it('reads the partition back from a subject', () => {
    expect(partitionOfSubject('asp.evt.p7')).toBe('p7');
    expect(partitionOfSubject('asp.cmd.p0')).toBe('p0');
    expect(partitionOfSubject('asp.evt.p7.x')).toBeUndefined();
    expect(partitionOfSubject('asp.foo.p7')).toBeUndefined();
    expect(partitionOfSubject('nats.cmd.p7')).toBeUndefined();
    expect(partitionOfSubject('asp.cmd.P7')).toBeUndefined();
  });
});

describe('limits', () => {
  it('has the documented defaults', () => {
    expect(protocolLimits).toEqual({
      messageBytesMax: 8 * 1024 * 1024,
      commandsPerMessageMax: 10_000,
      commandIdBytesMax: 128,
      commandTypeLengthMax: 64,
      commandDataBytesMax: 64 * 1024,
    });
    expect(Object.isFrozen(protocolLimits)).toBe(true);
  });

  it('applies overrides and checks every limit', () => {
    expect(resolveLimits({ commandsPerMessageMax: 5 }).commandsPerMessageMax).toBe(5);
    expect(resolveLimits().messageBytesMax).toBe(protocolLimits.messageBytesMax);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(isAspErrorWith(() => resolveLimits({ commandIdBytesMax: bad }), 'ASP_ERR_PROTOCOL_LIMITS')).toBe(
        true,
      );
    }
  });
});
