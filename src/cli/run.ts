import { Command, CommanderError } from 'commander'
import { AppError, type ErrorCode } from '../common/errors.ts'
import { VERSION } from '../server/kernel/paths.ts'
import { CheckFailed } from './check-failed.ts'

// What every `isn` program shares: the root command, the one try/catch that turns errors into
// exit codes, and the exit. `main.ts` runs the whole CLI; `label-verify-main.ts` runs only
// `isn label verify` from a bundle that loads neither the server nor the database (bin/isn.js).

/** The one table from error codes to exit codes (documented in docs/cli.md). */
export const EXIT_CODES: Partial<Record<ErrorCode, number>> & { default: number } = {
  default: 1,
  audit_chain_broken: 1,
  validation_failed: 2,
  payload_too_large: 2,
  invalid_config: 3,
  service_unavailable: 4,
  not_found: 5,
  conflict: 6,
  invalid_or_expired_link: 6,
  unauthorized: 7,
  forbidden: 7,
  internal_error: 70,
}

/** The `isn` root command, before the commands are registered. */
export function rootCommand(): Command {
  return (
    new Command('isn')
      .description('IIoT Safety Network platform')
      .version(VERSION)
      .option('--verbose', 'print the cause of errors')
      .showHelpAfterError()
      .exitOverride()
      // Program options only before the command, so that a command may have its own --version
      // (`isn framework export --version 1.0.0`); --verbose is accepted after every command too.
      .enablePositionalOptions()
  )
}

/** Accepts --verbose after every command too; call once every command is registered. */
export function addVerbose(command: Command): void {
  for (const sub of command.commands) {
    if (sub.commands.length > 0) addVerbose(sub)
    else sub.option('--verbose', 'print the cause of errors')
  }
}

/** Runs the program on `argv` and returns the exit code; errors end here. */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv)
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return error.exitCode === 0 ? 0 : 2
    }
    // The command printed what failed; exit 1 like `audit verify` on a broken chain.
    if (error instanceof CheckFailed) return EXIT_CODES.default
    const verbose = program.opts<{ verbose?: boolean }>().verbose || argv.includes('--verbose')
    if (error instanceof AppError) {
      const quiet = (error.details as { quiet?: boolean } | undefined)?.quiet
      if (!quiet) process.stderr.write(`error: ${error.message} (${error.code})\n`)
      if (verbose && error.cause) process.stderr.write(`cause: ${String(error.cause)}\n`)
      return EXIT_CODES[error.code] ?? EXIT_CODES.default
    }
    if (isConnectionError(error)) {
      process.stderr.write(
        `error: the database does not answer: ${(error as Error).message} (service_unavailable)\n`,
      )
      return EXIT_CODES.service_unavailable!
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`)
    if (verbose && error instanceof Error) process.stderr.write(`${error.stack}\n`)
    return EXIT_CODES.default
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000' || code === '28P01'
}

/** Exits with `code` once stdout has taken everything (a large output to a pipe flushes in parts). */
export function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.exit(code))
}
