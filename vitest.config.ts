import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests open loopback servers; two workers fit this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
