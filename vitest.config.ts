import { defineConfig } from 'vitest/config';

// Two projects: `unit` runs pure tests with no broker; `kafka` runs every `*.kafka.test.ts` against a real
// broker that the test-kit's global setup starts once per run (KAFKA_BROKERS, testcontainers or the JVM).
const shared = {
  resolve: { conditions: ['tributary-source'] },
  ssr: { resolve: { conditions: ['tributary-source'] } },
};

export default defineConfig({
  ...shared,
  test: {
    reporters: process.env.CI ? ['verbose'] : ['default'],
    pool: 'forks',
    // Two cores: the broker and at most two test workers share them.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['packages/*/test/**/*.kafka.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'kafka',
          include: ['packages/*/test/**/*.kafka.test.ts'],
          globalSetup: ['packages/test-kit/src/vitest/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
