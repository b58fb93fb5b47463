// The Redis of the tests: TEST_REDIS_URL, default the local one (scripts/test-preflight.js starts it).
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
