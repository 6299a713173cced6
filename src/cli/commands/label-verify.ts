import fs from 'node:fs'
import type { Command } from 'commander'
import { decodeJwt } from 'jose'
import type { StatusPurpose } from '../../common/api/labels.ts'
import { AppError } from '../../common/errors.ts'
import type { LabelKeySet } from '../../common/labels/keys.ts'
import {
  decodeStatusList,
  MAX_STATUS_LIST_JWT_LENGTH,
  StatusListError,
  type DecodedStatusList,
} from '../../common/labels/status-list.ts'
import { verificationAnswer, verifyLabel } from '../../common/labels/verify.ts'
import { CheckFailed } from '../check-failed.ts'
import { createOutput } from '../output.ts'
import {
  describe,
  keySetOf,
  labelAt,
  labelLines,
  verifyLines,
  type VerifySetup,
} from './label-verify-parallel.ts'

/** Reads a file, stdin (`-`) or, only when the user gave one, a URL. */
async function readBytes(source: string, what: string, limit: number): Promise<Uint8Array> {
  if (/^https?:\/\//i.test(source)) {
    let response: Response
    try {
      response = await fetch(source, { signal: AbortSignal.timeout(15_000) })
    } catch (error) {
      throw new AppError('service_unavailable', `${what}: could not fetch ${source}`, {
        cause: error,
      })
    }
    if (!response.ok) {
      throw new AppError('service_unavailable', `${what}: ${source} answered ${response.status}`)
    }
    const bytes = new Uint8Array(await response.arrayBuffer())
    if (bytes.byteLength > limit) throw new AppError('validation_failed', `${what}: too large`)
    return bytes
  }
  try {
    const bytes = source === '-' ? fs.readFileSync(0) : fs.readFileSync(source)
    if (bytes.byteLength > limit) throw new AppError('validation_failed', `${what}: too large`)
    return bytes
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError('not_found', `${what}: cannot read ${source}`, { cause: error })
  }
}

const readSource = async (source: string, what: string, limit: number) =>
  Buffer.from(await readBytes(source, what, limit)).toString('utf8')

function readKeySet(source: string, text: string): LabelKeySet {
  try {
    return keySetOf(text)
  } catch {
    throw new AppError('validation_failed', `--jwks: ${source} is not a JWKS document`)
  }
}

interface Options {
  jwks?: string
  statusList: string[]
  fetch?: boolean
  skipStatus?: boolean
  json?: boolean
  includeRecord?: boolean
}

/**
 * `isn label verify`. `workerUrl` is the module worker threads start from to verify large files
 * on every core (the command's own bundle, `label-verify-main.ts`); without it, one thread.
 */
export function registerLabel(program: Command, { workerUrl }: { workerUrl?: URL } = {}): void {
  const label = program.command('label').description('signed labels')
  label
    .command('verify')
    .description(
      'verify labels (compact JWS, one per line) offline against a saved JWKS and status lists; exit 0 when every label is valid and active',
    )
    .argument('<file>', 'file with the label(s), or - for stdin')
    .option('--jwks <file|url>', 'the network’s JWKS (saved /.well-known/jwks.json)')
    .option(
      '--status-list <file|url>',
      'a signed status list (revocation or suspension); give both',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--fetch', 'fetch the JWKS and status lists from the label’s issuer (online)')
    .option('--skip-status', 'do not require status lists (status stays unknown)')
    .option('--json', 'print the result as JSON')
    .option('--include-record', 'with --json: add each label’s whole signed record')
    .action(async (file: string, options: Options) => {
      const out = createOutput(Boolean(options.json))
      const lines = labelLines(await readBytes(file, 'label', 64 * 1024 * 1024))
      if (lines.count === 0) throw new AppError('validation_failed', `${file} holds no label`)

      let issuer: string | undefined
      if (options.fetch && (!options.jwks || options.statusList.length === 0)) {
        try {
          issuer = String(decodeJwt(labelAt(lines, 0)).iss)
        } catch {
          throw new AppError('validation_failed', 'The label names no issuer to fetch from.')
        }
        if (!/^https?:\/\//.test(issuer)) {
          throw new AppError('validation_failed', 'The label names no issuer to fetch from.')
        }
      }
      const jwksSource = options.jwks ?? (issuer ? `${issuer}/.well-known/jwks.json` : undefined)
      if (!jwksSource) {
        throw new AppError(
          'validation_failed',
          'Give --jwks FILE (offline) or --fetch to fetch the keys from the label’s issuer.',
        )
      }
      const jwks = await readSource(jwksSource, '--jwks', 1024 * 1024)
      const keys = readKeySet(jwksSource, jwks)
      const listSources =
        options.statusList.length > 0
          ? options.statusList
          : issuer && !options.skipStatus
            ? ['revocation', 'suspension'].map((p) => `${issuer}/api/v1/labels/status-lists/${p}`)
            : []
      const now = new Date()
      const statusLists: Partial<Record<StatusPurpose, DecodedStatusList>> = {}
      const problems: string[] = []
      for (const source of listSources) {
        const jwt = await readSource(source, '--status-list', MAX_STATUS_LIST_JWT_LENGTH)
        try {
          const list = await decodeStatusList(jwt, keys, now)
          statusLists[list.purpose] = list
        } catch (error) {
          if (!(error instanceof StatusListError)) throw error
          problems.push(`${source}: ${error.message}`)
          out.note(`status list ${source} ignored: ${error.message}`)
        }
      }
      const requireStatus = !options.skipStatus
      const includeRecord = Boolean(options.includeRecord)

      if (lines.count === 1) {
        const result = await verifyLabel(labelAt(lines, 0), {
          jwks: keys,
          statusLists,
          now,
          requireStatus,
        })
        out.result(
          {
            ...verificationAnswer(result, { record: includeRecord }),
            statusListProblems: problems,
          },
          describe(result),
        )
        if (!result.valid) throw new CheckFailed('the label is not valid')
        return
      }

      const setup: VerifySetup = {
        jwks,
        statusLists,
        now: now.getTime(),
        requireStatus,
        json: out.json,
        includeRecord,
      }
      const pieces = await verifyLines(lines, setup, workerUrl)
      const valid = pieces.reduce((sum, piece) => sum + piece.valid, 0)
      const invalid = lines.count - valid
      if (out.json) {
        // The same text as JSON.stringify({ count, valid, invalid, results }, null, 2), from
        // the answers each thread wrote.
        process.stdout.write(
          `{\n  "count": ${lines.count},\n  "valid": ${valid},\n  "invalid": ${invalid},\n` +
            `  "results": [\n${pieces.map((piece) => piece.text.join(',\n')).join(',\n')}\n  ]\n}\n`,
        )
      } else {
        out.result(null, [
          ...pieces.flatMap((piece) => piece.text),
          `${valid} of ${lines.count} labels valid and active.`,
        ])
      }
      if (invalid > 0) throw new CheckFailed(`${invalid} label(s) not valid`)
    })
}
