import { protocolLimits } from '@asp/protocol';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options.ts';
import { checkBatch, checkCommand, checkMessageSize } from '../src/validate.ts';

const c = (id: string, type = 'counter.increment') => ({ id, type, data: {} });
const limits = { ...protocolLimits, commandsPerMessageMax: 3 };

describe('client-side checks', () => {
  it('refuses what the sequencer would refuse, before sending', () => {
    const code = { code: 'ASP_ERR_CLIENT_INVALID_BATCH' };
    expect(() => checkBatch([], limits)).toThrow(expect.objectContaining(code));
    expect(() => checkBatch([c('a'), c('b'), c('c'), c('d')], limits)).toThrow(/4 commands in one message/);
    expect(() => checkBatch([c('a'), c('b'), c('a')], limits)).toThrow(/commands\[2\]\.id "a" repeats/);
    expect(() => checkCommand(c(''), 0, limits)).toThrow(/id must be a non-empty string/);
    expect(() => checkCommand(c('é'.repeat(65)), 0, limits)).toThrow(/at most 128 bytes/);
    expect(() => checkCommand(c('a', 'bad type'), 0, limits)).toThrow(/type must be/);
    expect(() => checkCommand({ ...c('a'), linked: 1 as unknown as boolean }, 0, limits)).toThrow(/linked/);
    expect(() => checkBatch([c('a'), c('b')], limits)).not.toThrow();
  });

  it('refuses a message over the size limit with its ids', () => {
    expect(() => checkMessageSize(new Uint8Array(11), 10, ['a'])).toThrow(
      expect.objectContaining({ code: 'ASP_ERR_CLIENT_TOO_LARGE', ids: ['a'] }),
    );
    expect(() => checkMessageSize(new Uint8Array(10), 10, ['a'])).not.toThrow();
  });
});

describe('resolveOptions', () => {
  it('fills defaults', () => {
    const o = resolveOptions();
    expect(o).toMatchObject({
      partition: 'p0',
      contentType: 'application/msgpack',
      inflightMessagesMax: 64,
      batchCommandsMax: 1000,
      lingerMs: 0,
      resultTimeoutMs: 10_000,
      retryDeadlineMs: 120_000,
    });
  });

  it('names the bad option', () => {
    const code = { code: 'ASP_ERR_CLIENT_OPTIONS' };
    expect(() => resolveOptions({ inflightMessagesMax: 0 })).toThrow(expect.objectContaining(code));
    expect(() => resolveOptions({ inflightMessagesMax: 1.5 })).toThrow(/inflightMessagesMax/);
    expect(() => resolveOptions({ partition: 'P0' })).toThrow(/partition/);
    expect(() => resolveOptions({ batchCommandsMax: 20_000 })).toThrow(/batchCommandsMax/);
    expect(() => resolveOptions({ resultTimeoutMs: 5000, retryDeadlineMs: 1000 })).toThrow(/resultTimeoutMs/);
    expect(() => resolveOptions({ contentType: 'text/plain' as 'application/json' })).toThrow(/contentType/);
  });
});
