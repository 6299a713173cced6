import type { Command } from 'commander'
import { loadConfig } from '../../server/config.ts'
import { systemActor } from '../../server/kernel/actor.ts'
import { openContext } from '../../server/main.ts'
import { listSigningKeys, rotateSigningKey } from '../../server/modules/labels/keys.service.ts'
import { createOutput } from '../output.ts'
import { silentLogger } from '../silent-logger.ts'

const cliActor = () => systemActor(`cli:${process.env.USER ?? 'unknown'}`)

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the keys that sign labels and status lists')
  keys
    .command('list')
    .description('list signing keys (public halves), newest first')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const ctx = await openContext(loadConfig(), silentLogger())
      try {
        const list = await listSigningKeys(ctx)
        out.result(
          list,
          list.length === 0
            ? 'No signing keys yet; the first start of `isn serve` generates one.'
            : list.map(
                (k) =>
                  `${k.state.padEnd(8)} ${k.kid}  created ${k.createdAt}${k.retiredAt ? `, retired ${k.retiredAt}` : ''}`,
              ),
        )
      } finally {
        await ctx.db.destroy()
      }
    })
  keys
    .command('rotate')
    .description(
      'generate a new signing key and retire the active one (it stays published, so labels it signed keep verifying)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const out = createOutput(Boolean(options.json))
      const ctx = await openContext(loadConfig(), silentLogger())
      try {
        const result = await rotateSigningKey(ctx, { actor: cliActor() })
        out.result(result, [
          `New active key: ${result.active.kid}`,
          result.retired
            ? `Retired (still published): ${result.retired.kid}`
            : 'No key was active.',
        ])
      } finally {
        await ctx.db.destroy()
      }
    })
}

// `isn label verify` lives in its own module, which loads neither the server nor the database, so
// that `bin/isn.js` can start it from a small bundle of its own.
export { registerLabel } from './label-verify.ts'
