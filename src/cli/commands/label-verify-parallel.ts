import { createPublicKey, verify } from 'node:crypto'
import fs from 'node:fs'
import zlib from 'node:zlib'
import os from 'node:os'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { Format } from 'typebox/format'
import type {
  LabelVerification,
  StatusPurpose,
  VerificationResult,
} from '../../common/api/labels.ts'
import {
  LabelKeySet,
  type Ed25519PublicJwk,
  type SignatureCheck,
} from '../../common/labels/keys.ts'
import {
  tooLargeListError,
  type DecodedStatusList,
  type Gunzip,
} from '../../common/labels/status-list.ts'
import { summariseLabel, verificationAnswer, verifyLabelSync } from '../../common/labels/verify.ts'

// Verifies the labels of an input on every core (docs/performance.md, "Label verification"). The
// main thread and one worker thread per other core take pieces of the input in turn from a shared
// counter (so a core that other work slows down simply takes fewer), verify them with Node's
// synchronous Ed25519 check, and render each piece's output there; the main thread puts the
// pieces back in order.
//
// A large file is not read whole: each thread reads the byte ranges of its pieces itself into
// one buffer it reuses. Reading 24 MB into fresh memory and copying it to shared memory cost
// ≈ 0.2 s on the critical path here (page faults), against ≈ 20 ms for reads into reused buffers.
// Other inputs (stdin, a URL, a small file) are read whole into shared memory.

/**
 * Plain http(s) URLs: a host name and a path of unreserved characters. Every string this matches
 * also matches TypeBox's RFC 3986 `uri` pattern, whose first two uses cost ≈ 20 ms and ≈ 5 ms per
 * thread to compile; the URLs of issued labels pass here, and any other string still goes through
 * TypeBox's own check, so the record check answers the same.
 */
const PLAIN_URL = /^https?:\/\/[a-z0-9.-]+(?:\/[-a-z0-9._~!$&'()*+,;=:@]*)*$/i
const typeboxIsUri = Format.IsUri
export const isUri = (value: string): boolean => PLAIN_URL.test(value) || typeboxIsUri(value)
Format.Set('uri', isUri)

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
  /** Labels in the piece (blank lines are not labels). */
  count: number
  valid: number
  /** Without --json: the lines of the invalid labels. */
  text: string[]
  /**
   * With --json: the piece's answers as UTF-8, as they sit in the `results` array of
   * `JSON.stringify({ …, results }, null, 2)` (elements separated by `,\n`, no comma after the
   * last); null when the piece holds no label.
   */
  json: Uint8Array | null
}

/** The labels of an input held in memory: its bytes and where each non-blank line lies in them. */
export interface LabelLines {
  bytes: Uint8Array
  /** Start and end (exclusive) byte offset of label i at 2i and 2i + 1. */
  bounds: Int32Array
  count: number
}

/** Where the labels are: a regular file each thread reads pieces of, or lines in shared memory. */
export type LabelInput = { file: string; size: number } | { lines: LabelLines }

/** Labels per piece of an input in memory: small enough to share the work evenly, large enough to cost little to hand out. */
const PIECE = 250
/** Bytes per piece of a file (≈ 100 labels of 2.4 KB). */
const PIECE_BYTES = 256 * 1024
/** Read beyond a file piece's end, so that its last line usually ends in the same read. */
const PIECE_TAIL = 32 * 1024
/** From this size on a file is read in pieces by every thread (≈ 400 labels); smaller ones whole. */
export const PARALLEL_FILE_BYTES = 4 * PIECE_BYTES
/** Below this many labels in memory, starting a worker costs more than it saves. */
const PARALLEL_FROM = 2 * PIECE
/** Worker threads at most, whatever the core count. */
const MAX_WORKERS = 7

/** Node's synchronous Ed25519 check: less CPU per label than Web Crypto, and it stays on this thread. */
const nodeSignatureCheck = (jwk: Ed25519PublicJwk): SignatureCheck => {
  const key = createPublicKey({ key: { ...jwk }, format: 'jwk' })
  return (data, signature) => verify(null, data, key, signature)
}

/** Status lists decompressed by zlib, within the same limit (see `Gunzip`). */
export const nodeGunzip: Gunzip = (compressed, maxBytes) => {
  try {
    return zlib.gunzipSync(compressed, { maxOutputLength: maxBytes })
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLargeListError()
    }
    throw error
  }
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

/** The labels of an input, piece by piece, as one thread reads them. */
export interface Pieces {
  readonly count: number
  labels(piece: number): Iterable<string>
  close(): void
}

export function piecesOf(input: LabelInput): Pieces {
  if ('file' in input) return new FilePieces(input.file, input.size)
  const { lines } = input
  return {
    count: Math.ceil(lines.count / PIECE),
    *labels(piece) {
      const end = Math.min(lines.count, (piece + 1) * PIECE)
      for (let i = piece * PIECE; i < end; i++) yield labelAt(lines, i)
    },
    close() {},
  }
}

/**
 * A file's labels by pieces of `PIECE_BYTES`: piece k holds the lines that start in its byte
 * range (a line starts at 0 or after a newline), read into a buffer the thread reuses. Together
 * the pieces hold the same lines as `labelLines` finds in the first `size` bytes.
 */
class FilePieces implements Pieces {
  readonly count: number
  readonly #fd: number
  readonly #size: number
  #buffer = Buffer.allocUnsafe(PIECE_BYTES + PIECE_TAIL + 1)
  /** The file offset of `#buffer[0]`, and how many bytes from there are read. */
  #base = 0
  #length = 0

  constructor(file: string, size: number) {
    this.#fd = fs.openSync(file, 'r')
    this.#size = size
    this.count = Math.ceil(size / PIECE_BYTES)
  }

  /** Reads the file from `from` to `to` (at most to its size) into the buffer. */
  #load(from: number, to: number): void {
    const want = Math.min(to, this.#size) - from
    if (this.#buffer.length < want) this.#buffer = Buffer.allocUnsafe(want)
    let got = 0
    while (got < want) {
      const read = fs.readSync(this.#fd, this.#buffer, got, want - got, from + got)
      if (read === 0) break
      got += read
    }
    this.#base = from
    this.#length = got
  }

  /** The offset of the first newline at or after `at`, or the end of the file; reads on as needed. */
  #lineEnd(at: number): number {
    for (;;) {
      const i = this.#buffer.indexOf(NEWLINE, at - this.#base)
      // Bytes past #length are left over from an earlier read.
      if (i !== -1 && i < this.#length) return this.#base + i
      const end = this.#base + this.#length
      if (end >= this.#size) return end
      this.#load(at, end + Math.max(PIECE_BYTES, end - at))
      // The file became shorter than it was: its end is here.
      if (this.#base + this.#length <= end) return this.#base + this.#length
    }
  }

  *labels(piece: number): Iterable<string> {
    const from = piece * PIECE_BYTES
    const to = Math.min(this.#size, from + PIECE_BYTES)
    this.#load(Math.max(0, from - 1), to + PIECE_TAIL)
    let start = 0
    if (from > 0) {
      // The first line starting in the range follows the first newline from `from - 1` on.
      const newline = this.#buffer.indexOf(NEWLINE)
      if (newline === -1 || newline >= this.#length || this.#base + newline + 1 >= to) return
      start = this.#base + newline + 1
    }
    while (start < to) {
      const end = this.#lineEnd(start)
      const [s, e] = [start - this.#base, end - this.#base]
      if (!isBlank(this.#buffer, s, e)) yield this.#buffer.toString('utf8', s, e).trim()
      start = end + 1
    }
  }

  close(): void {
    fs.closeSync(this.#fd)
  }
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

const RESULTS_OPEN = '{\n  "results": [\n'
const RESULTS_CLOSE = '\n  ]\n}'
const utf8 = new TextEncoder()

/**
 * Answers as elements of the `results` array of `JSON.stringify({ …, results }, null, 2)`, in
 * UTF-8: one native stringify of the whole piece, nested the same way, then its first and last
 * lines cut off. (One stringify per answer, re-indented, cost ≈ 10 µs per label more and kept
 * every answer's text alive until the end.) The bytes have an ArrayBuffer of their own, so a
 * worker thread can hand them over without a copy.
 */
export function renderResults(answers: unknown[]): Uint8Array {
  const text = JSON.stringify({ results: answers }, null, 2)
  return utf8.encode(text.slice(RESULTS_OPEN.length, text.length - RESULTS_CLOSE.length))
}

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

function verifyPiece(labels: Iterable<string>, v: Verifier): PieceOutput {
  const output: PieceOutput = { count: 0, valid: 0, text: [], json: null }
  const answers: LabelVerification[] = []
  for (const label of labels) {
    output.count++
    // Node's check is synchronous (keySetOf): no promise per label.
    const result = verifyLabelSync(label, {
      jwks: v.keys,
      statusLists: v.setup.statusLists,
      now: v.now,
      requireStatus: v.setup.requireStatus,
    })
    if (result.valid) output.valid++
    if (v.setup.json) {
      answers.push(verificationAnswer(result, { record: v.setup.includeRecord }))
    } else if (!result.valid) {
      output.text.push(...describe(result))
    }
  }
  if (answers.length > 0) output.json = renderResults(answers)
  return output
}

/** Takes pieces from the shared counter until none is left; `done` receives each. */
function takePieces(
  input: LabelInput,
  counter: Int32Array,
  v: Verifier,
  done: (piece: number, output: PieceOutput) => void,
): void {
  const pieces = piecesOf(input)
  try {
    for (;;) {
      const piece = Atomics.add(counter, 0, 1)
      if (piece >= pieces.count) return
      done(piece, verifyPiece(pieces.labels(piece), v))
    }
  } finally {
    pieces.close()
  }
}

interface WorkerInput {
  input: LabelInput
  counter: Int32Array
}

type WorkerMessage = { piece: number; output: PieceOutput } | { finished: true }

/**
 * The threads that verify one input. `start` launches the worker threads at once, before the
 * caller has read the keys and status lists, so that loading the bundle in each overlaps that
 * work; `run` then hands them the setup and verifies on the main thread too.
 */
export class VerifyThreads {
  readonly #input: LabelInput
  readonly #counter = new Int32Array(new SharedArrayBuffer(4))
  readonly #workers: Worker[]
  readonly #outputs: PieceOutput[] = []
  readonly #finished: Promise<void>[]
  #stopped = false

  /**
   * Worker threads start from `workerUrl` (a module that calls `runVerifyWorker` when it is not
   * the main thread); without it, or for a small input, the main thread verifies alone.
   */
  constructor(input: LabelInput, workerUrl: URL | undefined) {
    this.#input = input
    const pieces = 'file' in input ? Math.ceil(input.size / PIECE_BYTES) : 0
    const worth =
      'file' in input ? input.size >= PARALLEL_FILE_BYTES : input.lines.count >= PARALLEL_FROM
    const count =
      workerUrl && worth
        ? Math.min(
            os.availableParallelism() - 1,
            MAX_WORKERS,
            ('file' in input ? pieces : Math.ceil(input.lines.count / PIECE)) - 1,
          )
        : 0
    const workerInput: WorkerInput = { input, counter: this.#counter }
    this.#workers = Array.from(
      { length: Math.max(0, count) },
      () => new Worker(workerUrl!, { workerData: workerInput }),
    )
    this.#finished = this.#workers.map((worker) => this.#follow(worker))
  }

  #keep(piece: number, output: PieceOutput) {
    this.#outputs[piece] = output
  }

  #follow(worker: Worker): Promise<void> {
    return new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if ('finished' in message) resolve()
        else this.#keep(message.piece, message.output)
      })
      worker.once('error', reject)
      worker.once('exit', (code) => {
        // A thread `stop` ended exits 1 on purpose.
        if (code !== 0 && !this.#stopped) {
          reject(new Error(`a verification thread stopped (exit ${code})`))
        }
        resolve()
      })
    })
  }

  /** Verifies every label of the input; the pieces' outputs in input order. */
  async run(setup: VerifySetup): Promise<PieceOutput[]> {
    for (const worker of this.#workers) worker.postMessage(setup)
    // Synchronous: the workers' pieces arrive once the main thread has no more to take.
    takePieces(this.#input, this.#counter, verifierOf(setup), (piece, output) =>
      this.#keep(piece, output),
    )
    await Promise.all(this.#finished)
    return this.#outputs
  }

  /** Stops the worker threads (when the command ends before or without `run`). */
  stop(): void {
    this.#stopped = true
    for (const worker of this.#workers) void worker.terminate()
  }
}

/** True when this thread is a verification worker: it runs `runVerifyWorker` and nothing else. */
export const isVerifyWorker = (): boolean =>
  !isMainThread && (workerData as Partial<WorkerInput> | null)?.counter instanceof Int32Array

/** A worker thread's whole life: wait for the setup, take pieces until none is left, send each back. */
export async function runVerifyWorker(): Promise<void> {
  const { input, counter } = workerData as WorkerInput
  const port = parentPort!
  const setup = await new Promise<VerifySetup>((resolve) =>
    port.once('message', (message: VerifySetup) => resolve(message)),
  )
  takePieces(input, counter, verifierOf(setup), (piece, output) =>
    port.postMessage(
      { piece, output } satisfies WorkerMessage,
      output.json ? [output.json.buffer as ArrayBuffer] : [],
    ),
  )
  port.postMessage({ finished: true } satisfies WorkerMessage)
  // The port would keep the thread alive.
  port.close()
}
