import type { TestProject } from 'vitest/node';
import { startTestServers } from './servers.ts';

import './context.ts';

/** vitest globalSetup for the integration and e2e tiers: one set of servers per tier run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await startTestServers();
  console.log(
    `[asp test] ${project.name}: servers from ${servers.source}: nats ${servers.natsUrl}, mongo ${servers.mongoUrl}`,
  );
  project.provide('natsUrl', servers.natsUrl);
  project.provide('natsMonitorUrl', servers.natsMonitorUrl ?? '');
  project.provide('mongoUrl', servers.mongoUrl);
  return () => servers.stop();
}
