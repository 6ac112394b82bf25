import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.cache/**', 'coverage/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tributary/*/src/*', '**/packages/*/src/*'], message: 'Import a package through its entry point.' }] }],
    },
  },
  {
    // Dependencies point one way: core knows no Kafka client and no other Tributary package.
    files: ['packages/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['kafkajs', '@tributary/*', 'testcontainers', '@testcontainers/*'], message: 'core knows no Kafka client and depends on no other Tributary package.' }] }],
    },
  },
  {
    // The Kafka layer (@tributary/kafka) is the only door to kafkajs, for sources and tests alike. One exception:
    // the benchmark's raw-kafkajs anchors (throughput, request/response ping-pong, stream header reads), which
    // measure kafkajs itself.
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'],
    ignores: ['packages/kafka/**', 'packages/bench/src/raw-kafkajs.ts', 'packages/bench/src/raw-kafkajs-ping-pong.ts', 'packages/bench/src/raw-kafkajs-streams.ts', 'packages/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'kafkajs', message: 'Only @tributary/kafka talks to kafkajs: use its KafkaClient, KafkaReader, KafkaWriter or KafkaAdmin.' }],
          patterns: [{ group: ['@tributary/*/src/*', '**/packages/*/src/*', 'kafkajs/*'], message: 'Import a package through its entry point; kafkajs only through @tributary/kafka.' }],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
