import { z } from 'zod';
import { isValidPartition } from './subjects.ts';
import type {
  CommandEnvelope,
  CommandResult,
  CommitRecord,
  EventRecord,
  MessageError,
  RejectionCode,
  ResultLookupRequest,
  ResultLookupResponse,
  ResultsMessage,
  WireCommand,
} from './types.ts';

/**
 * zod schemas of the wire contract, for the cold paths (commit records, lookups, results) and
 * for anyone who wants a declarative description. The command hot path uses the hand-written
 * checks in envelope.ts, which agree with `commandEnvelopeSchema` and are much faster.
 * Each schema is typed against its interface in types.ts, so the two cannot drift apart.
 */

export const rejectionCodes = [
  'ASP_REJ_MALFORMED',
  'ASP_REJ_TOO_LARGE',
  'ASP_REJ_SCHEMA',
  'ASP_REJ_UNKNOWN_TYPE',
  'ASP_REJ_DUPLICATE_ID',
  'ASP_REJ_GROUP_OPEN',
  'ASP_REJ_GROUP_FAILED',
  'ASP_REJ_INVARIANT',
  'ASP_REJ_NOT_FOUND',
  'ASP_REJ_ALREADY_EXISTS',
  'ASP_REJ_INVALID_STATE',
] as const satisfies readonly RejectionCode[];

const commandId = z.string().min(1);
const seq = z.number().int().positive();

export const rejectionCodeSchema: z.ZodType<RejectionCode> = z.enum(rejectionCodes);

export const wireCommandSchema: z.ZodType<WireCommand> = z.object({
  id: commandId,
  type: z.string().min(1),
  data: z.unknown(),
  linked: z.boolean().optional(),
});

export const commandEnvelopeSchema: z.ZodType<CommandEnvelope> = z.object({
  v: z.literal(1),
  commands: z.array(wireCommandSchema),
});

export const commandResultSchema: z.ZodType<CommandResult> = z.discriminatedUnion('status', [
  z.object({ id: commandId, status: z.literal('accepted'), seq }),
  z.object({
    id: commandId,
    status: z.literal('rejected'),
    code: rejectionCodeSchema,
    message: z.string(),
    invariant: z.string().optional(),
    cause: z.string().optional(),
  }),
]);

export const messageErrorSchema: z.ZodType<MessageError> = z.object({
  code: rejectionCodeSchema,
  message: z.string(),
});

export const resultsMessageSchema: z.ZodType<ResultsMessage> = z.union([
  z.object({ v: z.literal(1), results: z.array(commandResultSchema) }),
  z.object({ v: z.literal(1), error: messageErrorSchema }),
]);

export const resultLookupRequestSchema: z.ZodType<ResultLookupRequest> = z.object({
  v: z.literal(1),
  ids: z.array(commandId),
});

export const resultLookupResponseSchema: z.ZodType<ResultLookupResponse> = z.union([
  z.object({ v: z.literal(1), results: z.array(commandResultSchema.nullable()) }),
  z.object({ v: z.literal(1), error: messageErrorSchema }),
]);

export const eventRecordSchema: z.ZodType<EventRecord> = z.object({
  commandId,
  aggregateType: z.string().min(1),
  aggregateId: z.string().min(1),
  version: seq,
  type: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
});

export const commitRecordSchema: z.ZodType<CommitRecord> = z.object({
  v: z.literal(1),
  partition: z.string().refine(isValidPartition, 'invalid partition name'),
  seq,
  ts: z.number().int().nonnegative(),
  results: z.array(commandResultSchema),
  events: z.array(eventRecordSchema),
});
