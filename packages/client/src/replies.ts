/**
 * Reply dispatch. One wildcard subscription per client (`<prefix>.>`), one subject token per
 * message: the sequencer publishes each message's results to `<prefix>.<token>`. Routing by
 * token in a map costs one lookup per reply, however many messages are in flight, and the
 * server keeps one subscription instead of one per message.
 */
export class ReplyRouter<M> {
  /** A unique inbox, e.g. `_INBOX.<nuid>`: no other client can receive these replies. */
  readonly prefix: string;
  readonly #handlers = new Map<string, (msg: M) => void>();
  #next = 0;
  /** Replies for no current message: late (the message already finished) or stray. */
  unknown = 0;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** The subscription's subject. */
  get wildcard(): string {
    return `${this.prefix}.>`;
  }

  /** A fresh token (base 36 counter: short, never reused by this client) and its reply subject. */
  open(handler: (msg: M) => void): { token: string; subject: string } {
    const token = (this.#next++).toString(36);
    this.#handlers.set(token, handler);
    return { token, subject: `${this.prefix}.${token}` };
  }

  close(token: string): void {
    this.#handlers.delete(token);
  }

  /** Messages waiting for their results. */
  get size(): number {
    return this.#handlers.size;
  }

  /** Routes one reply by its subject; false (and counted) when no message waits for it. */
  dispatch(subject: string, msg: M): boolean {
    const handler =
      subject.length > this.prefix.length + 1 &&
      subject.startsWith(this.prefix) &&
      subject[this.prefix.length] === '.'
        ? this.#handlers.get(subject.slice(this.prefix.length + 1))
        : undefined;
    if (!handler) {
      this.unknown++;
      return false;
    }
    handler(msg);
    return true;
  }
}
