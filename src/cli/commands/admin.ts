import type { Command } from 'commander'
import { AppError } from '../../common/errors.ts'
import { loadConfig } from '../../server/config.ts'
import { systemActor } from '../../server/kernel/actor.ts'
import { openContext } from '../../server/main.ts'
import { createAdminLink } from '../../server/modules/accounts/accounts.service.ts'
import { createOutput } from '../output.ts'
import { silentLogger } from '../silent-logger.ts'

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('network administrator accounts')
  admin
    .command('create')
    .description('print a one-time link (valid one hour) that creates a network administrator')
    .requiredOption('-e, --email <email>', 'email address of the new administrator')
    .option('--json', 'print the result as JSON')
    .action(async (options: { email: string; json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(options.email)) {
        throw new AppError('validation_failed', `"${options.email}" is not an email address`)
      }
      const ctx = await openContext(loadConfig(), silentLogger())
      try {
        const link = await createAdminLink(ctx, options.email, {
          actor: systemActor(`cli:${process.env.USER ?? 'unknown'}`),
        })
        out.result(
          { email: options.email.toLowerCase(), url: link.url, expiresAt: link.expiresAt },
          [
            `One-time link for ${options.email.toLowerCase()} (valid until ${link.expiresAt}):`,
            '',
            `  ${link.url}`,
          ],
        )
      } finally {
        await ctx.db.destroy()
      }
    })
}
