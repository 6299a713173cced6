import fs from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { isSbomWarning, type SbomUploadResult } from '../../common/api/sboms.ts'
import { AppError } from '../../common/errors.ts'
import { createOutput } from '../output.ts'

interface UploadOptions {
  productVersion: string
  organisation?: string
  url?: string
  token?: string
  json?: boolean
}

/** Where the platform is: --url, ISN_URL, PUBLIC_URL, or a local `isn serve`. */
function baseUrl(option: string | undefined): string {
  const url = option ?? process.env.ISN_URL ?? process.env.PUBLIC_URL ?? 'http://localhost:8080'
  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    throw new AppError('validation_failed', `--url must be an http(s) address, got "${url}".`)
  }
  return url.replace(/\/+$/, '')
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new AppError('validation_failed', `Give ${what}.`)
  return value
}

/**
 * Posts an SBOM file to the platform's API with an API token (scope sboms:write), as a build
 * pipeline would. The server validates and stores it; its answer is printed.
 */
async function uploadSbomFile(file: string, options: UploadOptions): Promise<void> {
  const out = createOutput(Boolean(options.json))
  const token = required(
    options.token ?? process.env.ISN_TOKEN,
    'an API token with the sboms:write scope (--token or ISN_TOKEN)',
  )
  const organisation = required(
    options.organisation ?? process.env.ISN_ORGANISATION,
    'the organisation id (--organisation or ISN_ORGANISATION)',
  )
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new AppError(
      code === 'ENOENT' ? 'not_found' : 'validation_failed',
      code === 'ENOENT' ? `No such file: ${file}` : `Cannot read ${file}: ${code ?? String(error)}`,
    )
  }
  const url =
    `${baseUrl(options.url)}/api/v1/organisations/${encodeURIComponent(organisation)}` +
    `/product-versions/${encodeURIComponent(options.productVersion)}/sboms`
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'x-file-name': encodeURIComponent(path.basename(file)),
      },
      body: new Uint8Array(bytes),
    })
  } catch (cause) {
    throw new AppError('service_unavailable', `The platform at ${url} does not answer.`, { cause })
  }
  const payload: unknown = await response.json().catch(() => undefined)
  if (!response.ok) {
    const error = AppError.parse(payload)
    const known = error.code !== 'internal_error' || payload !== undefined
    if (out.json) out.result(payload ?? { status: response.status }, '')
    throw known
      ? error
      : new AppError(
          'internal_error',
          `The platform answered ${response.status} ${response.statusText}.`,
        )
  }
  const result = payload as SbomUploadResult
  const sbom = result.sbom
  const tool = sbom.tools[0]
  const warnings = sbom.notes.filter(isSbomWarning)
  const others = sbom.notes.length - warnings.length
  out.result(result, [
    result.message,
    `  id ${sbom.id}, sha256 ${sbom.sha256}`,
    `  ${sbom.componentCount} components, ${sbom.dependencyCount} dependencies` +
      (tool ? `, made by ${tool.name}${tool.version ? ` ${tool.version}` : ''}` : ''),
    // Warnings (schema deviations the platform accepted) one per line: the pipeline's owner
    // should fix the generator; the other notes are only counted.
    ...warnings.map((w) => `  warning: ${w.message}`),
    ...(others > 0 ? [`  ${others} note${others === 1 ? '' : 's'} from the parser`] : []),
  ])
}

export function registerSbom(program: Command): void {
  const sbom = program.command('sbom').description('SBOMs of product versions')
  sbom
    .command('upload <file>')
    .description(
      'upload a CycloneDX 1.4–1.6 or SPDX 2.2/2.3 JSON SBOM to a product version through the API (API token with sboms:write)',
    )
    .requiredOption('--product-version <id>', 'the product version the SBOM describes')
    .option('--organisation <id>', 'the manufacturer organisation (or ISN_ORGANISATION)')
    .option(
      '--url <url>',
      'the platform address (or ISN_URL; default PUBLIC_URL or localhost:8080)',
    )
    .option('--token <token>', 'an API token with the sboms:write scope (or ISN_TOKEN)')
    .option('--json', 'print the server’s answer as JSON')
    .action(uploadSbomFile)
}
