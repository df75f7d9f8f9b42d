/**
 * The base of every package's error catalog. Each package lists its codes in
 * its own `errors.ts` (`ASP_ERR_…`) and throws `AspError` with one of them, so
 * callers branch on `err.code`, never on message text. Every code is documented
 * in docs/errors.md.
 */
export class AspError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AspError';
    this.code = code;
  }
}

export function isAspError(err: unknown, code?: string): err is AspError {
  return err instanceof AspError && (code === undefined || err.code === code);
}

/** Programmer errors crash loudly (TIGER_STYLE): use for broken preconditions, never for bad input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
