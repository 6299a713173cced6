import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { trackDir } from './cleanup.ts'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface Checkout {
  root: string
  /** The bundle bin/isn.js runs (and rebuilds when it is missing or older than the sources). */
  bundle: string
}

/**
 * A private copy of what `node bin/isn.js serve` runs: bin/, the server sources, the framework's
 * YAML, package.json and tsconfig.json, with node_modules and the built web app linked. The benchmarks start the platform
 * from here rather than from the working tree, so that (a) deleting the bundle for the cold
 * start-up runs cannot break anyone else's `isn` run or test on a shared machine, and (b) a source
 * edit made elsewhere during the run cannot trigger a rebuild in the middle of a measurement.
 * `source` may name another checkout of the project (e.g. a git worktree with a candidate change),
 * to measure before and after with the same benchmark; node_modules always come from this one.
 */
export function createCheckout(source = REPO_ROOT): Checkout {
  const root = trackDir(fs.mkdtempSync(path.join(os.tmpdir(), 'isn-bench-checkout-')))
  for (const entry of [
    'bin',
    'src/cli',
    'src/server',
    'src/common',
    'framework',
    'package.json',
    'tsconfig.json',
  ]) {
    const from = path.join(source, entry)
    if (fs.existsSync(from)) fs.cpSync(from, path.join(root, entry), { recursive: true })
  }
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir')
  fs.mkdirSync(path.join(root, 'dist'))
  const web = path.join(REPO_ROOT, 'dist', 'web')
  if (fs.existsSync(web)) fs.symlinkSync(web, path.join(root, 'dist', 'web'), 'dir')
  return { root, bundle: path.join(root, 'dist', 'isn.mjs') }
}

export function deleteBundle(checkout: Checkout): void {
  for (const file of [checkout.bundle, `${checkout.bundle}.map`]) fs.rmSync(file, { force: true })
}
