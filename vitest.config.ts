import { defineConfig } from 'vitest/config';

// Three tiers, selected by file name so a test's tier is visible where it lives:
//   *.test.ts      unit: pure code and local disk, no servers
//   *.int.test.ts  integration: real nats-server and MongoDB-wire server
//   *.e2e.test.ts  end-to-end: whole services as processes, crashes, faults
const roots = ['packages', 'services', 'bench', 'test'].map((r) => `${r}/**`);
const globalSetup = ['./packages/testing/src/globalSetup.ts'];
const exclude = ['**/node_modules/**', '**/.tools/**'];

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: roots.map((r) => `${r}/*.test.ts`),
          exclude: [...exclude, '**/*.int.test.ts', '**/*.e2e.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: roots.map((r) => `${r}/*.int.test.ts`),
          exclude,
          globalSetup,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: roots.map((r) => `${r}/*.e2e.test.ts`),
          exclude,
          globalSetup,
          testTimeout: 300_000,
          hookTimeout: 120_000,
          // Crash tests spawn services and kill them: run files one at a time
          // so two files never fight over the two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
