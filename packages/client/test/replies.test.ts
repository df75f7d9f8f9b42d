import { describe, expect, it } from 'vitest';
import { ReplyRouter } from '../src/replies.ts';

describe('ReplyRouter', () => {
  it('routes each reply to its message by token and counts the rest', () => {
    const router = new ReplyRouter<string>('_INBOX.abc');
    expect(router.wildcard).toBe('_INBOX.abc.>');
    const got: string[] = [];
    const a = router.open((m) => got.push(`a:${m}`));
    const b = router.open((m) => got.push(`b:${m}`));
    expect(a.subject).toBe(`_INBOX.abc.${a.token}`);
    expect(a.token).not.toBe(b.token);
    expect(router.dispatch(b.subject, 'x')).toBe(true);
    expect(router.dispatch(a.subject, 'y')).toBe(true);
    expect(got).toEqual(['b:x', 'a:y']);
    router.close(a.token);
    expect(router.dispatch(a.subject, 'late')).toBe(false);
    expect(router.dispatch('_INBOX.abcd.0', 'other prefix')).toBe(false);
    expect(router.dispatch('_INBOX.abc.', 'empty token')).toBe(false);
    expect(router.unknown).toBe(3);
    expect(router.size).toBe(1);
  });

  it('never reuses a token', () => {
    const router = new ReplyRouter<string>('p');
    const tokens = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { token } = router.open(() => {});
      router.close(token);
      tokens.add(token);
    }
    expect(tokens.size).toBe(1000);
  });
});
