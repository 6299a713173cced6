import fs from 'node:fs'
import path from 'node:path'

/**
 * The checkout's root (where package.json is), found by walking up from this file, so that the
 * same code works from the TypeScript sources and from the bundled CLI in dist/.
 */
export const PROJECT_ROOT = (() => {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) throw new Error('package.json not found above the platform code')
  }
})()

export const VERSION = (
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    version: string
  }
).version
