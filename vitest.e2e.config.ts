import { defineConfig } from 'vitest/config';

// Browser journeys: a real portal process, real PostgreSQL, a real SMTP capture and Debian's Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Each page is checked at two widths (axe twice): a journey of twenty pages takes minutes on a busy machine.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One browser at a time keeps a 2-core machine responsive and the screenshots stable.
    fileParallelism: false,
  },
});
