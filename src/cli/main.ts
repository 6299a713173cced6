import type { Command } from 'commander'
import { registerAdmin } from './commands/admin.ts'
import { registerAdvisories } from './commands/advisories.ts'
import { registerAudit } from './commands/audit.ts'
import { registerBackup } from './commands/backup.ts'
import { registerFramework } from './commands/framework.ts'
import { registerKeys, registerLabel } from './commands/labels.ts'
import { registerMigrate } from './commands/migrate.ts'
import { registerSbom } from './commands/sbom.ts'
import { registerSnapshotAndScan } from './commands/scan.ts'
import { registerServe } from './commands/serve.ts'
import { addVerbose, EXIT_CODES, exitWhenFlushed, rootCommand, runProgram } from './run.ts'

export { EXIT_CODES }

export function buildProgram(): Command {
  const program = rootCommand()
  registerServe(program)
  registerMigrate(program)
  registerAdmin(program)
  registerAudit(program)
  registerBackup(program)
  registerFramework(program)
  registerKeys(program)
  registerLabel(program)
  registerAdvisories(program)
  registerSbom(program)
  registerSnapshotAndScan(program)
  addVerbose(program)
  return program
}

export async function main(argv: string[]): Promise<number> {
  return runProgram(buildProgram(), argv)
}

const code = await main(process.argv)
// serve and worker keep running; every other command ends here.
if (code !== 0 || !['serve', 'worker'].includes(process.argv[2] ?? '')) {
  exitWhenFlushed(code)
}
