import { createPublicKey, verify } from 'node:crypto'
import os from 'node:os'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import type { StatusPurpose, VerificationResult } from '../../common/api/labels.ts'
import {
  LabelKeySet,
  type Ed25519PublicJwk,
  type SignatureCheck,
} from '../../common/labels/keys.ts'
import type { DecodedStatusList } from '../../common/labels/status-list.ts'
import { summariseLabel, verificationAnswer, verifyLabel } from '../../common/labels/verify.ts'

// Verifies the labels of a file on every core (docs/performance.md, "Label verification"). The
// file's bytes and the place of each label in them go to shared memory; the main thread and one
// worker thread per other core take pieces of 250 labels in turn from a shared counter (so a core
// that other work slows down simply takes fewer), verify them with Node's synchronous Ed25519
// check, and render each piece's output there; the main thread puts the pieces back in order.

/** What every thread needs to verify labels the same way. */
export interface VerifySetup {
  /** The JWKS document's text (each thread builds its own key set from it). */
  jwks: string
  statusLists: Partial<Record<StatusPurpose, DecodedStatusList>>
  /** The moment every label is judged at (milliseconds since the epoch). */
  now: number
  requireStatus: boolean
  json: boolean
  includeRecord: boolean
}

/** One piece of labels, verified and rendered. */
export interface PieceOutput {
  valid: number
  /** With --json: each answer as it sits in the `results` array; otherwise the invalid ones' lines. */
  text: string[]
}

/** The labels of the input: its bytes and where each non-blank line lies in them. */
export interface LabelLines {
  bytes: Uint8Array
  /** Start and end (exclusive) byte offset of label i at 2i and 2i + 1. */
  bounds: Int32Array
  count: number
}

/** Labels per piece: small enough to share the work evenly, large enough to cost little to hand out. */
const PIECE = 250
/** Below this many labels, starting a worker costs more than it saves. */
const PARALLEL_FROM = 2 * PIECE
/** Worker threads at most, whatever the core count. */
const MAX_WORKERS = 7

/** Node's synchronous Ed25519 check: less CPU per label than Web Crypto, and it stays on this thread. */
export const nodeSignatureCheck = (jwk: Ed25519PublicJwk): SignatureCheck => {
  const key = createPublicKey({ key: { ...jwk }, format: 'jwk' })
  return (data, signature) => verify(null, data, key, signature)
}

export function keySetOf(jwks: string): LabelKeySet {
  // Each label is verified once: remembering genuine ones would only cost memory.
  return LabelKeySet.fromJson(JSON.parse(jwks), { remember: 0, signatureCheck: nodeSignatureCheck })
}

const NEWLINE = 0x0a

/** UTF-8 text of `bytes` from `start` to `end` (invalid sequences read as U+FFFD, as files are read). */
function textOf(bytes: Uint8Array, start: number, end: number): string {
  if (view?.bytes !== bytes) {
    view = { bytes, buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
  }
  return view.buffer.toString('utf8', start, end)
}
let view: { bytes: Uint8Array; buffer: Buffer } | undefined

/** Whether JavaScript's `trim` would leave nothing of the line (what makes a line blank). */
function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  const first = bytes[start]
  // A label starts with a printable ASCII character; only other lines need decoding to tell.
  if (start < end && first! > 0x20 && first! < 0x7f) return false
  return textOf(bytes, start, end).trim() === ''
}

/**
 * Finds the labels in `bytes` (one per line, blank lines skipped: the same lines as splitting the
 * text at `\n` and trimming each) and copies both into shared memory.
 */
export function labelLines(input: Uint8Array): LabelLines {
  const bytes = new Uint8Array(new SharedArrayBuffer(input.byteLength))
  bytes.set(input)
  // Buffer's indexOf is memchr; a Uint8Array's compares byte by byte.
  const search = Buffer.from(bytes.buffer)
  const starts: number[] = []
  let start = 0
  while (start <= bytes.length) {
    let end = search.indexOf(NEWLINE, start)
    if (end === -1) end = bytes.length
    if (!isBlank(bytes, start, end)) starts.push(start, end)
    start = end + 1
  }
  const bounds = new Int32Array(new SharedArrayBuffer(Math.max(4, starts.length * 4)))
  bounds.set(starts)
  return { bytes, bounds, count: starts.length / 2 }
}

/** The text of label `i` (trimmed, as the verifier trims it anyway). */
export function labelAt(lines: LabelLines, i: number): string {
  return textOf(lines.bytes, lines.bounds[2 * i]!, lines.bounds[2 * i + 1]!).trim()
}

/** The human lines of one result (all of them for one label; only invalid ones are listed for many). */
export function describe(result: VerificationResult): string[] {
  const summary = result.record && summariseLabel(result.record)
  const what = summary
    ? `${summary.manufacturer} ${summary.product} ${summary.version}, tier ${summary.tier}, expires ${summary.expiresAt}`
    : 'unreadable label'
  if (result.valid) {
    return [`VALID (${result.status}): ${what}`, `  label ${result.labelId}, key ${result.keyId}`]
  }
  return [
    `INVALID (${result.status}): ${what}`,
    ...result.reasons.map((r) => `  ${r.code}: ${r.message}`),
  ]
}

/** One answer as an element of the `results` array of `JSON.stringify(…, null, 2)`. */
const asArrayElement = (answer: unknown) =>
  `    ${JSON.stringify(answer, null, 2).replaceAll('\n', '\n    ')}`

/** A thread's means to verify: its own key set, and the setup. */
interface Verifier {
  keys: LabelKeySet
  setup: VerifySetup
  now: Date
}

const verifierOf = (setup: VerifySetup): Verifier => ({
  keys: keySetOf(setup.jwks),
  setup,
  now: new Date(setup.now),
})

async function verifyPiece(lines: LabelLines, piece: number, v: Verifier): Promise<PieceOutput> {
  const output: PieceOutput = { valid: 0, text: [] }
  const end = Math.min(lines.count, (piece + 1) * PIECE)
  for (let i = piece * PIECE; i < end; i++) {
    const result = await verifyLabel(labelAt(lines, i), {
      jwks: v.keys,
      statusLists: v.setup.statusLists,
      now: v.now,
      requireStatus: v.setup.requireStatus,
    })
    if (result.valid) output.valid++
    if (v.setup.json) {
      output.text.push(
        asArrayElement(verificationAnswer(result, { record: v.setup.includeRecord })),
      )
    } else if (!result.valid) {
      output.text.push(...describe(result))
    }
  }
  return output
}

/** Takes pieces from the shared counter until none is left; `done` receives each. */
async function takePieces(
  lines: LabelLines,
  counter: Int32Array,
  v: Verifier,
  done: (piece: number, output: PieceOutput) => void,
): Promise<void> {
  const pieces = Math.ceil(lines.count / PIECE)
  for (;;) {
    const piece = Atomics.add(counter, 0, 1)
    if (piece >= pieces) return
    done(piece, await verifyPiece(lines, piece, v))
  }
}

interface WorkerInput {
  setup: VerifySetup
  lines: LabelLines
  counter: Int32Array
}

type WorkerMessage = { piece: number; output: PieceOutput } | { finished: true }

/**
 * Verifies every label of `lines` in order. Large inputs are shared with worker threads started
 * from `workerUrl` (a module that calls `runVerifyWorker` when it is not the main thread).
 */
export async function verifyLines(
  lines: LabelLines,
  setup: VerifySetup,
  workerUrl: URL | undefined,
): Promise<PieceOutput[]> {
  const counter = new Int32Array(new SharedArrayBuffer(4))
  const outputs = new Array<PieceOutput>(Math.ceil(lines.count / PIECE))
  const keep = (piece: number, output: PieceOutput) => {
    outputs[piece] = output
  }
  const cores = os.availableParallelism()
  const workers =
    workerUrl && lines.count >= PARALLEL_FROM
      ? Math.min(cores - 1, MAX_WORKERS, outputs.length - 1)
      : 0
  const input: WorkerInput = { setup, lines, counter }
  const running = Array.from({ length: Math.max(0, workers) }, () =>
    runWorker(workerUrl!, input, keep),
  )
  await Promise.all([takePieces(lines, counter, verifierOf(setup), keep), ...running])
  return outputs
}

function runWorker(
  url: URL,
  input: WorkerInput,
  keep: (piece: number, output: PieceOutput) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: input })
    worker.on('message', (message: WorkerMessage) => {
      if ('finished' in message) resolve()
      else keep(message.piece, message.output)
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`a verification thread stopped (exit ${code})`))
      resolve()
    })
  })
}

/** True when this thread is a verification worker: it runs `runVerifyWorker` and nothing else. */
export const isVerifyWorker = (): boolean =>
  !isMainThread && (workerData as Partial<WorkerInput> | null)?.counter instanceof Int32Array

/** A worker thread's whole life: take pieces until none is left, send each back. */
export async function runVerifyWorker(): Promise<void> {
  const { setup, lines, counter } = workerData as WorkerInput
  await takePieces(lines, counter, verifierOf(setup), (piece, output) =>
    parentPort!.postMessage({ piece, output } satisfies WorkerMessage),
  )
  parentPort!.postMessage({ finished: true } satisfies WorkerMessage)
}
