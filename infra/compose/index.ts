import * as image from './imageChecks.ts';
import * as nats from './natsChecks.ts';
import type { Check } from './serviceChecks.ts';
import * as service from './serviceChecks.ts';

export type { Compose, Service } from './model.ts';
export { parseCompose } from './model.ts';
export { type Repo, repoAt, withFile } from './repo.ts';
export type { Check };

/**
 * The consistency checks of the Compose stack, by what each one proves. Each
 * returns its problems, every one naming the offending service; none when the
 * stack holds together.
 */
export const checks: Record<string, Check> = {
  'every service has a pinned image or a build': service.images,
  'every build names an existing Dockerfile and target stage': image.buildTargets,
  'every depends_on names a service, and service_healthy only a service with a healthcheck':
    service.dependsOn,
  'every named volume is declared and every bind-mounted file exists': service.volumes,
  'ports are published on 127.0.0.1, no host port twice': service.publishedPorts,
  'each service gets the variables it needs (NATS_URL, MONGO_URL, …)': service.requiredVariables,
  'every URL names a service of the stack, on a port it listens on, started before':
    service.urlsReachServices,
  'our services serve /health and /metrics where Compose and the bench look': service.opsEndpoints,
  'mongo runs as a replica set that its healthcheck initiates and its clients name': service.mongoReplicaSet,
  'mongo-express has basic auth on': service.basicAuth,
  'the bench runs only in profile bench, with the scenario as its argument': service.benchProfile,
  'the nats config fsyncs before acks and matches natsConfig()': nats.natsSettings,
  'the WAL, JetStream and MongoDB data live on named volumes': nats.stateOnVolumes,
  'the Dockerfile COPY sources exist in the build context': image.dockerfileSources,
  'the deps stage installs the whole workspace from the lockfile with the pinned pnpm and Node':
    image.workspaceInstall,
  'the runtime stage runs as non-root with NODE_ENV=production': image.runtimeStage,
  '.dockerignore keeps node_modules, tools and data out of the build context': image.buildContext,
  'the entry files our services run exist and are in the image': image.entryFiles,
  'every variable set for our services is read by some source': image.variablesRead,
};
