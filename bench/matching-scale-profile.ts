// `node --import tsx [--cpu-prof] bench/matching-scale-profile.ts SNAPSHOT SBOM [runs]`: scans one
// SBOM against a snapshot `runs` times in one process and prints each run's phase split, for
// profiling the scan of bench/matching-scale.ts without the rest of the bench (use a snapshot kept
// by its --work-dir).
import fs from 'node:fs'
import path from 'node:path'
import {
  openSnapshot,
  scanSbom,
} from '../src/server/modules/vulnerabilities/snapshot/snapshot.service.ts'

const [snapshotFile, sbomFile, runsText] = process.argv.slice(2)
if (!snapshotFile || !sbomFile) throw new Error('usage: SNAPSHOT SBOM [runs]')
const snapshot = await openSnapshot(snapshotFile)
const bytes = fs.readFileSync(sbomFile)
for (let i = 0; i < Number(runsText ?? 5); i++) {
  const t = performance.now()
  const cpu = process.cpuUsage()
  const r = scanSbom(
    snapshot,
    { bytes, fileName: path.basename(sbomFile), snapshotFile },
    { failOn: 'none', includeUnknown: false },
  )
  const total = performance.now() - t
  const used = process.cpuUsage(cpu)
  process.stdout.write(
    `${total.toFixed(1)} ms (CPU ${((used.user + used.system) / 1000).toFixed(1)} ms)  ${JSON.stringify(r.timings)} affected ${r.summary.affected} unknown ${r.summary.unknown}\n`,
  )
}
snapshot.close()
