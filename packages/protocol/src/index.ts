/**
 * @asp/protocol: the wire contract of Atomic State. The one public entry: subjects and headers,
 * limits, zod schemas, codecs (msgpack and JSON) and the protocol's error class.
 */
export {
  CONTENT_TYPE_JSON,
  CONTENT_TYPE_MSGPACK,
  contentTypeOf,
  decodeValue,
  encode,
} from './codec.ts';
export { decodeEnvelope, encodeEnvelope } from './envelope.ts';
export type { ProtocolErrorCode } from './errors.ts';
export { ProtocolError } from './errors.ts';
export type { LinkedGroup } from './groups.ts';
export { groupFailedResult, groupOpenResult, linkedGroups } from './groups.ts';
export { protocolLimits, resolveLimits } from './limits.ts';
export {
  decodeLookupRequest,
  decodeLookupResponse,
  decodeResults,
  encodeCommitRecord,
  encodeLookupRequest,
  encodeLookupResponse,
  encodeResults,
} from './messages.ts';
export { type DecodeRecordOptions, decodeCommitRecord } from './record.ts';
export {
  commandEnvelopeSchema,
  commandResultSchema,
  commitRecordSchema,
  eventRecordSchema,
  messageErrorSchema,
  rejectionCodeSchema,
  rejectionCodes,
  resultLookupRequestSchema,
  resultLookupResponseSchema,
  resultsMessageSchema,
  wireCommandSchema,
} from './schemas.ts';
export { msgpackSizeExceeds } from './size.ts';
export {
  assertPartition,
  COMMANDS_STREAM,
  COMMANDS_SUBJECTS,
  commandSubject,
  DLQ_STREAM,
  DLQ_SUBJECTS,
  dlqSubject,
  EVENTS_STREAM,
  EVENTS_SUBJECTS,
  eventSubject,
  HEADER_CONTENT_TYPE,
  HEADER_REPLY_TO,
  HEADER_WAL_SEQ,
  isValidPartition,
  partitionOfSubject,
  readModelConsumer,
  resultLookupSubject,
  stateDumpSubject,
} from './subjects.ts';
export type {
  AcceptedResult,
  CommandEnvelope,
  CommandResult,
  CommitRecord,
  ContentType,
  Decoded,
  DecodedItem,
  DecodeEnvelopeResult,
  EventRecord,
  MessageError,
  ProtocolLimits,
  RejectedResult,
  RejectionCode,
  ResultLookupRequest,
  ResultLookupResponse,
  ResultsMessage,
  WireCommand,
} from './types.ts';
