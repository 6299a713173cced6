#!/usr/bin/env node
// The `isn` command. It runs the CLI from dist/isn.mjs, which esbuild bundles from the TypeScript
// sources (dependencies stay in node_modules). The bundle is rebuilt automatically whenever a
// source file is newer than it, so a checkout never runs stale code and needs no build step.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// `isn label verify` has a small bundle of its own: it needs neither the server nor the database,
// whose libraries the whole CLI loads at start (docs/performance.md, "Label verification").
const labelVerify = process.argv[2] === 'label' && process.argv[3] === 'verify'
const entry = labelVerify ? 'src/cli/label-verify-main.ts' : 'src/cli/main.ts'
const bundle = path.join(root, 'dist', labelVerify ? 'isn-label-verify.mjs' : 'isn.mjs')
const sources = ['src/cli', 'src/server', 'src/common'].map((dir) => path.join(root, dir))

function newestSourceMtime() {
  let newest = 0
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs)
    }
  }
  for (const dir of sources) walk(dir)
  return Math.max(newest, fs.statSync(path.join(root, 'package.json')).mtimeMs)
}

const BUNDLED = ['kysely', 'typebox']
const { dependencies } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))

const bundleMtime = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0
if (bundleMtime < newestSourceMtime()) {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [path.join(root, entry)],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies stay in node_modules, except two pure-ESM libraries of hundreds of small files
    // each: bundled, they load in a tenth of the time (docs/performance.md, start-up).
    external: Object.keys(dependencies).filter((name) => !BUNDLED.includes(name)),
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  })
  // Write beside the target and rename, so that concurrent `isn` runs never read a half-written bundle.
  fs.mkdirSync(path.dirname(bundle), { recursive: true })
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`
    fs.writeFileSync(temporary, file.contents)
    fs.renameSync(temporary, file.path)
  }
}
await import(pathToFileURL(bundle).href)
