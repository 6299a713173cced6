#!/usr/bin/env node
// The `isn` command. It runs the CLI from dist/isn.mjs, which esbuild bundles from the TypeScript
// sources (dependencies stay in node_modules). The bundle is rebuilt automatically whenever a
// source file it is built from is newer than it, so a checkout never runs stale code and needs no
// build step.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// `isn label verify` has a small bundle of its own: it needs neither the server nor the database,
// whose libraries the whole CLI loads at start (docs/performance.md, "Label verification").
const labelVerify = process.argv[2] === 'label' && process.argv[3] === 'verify'
const entry = labelVerify ? 'src/cli/label-verify-main.ts' : 'src/cli/main.ts'
// The label verifier's bundle is CommonJS, so that bin/isn-label-verify.js can load it with a
// code cache (Node 20 has none for ES modules).
const bundle = path.join(root, 'dist', labelVerify ? 'isn-label-verify.cjs' : 'isn.mjs')
// The source files the bundle was built from (esbuild's metafile), beside it: a start stats
// these few instead of walking the whole tree (≈ 700 files, tens of milliseconds).
const inputsFile = `${bundle}.inputs.json`

/** Whether the bundle is missing or older than package.json or a source file it was built from. */
function stale() {
  let bundleMtime
  let inputs
  try {
    bundleMtime = fs.statSync(bundle).mtimeMs
    inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8'))
  } catch {
    return true
  }
  if (!Array.isArray(inputs) || inputs.length === 0) return true
  try {
    for (const file of ['package.json', ...inputs]) {
      // A changed import shows as a newer importing file; a deleted input throws.
      if (fs.statSync(path.join(root, file)).mtimeMs > bundleMtime) return true
    }
  } catch {
    return true
  }
  return false
}

// Bundled, pure-ESM libraries of hundreds of small files load in a tenth of the time
// (docs/performance.md, start-up). The label verifier bundles all of its few libraries (commander,
// jose, typebox): resolving and loading jose's 46 files alone cost ≈ 60 ms of CPU per thread.
const BUNDLED = ['kysely', 'typebox']

if (stale()) {
  const { build } = await import('esbuild')
  const { dependencies } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const result = await build({
    entryPoints: [path.join(root, entry)],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: labelVerify ? 'cjs' : 'esm',
    target: 'node20',
    external: labelVerify
      ? []
      : Object.keys(dependencies).filter((name) => !BUNDLED.includes(name)),
    // import.meta means nothing in CommonJS; the module's directory is what paths.ts wants.
    define: labelVerify ? { 'import.meta.dirname': '__dirname' } : undefined,
    absWorkingDir: root,
    metafile: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  })
  const inputs = Object.keys(result.metafile.inputs).filter(
    (file) => !file.startsWith('node_modules/'),
  )
  // Write beside the target and rename, so that concurrent `isn` runs never read a half-written
  // bundle; the inputs go last, so that a bundle is never taken as current by an older list.
  fs.mkdirSync(path.dirname(bundle), { recursive: true })
  const files = [
    ...result.outputFiles.map((file) => ({ path: file.path, contents: file.contents })),
    { path: inputsFile, contents: JSON.stringify(inputs) },
  ]
  for (const file of files) {
    const temporary = `${file.path}.${process.pid}.tmp`
    fs.writeFileSync(temporary, file.contents)
    fs.renameSync(temporary, file.path)
  }
}
await import(labelVerify ? './isn-label-verify.js' : pathToFileURL(bundle).href)
