import { defineConfig } from 'vitest/config';

// Reliability and security under faults, load and hostile input (issue 8): real portal processes, real
// PostgreSQL and SMTP. One file at a time, so the load figures are not disturbed by another file's work;
// inside a file, tests that mostly wait (outages, back-off) run side by side.
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/global-setup-keys.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
