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
import { createOutput, type Output } from '../output.ts'
import {
  describe,
  keySetOf,
  labelAt,
  labelLines,
  nodeGunzip,
  PARALLEL_FILE_BYTES,
  VerifyThreads,
  type LabelLines,
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
      // A large file is read in pieces by every thread, which start now (see VerifyThreads);
      // --fetch without a JWKS needs the first label's issuer first, so it reads the file whole.
      const size = options.fetch && !options.jwks ? undefined : largeFileSize(file)
      let lines: LabelLines | undefined
      let threads: VerifyThreads | undefined
      if (size === undefined) {
        lines = labelLines(await readBytes(file, 'label', MAX_INPUT_BYTES))
        if (lines.count === 0) throw new AppError('validation_failed', `${file} holds no label`)
      } else {
        threads = new VerifyThreads({ file, size }, workerUrl)
      }
      try {
        await verifyInput(file, options, out, lines, threads, workerUrl)
      } finally {
        threads?.stop()
      }
    })
}

/** The longest label input read. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024

/** The size of `source` when it is a regular file worth reading in pieces, else undefined. */
function largeFileSize(source: string): number | undefined {
  if (source === '-' || /^https?:\/\//i.test(source)) return undefined
  let stat: fs.Stats
  try {
    stat = fs.statSync(source)
  } catch {
    // readBytes says what is wrong.
    return undefined
  }
  if (!stat.isFile() || stat.size < PARALLEL_FILE_BYTES) return undefined
  if (stat.size > MAX_INPUT_BYTES) throw new AppError('validation_failed', 'label: too large')
  return stat.size
}

/**
 * The rest of `isn label verify`: the keys and status lists, then the labels, from `lines` (read
 * whole) or by `threads` (a large file, read in pieces).
 */
async function verifyInput(
  file: string,
  options: Options,
  out: Output,
  lines: LabelLines | undefined,
  threads: VerifyThreads | undefined,
  workerUrl: URL | undefined,
): Promise<void> {
  let issuer: string | undefined
  if (options.fetch && (!options.jwks || options.statusList.length === 0)) {
    try {
      issuer = String(decodeJwt(lines ? labelAt(lines, 0) : firstLabel(file)).iss)
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
      const list = await decodeStatusList(jwt, keys, now, { gunzip: nodeGunzip })
      statusLists[list.purpose] = list
    } catch (error) {
      if (!(error instanceof StatusListError)) throw error
      problems.push(`${source}: ${error.message}`)
      out.note(`status list ${source} ignored: ${error.message}`)
    }
  }
  const requireStatus = !options.skipStatus
  const includeRecord = Boolean(options.includeRecord)

  /** One label: every line of its verdict, and the status list problems with --json. */
  const verifyOne = async (label: string) => {
    const result = await verifyLabel(label, { jwks: keys, statusLists, now, requireStatus })
    out.result(
      { ...verificationAnswer(result, { record: includeRecord }), statusListProblems: problems },
      describe(result),
    )
    if (!result.valid) throw new CheckFailed('the label is not valid')
  }
  if (lines?.count === 1) return verifyOne(labelAt(lines, 0))

  const setup: VerifySetup = {
    jwks,
    statusLists,
    now: now.getTime(),
    requireStatus,
    json: out.json,
    includeRecord,
  }
  const pieces = await (threads ?? new VerifyThreads({ lines: lines! }, workerUrl)).run(setup)
  const count = pieces.reduce((sum, piece) => sum + piece.count, 0)
  if (count === 0) throw new AppError('validation_failed', `${file} holds no label`)
  if (count === 1) {
    // A large file with one label in it (and much white space): the answer of one label.
    const whole = labelLines(await readBytes(file, 'label', MAX_INPUT_BYTES))
    if (whole.count === 1) return verifyOne(labelAt(whole, 0))
  }
  const valid = pieces.reduce((sum, piece) => sum + piece.valid, 0)
  const invalid = count - valid
  if (out.json) {
    // The same text as JSON.stringify({ count, valid, invalid, results }, null, 2), from the
    // pieces each thread rendered.
    process.stdout.write(
      `{\n  "count": ${count},\n  "valid": ${valid},\n  "invalid": ${invalid},\n  "results": [\n`,
    )
    let first = true
    for (const piece of pieces) {
      if (!piece.json) continue
      if (!first) process.stdout.write(',\n')
      process.stdout.write(piece.json)
      first = false
    }
    process.stdout.write('\n  ]\n}\n')
  } else {
    out.result(null, [
      ...pieces.flatMap((piece) => piece.text),
      `${valid} of ${count} labels valid and active.`,
    ])
  }
  if (invalid > 0) throw new CheckFailed(`${invalid} label(s) not valid`)
}

/** The first label of a file (for its issuer), read whole. */
function firstLabel(file: string): string {
  return labelAt(labelLines(fs.readFileSync(file)), 0)
}
