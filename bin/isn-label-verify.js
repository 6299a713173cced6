// Loads the bundle of `isn label verify` (dist/isn-label-verify.cjs, built by bin/isn.js) with
// V8's code cache, and runs it; also the entry of its worker threads. Compiling the bundle cost
// ≈ 30 ms of CPU per thread at every start (docs/performance.md, "Label verification"); the cache
// holds the code compiled during the first run. It is named by a hash of the bundle's content,
// because V8 checks only the length of the source a cache was made from.
import crypto from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { URL } from 'node:url'
import vm from 'node:vm'
import { isMainThread } from 'node:worker_threads'

const bundle = path.join(import.meta.dirname, '..', 'dist', 'isn-label-verify.cjs')
const source = fs.readFileSync(bundle, 'utf8')
const digest = crypto.createHash('sha256').update(source).update(process.version).digest('hex')
const cacheFile = path.join(path.dirname(bundle), `isn-label-verify.${digest.slice(0, 24)}.v8cache`)

let cachedData
try {
  cachedData = fs.readFileSync(cacheFile)
} catch {
  cachedData = undefined
}
// The same wrapper as Node's for a CommonJS module.
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
  { filename: bundle, cachedData },
)
const bundleModule = { exports: {} }
script.runInThisContext()(
  bundleModule.exports,
  createRequire(bundle),
  bundleModule,
  bundle,
  path.dirname(bundle),
)

if (isMainThread && (cachedData === undefined || script.cachedDataRejected)) {
  // At exit, so that the cache holds the functions this run compiled too. Written beside and
  // renamed, so that a concurrent run reads a whole cache or none; older caches are removed.
  process.once('exit', () => {
    try {
      const temporary = `${cacheFile}.${process.pid}.tmp`
      fs.writeFileSync(temporary, script.createCachedData())
      fs.renameSync(temporary, cacheFile)
      for (const name of fs.readdirSync(path.dirname(bundle))) {
        const file = path.join(path.dirname(bundle), name)
        if (/^isn-label-verify\.[0-9a-f]+\.v8cache$/.test(name) && file !== cacheFile) {
          fs.rmSync(file)
        }
      }
    } catch {
      // Only a cache: the next run compiles again.
    }
  })
}

void bundleModule.exports.main(new URL(import.meta.url))
