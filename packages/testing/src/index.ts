export type { TestEnv } from './context.ts';
export { testEnv, testMongo, testNats, uniqueName } from './context.ts';
export { dockerEngineReachable } from './docker.ts';
export type { TestServers } from './servers.ts';
export { startTestServers } from './servers.ts';
export { waitFor } from './wait.ts';
