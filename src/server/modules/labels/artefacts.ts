import type { Label, LabelStatus } from '../../../common/api/labels.ts'
import {
  DEVICE_CLASS_LABELS,
  TIER_LABELS,
  VERIFICATION_STRENGTH_LABELS,
} from '../../../common/framework.ts'

/**
 * A label's artefacts: the QR code to its public page, the embeddable badge and the PDF
 * certificate (docs/registry.md). QR codes and PDFs load their libraries on first use.
 */

/** The public page of a label: what its QR code opens. */
export function labelPageUrl(publicUrl: string, labelId: string): string {
  return `${publicUrl}/registry/${labelId}`
}

const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const

export async function qrSvg(text: string): Promise<string> {
  const QRCode = (await import('qrcode')).default
  return QRCode.toString(text, { ...QR_OPTIONS, type: 'svg' })
}

export async function qrPng(text: string, width = 512): Promise<Buffer> {
  const QRCode = (await import('qrcode')).default
  return QRCode.toBuffer(text, { ...QR_OPTIONS, type: 'png', width })
}

/**
 * Badge colours per status, each with white text at a contrast of at least 4.5:1 (WCAG AA;
 * a test checks it). Suspended is amber, revoked red, expired grey: never green unless active.
 */
export const BADGE_COLOURS: Record<LabelStatus, string> = {
  active: '#1a7f37',
  suspended: '#9a6700',
  revoked: '#cf222e',
  expired: '#57606a',
}
export const BADGE_LABEL_COLOUR = '#24292f'

const STATUS_WORDS: Record<LabelStatus, string> = {
  active: 'active',
  suspended: 'SUSPENDED',
  revoked: 'REVOKED',
  expired: 'EXPIRED',
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  )
}

/** A generous width estimate for 11 px Verdana-like text, so the text never overflows. */
function textWidth(text: string): number {
  let width = 0
  for (const c of text) width += /[A-Z0-9·MW]/.test(c) ? 8 : /[il.,:' ]/.test(c) ? 4 : 6.5
  return Math.ceil(width)
}

/**
 * An embeddable SVG badge in the style of shields.io: "ISN label" and "Tier 2 Verified · active",
 * coloured by the live status, with a title and description for screen readers.
 */
export function badgeSvg(label: Label): string {
  const { record } = label
  const status = label.status
  const left = 'ISN label'
  const right = `Tier ${record.tier} ${TIER_LABELS[record.tier]} · ${STATUS_WORDS[status]}`
  const leftWidth = textWidth(left) + 12
  const rightWidth = textWidth(right) + 12
  const width = leftWidth + rightWidth
  const title = `IIoT Safety Network label: tier ${record.tier} (${TIER_LABELS[record.tier]}), ${status}`
  const desc =
    `${record.product.manufacturer.name} ${record.product.name} ${record.product.version}: ` +
    `${VERIFICATION_STRENGTH_LABELS[record.verificationStrength].toLowerCase()} by ${record.assessor.name}, ` +
    `framework ${record.frameworkVersion}. Status ${status}` +
    (label.statusReason && status !== 'active' ? ` (${label.statusReason})` : '') +
    `. Label ${label.id}.`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-labelledby="isn-badge-title isn-badge-desc">`,
    `<title id="isn-badge-title">${escapeXml(title)}</title>`,
    `<desc id="isn-badge-desc">${escapeXml(desc)}</desc>`,
    `<rect width="${leftWidth}" height="20" rx="3" fill="${BADGE_LABEL_COLOUR}"/>`,
    `<rect x="${leftWidth}" width="${rightWidth}" height="20" rx="3" fill="${BADGE_COLOURS[status]}"/>`,
    `<rect x="${leftWidth}" width="4" height="20" fill="${BADGE_COLOURS[status]}"/>`,
    `<g fill="#ffffff" font-family="Verdana,DejaVu Sans,Geneva,sans-serif" font-size="11" text-rendering="geometricPrecision">`,
    `<text x="${leftWidth / 2}" y="14" text-anchor="middle">${escapeXml(left)}</text>`,
    `<text x="${leftWidth + rightWidth / 2}" y="14" text-anchor="middle">${escapeXml(right)}</text>`,
    `</g>`,
    `</svg>`,
    '',
  ].join('\n')
}

export interface CertificateInput {
  label: Label
  pageUrl: string
  /** When the certificate was made (its status is as of then). */
  now: Date
}

/**
 * The PDF certificate: the record's fields, tier, assessor, verification strength, dates, the
 * status now and where to check it later, the QR code, and the key id and JWS for offline
 * verification.
 */
export async function certificatePdf({ label, pageUrl, now }: CertificateInput): Promise<Buffer> {
  const { PDFDocument, StandardFonts, rgb } = await import('pdf-lib')
  const { record } = label
  const { product } = record
  const doc = await PDFDocument.create()
  doc.setTitle(`Label certificate: ${product.manufacturer.name} ${product.name} ${product.version}`)
  doc.setAuthor('IIoT Safety Network')
  doc.setSubject(`Signed label ${label.id}`)
  doc.setCreationDate(now)
  doc.setModificationDate(now)
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const mono = await doc.embedFont(StandardFonts.Courier)
  const ink = rgb(0.1, 0.1, 0.12)
  const dim = rgb(0.35, 0.37, 0.4)

  // The standard fonts know Windows-1252 only: anything else is shown as "?".
  const printable = (text: string) =>
    /^[\x20-\x7e]*$/.test(text)
      ? text
      : [...text]
          .map((c) => {
            try {
              regular.encodeText(c)
              return c
            } catch {
              return '?'
            }
          })
          .join('')

  const pageSize: [number, number] = [595.28, 841.89]
  const margin = 48
  let page = doc.addPage(pageSize)
  let y = pageSize[1] - margin
  const width = pageSize[0] - 2 * margin

  const ensure = (height: number) => {
    if (y - height < margin) {
      page = doc.addPage(pageSize)
      y = pageSize[1] - margin
    }
  }
  const wrap = (text: string, font: typeof regular, size: number, max: number): string[] => {
    const lines: string[] = []
    let line = ''
    for (const word of text.split(/(\s+)/)) {
      const candidate = line + word
      if (font.widthOfTextAtSize(candidate, size) <= max) {
        line = candidate
        continue
      }
      if (line.trim()) lines.push(line.trimEnd())
      line = word.trimStart()
      // A word wider than the line (the JWS, a long URL): cut it where it fills the line.
      while (font.widthOfTextAtSize(line, size) > max) {
        let low = 1
        let high = line.length - 1
        while (low < high) {
          const mid = Math.ceil((low + high) / 2)
          if (font.widthOfTextAtSize(line.slice(0, mid), size) <= max) low = mid
          else high = mid - 1
        }
        lines.push(line.slice(0, low))
        line = line.slice(low)
      }
    }
    if (line.trim()) lines.push(line.trimEnd())
    return lines
  }
  const text = (value: string, options: { size?: number; font?: typeof regular } = {}) => {
    const size = options.size ?? 10
    const font = options.font ?? regular
    for (const line of wrap(printable(value), font, size, width)) {
      ensure(size + 4)
      page.drawText(line, { x: margin, y: y - size, size, font, color: ink })
      y -= size + 4
    }
  }
  const field = (name: string, value: string) => {
    const size = 9.5
    const lines = wrap(printable(value), regular, size, width - 150)
    ensure(lines.length * (size + 4))
    page.drawText(printable(name), { x: margin, y: y - size, size, font: bold, color: dim })
    for (const line of lines) {
      page.drawText(line, { x: margin + 150, y: y - size, size, font: regular, color: ink })
      y -= size + 3.5
    }
    y -= 1.5
  }

  // Heading and QR code side by side.
  const qr = await doc.embedPng(await qrPng(pageUrl, 300))
  const qrSize = 110
  page.drawImage(qr, {
    x: pageSize[0] - margin - qrSize,
    y: y - qrSize,
    width: qrSize,
    height: qrSize,
  })
  page.drawText('IIoT Safety Network', { x: margin, y: y - 12, size: 12, font: bold, color: dim })
  page.drawText('Security label certificate', {
    x: margin,
    y: y - 40,
    size: 22,
    font: bold,
    color: ink,
  })
  page.drawText(printable(`Tier ${record.tier} - ${TIER_LABELS[record.tier]}`), {
    x: margin,
    y: y - 66,
    size: 14,
    font: bold,
    color: ink,
  })
  page.drawText(printable(`Status on ${now.toISOString().slice(0, 10)}: ${label.status}`), {
    x: margin,
    y: y - 86,
    size: 12,
    font: regular,
    color: ink,
  })
  y -= qrSize + 20

  field('Product', product.name)
  field('Manufacturer', product.manufacturer.name)
  field('Model numbers', product.modelNumbers.join(', ') || '-')
  field('Version', product.version)
  field('Device class', DEVICE_CLASS_LABELS[product.deviceClass])
  field('Tier', `${record.tier} (${TIER_LABELS[record.tier]})`)
  field('Framework version', `${record.frameworkVersion}, profile ${record.profile}`)
  field('Verification strength', VERIFICATION_STRENGTH_LABELS[record.verificationStrength])
  field('Assessor', record.assessor.name)
  field('Issued', record.issuedAt)
  field('Expires', record.expiresAt)
  field('Support period ends', product.supportPeriodEnd)
  field('Updates', product.updateMechanism)
  field('Default passwords', product.defaultPasswordPolicy)
  field('Security contact', product.securityContact)
  field('Disclosure policy', product.disclosurePolicyUrl)
  field('SBOM available', product.sbomAvailable ? 'yes' : 'no')
  if (label.status !== 'active' && label.statusReason) field('Status reason', label.statusReason)
  field('Label id', label.id)
  field('Public page', pageUrl)
  field('Live status', record.statusUrl)
  y -= 6
  text(
    'This certificate shows the status on the day it was made. The live status (active, suspended, revoked or expired) is at the addresses above. To verify offline, check the label below with the network keys (/.well-known/jwks.json) and the signed status lists: isn label verify label.jws --jwks jwks.json --status-list revocation.jwt --status-list suspension.jwt',
    { size: 9 },
  )
  y -= 6
  field('Signing key id (kid)', record.keyId)
  text('Label (compact JWS, EdDSA / Ed25519):', { size: 10, font: bold })
  text(label.jws, { size: 6, font: mono })

  return Buffer.from(await doc.save())
}
