/**
 * The wire types this package uses, from one place. Types only: the engine never needs the
 * protocol's runtime (codecs, schemas), so importing it cannot pull msgpack into the core.
 */
export type {
  AcceptedResult,
  CommandResult,
  EventRecord,
  RejectedResult,
  RejectionCode,
  WireCommand,
} from '@asp/protocol';
