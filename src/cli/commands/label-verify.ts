import fs from 'node:fs'
import type { Command } from 'commander'
import { decodeJwt } from 'jose'
import type { StatusPurpose, VerificationResult } from '../../common/api/labels.ts'
import { AppError } from '../../common/errors.ts'
import { LabelKeySet } from '../../common/labels/keys.ts'
import {
  decodeStatusList,
  MAX_STATUS_LIST_JWT_LENGTH,
  StatusListError,
  type DecodedStatusList,
} from '../../common/labels/status-list.ts'
import { verifyLabel } from '../../common/labels/verify.ts'
import { CheckFailed } from '../check-failed.ts'
import { createOutput } from '../output.ts'

/** Reads a file, stdin (`-`) or, only when the user gave one, a URL. */
async function readSource(source: string, what: string, limit: number): Promise<string> {
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
    const text = await response.text()
    if (text.length > limit) throw new AppError('validation_failed', `${what}: too large`)
    return text
  }
  try {
    const text = source === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(source, 'utf8')
    if (text.length > limit) throw new AppError('validation_failed', `${what}: too large`)
    return text
  } catch (error) {
    if (error instanceof AppError) throw error
    throw new AppError('not_found', `${what}: cannot read ${source}`, { cause: error })
  }
}

async function readKeySet(source: string): Promise<LabelKeySet> {
  const text = await readSource(source, '--jwks', 1024 * 1024)
  try {
    // Each label is verified once: remembering genuine ones would only cost memory.
    return LabelKeySet.fromJson(JSON.parse(text), { remember: 0 })
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
}

function describe(result: VerificationResult): string[] {
  const product = result.record?.product
  const what = product
    ? `${product.manufacturer.name} ${product.name} ${product.version}, tier ${result.record!.tier}, expires ${result.record!.expiresAt}`
    : 'unreadable label'
  if (result.valid) {
    return [`VALID (${result.status}): ${what}`, `  label ${result.labelId}, key ${result.keyId}`]
  }
  return [
    `INVALID (${result.status}): ${what}`,
    ...result.reasons.map((r) => `  ${r.code}: ${r.message}`),
  ]
}

/**
 * Labels verified at once. The signature checks run on Node's thread pool (Web Crypto), so with
 * many in flight every core verifies while this thread reads the next labels; a bounded window
 * keeps memory flat for very long files.
 */
const IN_FLIGHT = 256

/** Verifies every token, keeping their order. */
async function verifyAll(
  tokens: string[],
  options: Parameters<typeof verifyLabel>[1],
): Promise<VerificationResult[]> {
  const results = new Array<VerificationResult>(tokens.length)
  let next = 0
  const worker = async () => {
    while (next < tokens.length) {
      const index = next++
      results[index] = await verifyLabel(tokens[index], options)
    }
  }
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, tokens.length) }, worker))
  return results
}

export function registerLabel(program: Command): void {
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
    .action(async (file: string, options: Options) => {
      const out = createOutput(Boolean(options.json))
      const text = await readSource(file, 'label', 64 * 1024 * 1024)
      const tokens = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean)
      if (tokens.length === 0) throw new AppError('validation_failed', `${file} holds no label`)

      let issuer: string | undefined
      if (options.fetch && (!options.jwks || options.statusList.length === 0)) {
        try {
          issuer = String(decodeJwt(tokens[0]!).iss)
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
      const keys = await readKeySet(jwksSource)
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

      const results = await verifyAll(tokens, {
        jwks: keys,
        statusLists,
        now,
        requireStatus: !options.skipStatus,
      })
      const invalid = results.filter((r) => !r.valid).length
      if (results.length === 1) {
        out.result({ ...results[0], statusListProblems: problems }, describe(results[0]!))
      } else {
        out.result({ count: results.length, valid: results.length - invalid, invalid, results }, [
          ...results.filter((r) => !r.valid).flatMap(describe),
          `${results.length - invalid} of ${results.length} labels valid and active.`,
        ])
      }
      if (invalid > 0) throw new CheckFailed(`${invalid} label(s) not valid`)
    })
}
