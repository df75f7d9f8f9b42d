/** Counters for benchmarks and dashboards. All are totals since the client was created. */
export interface ClientStats {
  /** Messages and commands handed to JetStream the first time. */
  messagesSent: number;
  commandsSent: number;
  /** Messages whose results are complete (by reply or look-up). */
  messagesDone: number;
  /** Messages completed from a look-up because their reply was lost or late. */
  messagesDoneByLookup: number;
  /** Failed JetStream publishes that were retried (no stream yet, stream full, disconnected). */
  publishRetries: number;
  /** Look-ups sent after a result timeout, and those that got no (valid) answer. */
  lookups: number;
  lookupFailures: number;
  /** Messages published again (same bytes, same ids) because a look-up found no results. */
  republishes: number;
  /** Messages that ended with ASP_ERR_CLIENT_RESULT_TIMEOUT (outcome unknown). */
  timeouts: number;
  /** Replies for no current message (late after a look-up, or stray), ignored. */
  repliesUnknown: number;
  /** Replies that could not be read or did not match their message, ignored. */
  repliesInvalid: number;
}

/** The counters a message's delivery updates. */
export type DeliveryCounters = Pick<
  ClientStats,
  'messagesDoneByLookup' | 'publishRetries' | 'lookups' | 'lookupFailures' | 'republishes' | 'timeouts'
>;

export function emptyStats(): ClientStats {
  return {
    messagesSent: 0,
    commandsSent: 0,
    messagesDone: 0,
    messagesDoneByLookup: 0,
    publishRetries: 0,
    lookups: 0,
    lookupFailures: 0,
    republishes: 0,
    timeouts: 0,
    repliesUnknown: 0,
    repliesInvalid: 0,
  };
}
