import { defineConfig } from 'vitest/config'

// Browser journeys: one at a time (they start the platform and Chromium), with generous timeouts.
const reportDir = process.env.ISN_TEST_REPORT_DIR
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    reporters: reportDir
      ? ['default', ['json', { outputFile: `${reportDir}/e2e.json` }]]
      : ['default'],
  },
})
