/**
 * Lists the vendor strings of a folder of CSAF documents with their counts and keys, to review
 * vendor-aliases.json against what actually occurs:
 *
 *   npx tsx src/server/modules/vulnerabilities/matching/names/list-vendors.ts \
 *     ../shared/data/cisagov-CSAF/csaf_files/OT/white [--unmapped]
 *
 * Columns: branches, raw string, mechanical key, canonical keys. `--unmapped` prints only the
 * strings that the alias table does not name (their key is the mechanical one).
 */
import fs from 'node:fs'
import path from 'node:path'
import { flattenProductTree } from '../csaf/product-tree.ts'
import { mechanicalVendorKey, vendorAliases, vendorKeys } from './normalise.ts'

function* jsonFiles(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* jsonFiles(full)
    else if (entry.name.endsWith('.json') && !entry.name.includes('feed')) yield full
  }
}

/** Vendor strings of the `vendor` branches under `dir`, with how many branches use each. */
export function countVendorStrings(dir: string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const file of jsonFiles(dir)) {
    const tree = flattenProductTree(JSON.parse(fs.readFileSync(file, 'utf8')))
    const seen = new Set<string>()
    for (const leaf of tree.leaves) {
      const vendorStep = leaf.path.find((s) => s.category === 'vendor')
      if (!vendorStep) continue
      // One count per vendor branch, not per leaf under it.
      const id = leaf.path
        .slice(0, leaf.path.indexOf(vendorStep) + 1)
        .map((s) => s.name)
        .join('/')
      if (seen.has(id)) continue
      seen.add(id)
      counts.set(vendorStep.name, (counts.get(vendorStep.name) ?? 0) + 1)
    }
  }
  return counts
}

if (import.meta.filename === path.resolve(process.argv[1] ?? '')) {
  const dir = process.argv[2]
  if (!dir) {
    console.error('usage: list-vendors.ts <folder of CSAF JSON> [--unmapped]')
    process.exit(2)
  }
  const onlyUnmapped = process.argv.includes('--unmapped')
  const aliases = vendorAliases()
  const counts = countVendorStrings(dir)
  const canonical = new Set<string>()
  for (const [raw, count] of [...counts].sort((a, b) => b[1] - a[1])) {
    const mechanical = mechanicalVendorKey(raw)
    const keys = vendorKeys(raw, aliases)
    keys.forEach((k) => canonical.add(k))
    const mapped = keys.length !== 1 || keys[0] !== mechanical
    if (onlyUnmapped && mapped) continue
    console.log(
      `${count}\t${JSON.stringify(raw)}\t${mechanical}\t${keys.join(',') || '(not a vendor)'}`,
    )
  }
  console.log(`${counts.size} distinct vendor strings → ${canonical.size} canonical vendors`)
}
