import { defineConfig } from 'vitest/config';

// Each test file gets its own database (see test/database.ts), so files run in parallel.
// The machine has two cores: two workers keep the suite lean.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'portal/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
