import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'

// Everything the benchmarks start or create is registered here, so that it is removed even when a
// benchmark throws, the user presses Ctrl-C, or the process exits some other way.
const children = new Set<ChildProcess>()
const dirs = new Set<string>()

/** Progress and diagnostics go to stderr; stdout carries only the JSON report. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`)
}

export function trackChild(child: ChildProcess): void {
  children.add(child)
  child.once('exit', () => children.delete(child))
}

export function trackDir(dir: string): string {
  dirs.add(dir)
  return dir
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
  dirs.delete(dir)
}

/** The last resort, synchronous: kill what still runs, by its own pid, and delete temp dirs. */
export function cleanupNow(): void {
  for (const child of children) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
  }
  children.clear()
  for (const dir of [...dirs]) {
    try {
      removeDir(dir)
    } catch (error) {
      log(`could not remove ${dir}: ${String(error)}`)
    }
  }
}

export function installCleanupHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping child processes and removing temporary directories`)
      cleanupNow()
      process.exit(130)
    })
  }
  process.once('exit', cleanupNow)
}
