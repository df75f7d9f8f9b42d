/** @asp/projector: ASP_EVENTS → MongoDB read models, their rebuild and the integrity audit. */

export type { ApplyStats } from './apply/applier.ts';
export { Applier } from './apply/applier.ts';
export { DocCache } from './apply/cache.ts';
export type { AuditOptions, AuditReport } from './audit/audit.ts';
export { auditLines, auditReadModels } from './audit/audit.ts';
export type { Difference } from './audit/compare.ts';
export { compareModels } from './audit/compare.ts';
export type { StateDump } from './audit/dump.ts';
export { fetchState } from './audit/dump.ts';
export type { CheckpointDoc, Fence, Position } from './checkpoint.ts';
export { Checkpoints, checkpointId } from './checkpoint.ts';
export type { ProjectorConfig } from './config.ts';
export { loadProjectorConfig, projectorConfigSchema } from './config.ts';
export { consumerName } from './consumer.ts';
export type { ProjectorErrorCode } from './errors.ts';
export { ProjectorError } from './errors.ts';
export type { ProjectorMetrics } from './metrics.ts';
export { Projector } from './projector.ts';
export type { IndexDef } from './readmodels/collections.ts';
export { collectionName, ensureReadModels, indexesOf, META_COLLECTION } from './readmodels/collections.ts';
export type { ReadModelDoc } from './readmodels/documents.ts';
export { fromDocument, RESERVED_FIELDS } from './readmodels/documents.ts';
export type { RebuildOptions, RebuildReport } from './rebuild/rebuild.ts';
export { rebuildReadModels } from './rebuild/rebuild.ts';
