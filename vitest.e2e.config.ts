// Browser tests (test/e2e): a real Muster and Debian's Chromium driven by playwright-core.
// `npm run test:e2e` builds the console first; `npm test` runs these after the unit and HTTP tests.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One browser at a time: CI machines have two cores.
    fileParallelism: false,
  },
})
