// Reliability and security suite (test/reliability): concurrency, crashes, hostile input, tenant
// isolation and authentication. `npm run test:reliability`; both dialects unless TEST_DIALECTS narrows.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // One file at a time: the load and crash tests run server processes of their own, and CI has two cores.
    fileParallelism: false,
    // Every file prints the seeds and figures it used.
    reporters: ['default'],
  },
})
