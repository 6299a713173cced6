import net from 'node:net'
import { defineConfig, type ViteUserConfig } from 'vitest/config'

const POSTGRES = { host: '127.0.0.1', port: 5432 }

function postgresAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(POSTGRES, () => {
      socket.end()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
    socket.setTimeout(2000, () => {
      socket.destroy()
      resolve(false)
    })
  })
}

// Server and CLI suites run once per database: every module test suite on SQLite and on
// PostgreSQL. In CI an unreachable PostgreSQL fails the run; elsewhere it is skipped, loudly.
export default defineConfig(async (): Promise<ViteUserConfig> => {
  const wanted = (process.env.DIALECTS ?? 'sqlite,postgres').split(',')
  let withPostgres = wanted.includes('postgres')
  if (withPostgres && !(await postgresAnswers())) {
    if (process.env.CI === 'true') {
      throw new Error(
        `PostgreSQL does not answer at ${POSTGRES.host}:${POSTGRES.port}; CI needs it (see .ci/run)`,
      )
    }
    console.warn(
      `\n!! Skipping the PostgreSQL suites: nothing answers at ${POSTGRES.host}:${POSTGRES.port}.\n` +
        `!! Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n`,
    )
    withPostgres = false
  }
  const dbSuites = ['src/server/**/*.test.ts', 'src/cli/**/*.test.ts', 'bench/**/*.test.ts']
  const dialects = [
    ...(wanted.includes('sqlite') ? ['sqlite'] : []),
    ...(withPostgres ? ['postgres'] : []),
  ]
  const reportDir = process.env.ISN_TEST_REPORT_DIR
  return {
    test: {
      // .ci/run sets ISN_TEST_REPORT_DIR to count results across runs for its closing line.
      reporters: reportDir
        ? ['default', ['json', { outputFile: `${reportDir}/unit.json` }]]
        : ['default'],
      projects: [
        { test: { name: 'unit', include: ['src/common/**/*.test.ts', 'src/web/**/*.test.ts'] } },
        ...dialects.map((dialect) => ({
          test: {
            name: dialect,
            include: dbSuites,
            env: { TEST_DIALECT: dialect },
            testTimeout: 20_000,
            hookTimeout: 30_000,
          },
        })),
      ],
    },
  }
})
