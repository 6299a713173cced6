import { SingleBar, Presets } from 'cli-progress'
import type { Command } from 'commander'
import { AppError } from '../../common/errors.ts'
import { loadConfig } from '../../server/config.ts'
import { createDb } from '../../server/db/database.ts'
import { findAuditHead } from '../../server/modules/audit/audit.repository.ts'
import { verifyAuditChain } from '../../server/modules/audit/audit.service.ts'
import { createOutput } from '../output.ts'

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the hash-chained audit log')
  audit
    .command('verify')
    .description(
      'recompute the audit log hash chain; exit 1 and name the first broken entry if it does not hold',
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const db = await createDb(loadConfig().databaseUrl)
      try {
        const total = (await findAuditHead(db))?.seq ?? 0
        const bar =
          !out.json && process.stderr.isTTY && total > 5000
            ? new SingleBar({ stream: process.stderr }, Presets.shades_classic)
            : undefined
        bar?.start(total, 0)
        const result = await verifyAuditChain(db, (checked) => bar?.update(checked))
        bar?.stop()
        if (result.ok) {
          out.result(
            result,
            `The audit log holds: ${result.checked} entries verified, chain intact.`,
          )
          return
        }
        out.result(result, [
          `The audit log is BROKEN at entry ${result.broken?.seq}: ${result.broken?.reason}.`,
          `${result.checked} entries before it verified.`,
        ])
        throw new AppError(
          'audit_chain_broken',
          `audit chain broken at entry ${result.broken?.seq}`,
          { details: { quiet: true } },
        )
      } finally {
        await db.destroy()
      }
    })
}
