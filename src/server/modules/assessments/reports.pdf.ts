import { EventEmitter } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Font as FontkitFont } from 'fontkit'
import type { PDFDocument, PDFFont, PDFPage, RGB } from 'pdf-lib'

/**
 * A small flowing-text PDF writer for the assessment reports (docs/assessments.md, Reports):
 * headings, wrapped paragraphs and label/value fields over as many A4 pages as the text needs,
 * with a header (the report and product) and a footer (generated time, page n of N) on each page.
 *
 * Text is user text and is only ever drawn, never interpreted. The standard PDF fonts know
 * Windows-1252 only, so the writer embeds Unicode fonts (subset to the glyphs used) from npm
 * packages: DejaVu Sans for Latin, Greek, Cyrillic, Hebrew, Arabic and most symbols; Noto Sans SC
 * for Chinese and Japanese kana; Noto Emoji for emoji — the last two only when the text needs
 * them. A character none of them has (Korean Hangul, for one) is drawn as U+FFFD (�); control
 * characters become spaces; invisible joiners and variation selectors are dropped.
 */

const require = createRequire(import.meta.url)

/**
 * fontkit 2 (upstream), not the @pdf-lib/fontkit fork: the fork's subsets lose glyphs of
 * TrueType fonts such as Noto Sans SC (a short `loca` table without padding) and break CID-keyed
 * CFF fonts, which upstream fixed in 1.8 and 1.9 (pdf-lib issue 1232). pdf-lib reads a subset as
 * a stream of chunks (fontkit 1); fontkit 2 encodes it at once, so the subset is adapted.
 */
async function loadFontkit() {
  return import('fontkit')
}

function withStreamedSubsets(font: FontkitFont): FontkitFont {
  return new Proxy(font, {
    get(target, property) {
      if (property === 'createSubset') {
        return () => {
          const subset = target.createSubset()
          return Object.assign(subset, {
            encodeStream() {
              const stream = new EventEmitter()
              setImmediate(() => {
                try {
                  stream.emit('data', subset.encode())
                  stream.emit('end')
                } catch (error) {
                  stream.emit('error', error)
                }
              })
              return stream
            },
          })
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
}

type FaceName = 'regular' | 'bold' | 'cjk' | 'emoji'

const FACE_FILES: Record<FaceName, string> = {
  regular: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  bold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  cjk: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  emoji: '@expo-google-fonts/noto-emoji/400Regular/NotoEmoji_400Regular.ttf',
}

interface Face {
  bytes: Uint8Array
  /** The parsed font, shared by every report of the process (pdf-lib subsets it per document). */
  font: FontkitFont
  has(codePoint: number): boolean
}

/**
 * OpenType features off: pdf-lib runs every string it draws through fontkit's layout, and the
 * reports need neither ligatures nor kerning (pdf-lib writes no glyph positions anyway), so the
 * substitution and positioning lookups are skipped. Scripts that need shaping, such as Arabic,
 * come out in their isolated letter forms.
 */
const NO_SHAPING = Object.fromEntries(
  ['ccmp', 'locl', 'rlig', 'mark', 'mkmk', 'calt', 'clig', 'liga', 'rclt', 'curs', 'kern'].map(
    (feature) => [feature, false],
  ),
)

/** Font files are read and parsed once per process, and only when first needed. */
const faces = new Map<FaceName, Promise<Face>>()

function loadFace(name: FaceName): Promise<Face> {
  let face = faces.get(name)
  if (!face) {
    face = (async () => {
      const fontkit = await loadFontkit()
      const bytes = await readFile(require.resolve(FACE_FILES[name]))
      const font = withStreamedSubsets(fontkit.create(bytes) as FontkitFont)
      const known = new Map<number, boolean>()
      return {
        bytes,
        font,
        has(codePoint: number) {
          let value = known.get(codePoint)
          if (value === undefined) {
            value = font.hasGlyphForCodePoint(codePoint)
            known.set(codePoint, value)
          }
          return value
        },
      }
    })()
    faces.set(name, face)
    // A failed load is not remembered: the next report tries again.
    face.catch(() => faces.delete(name))
  }
  return face
}

const REPLACEMENT = '\uFFFD'
/** Zero-width joiners and variation selectors: meaningful only to emoji shaping we do not do. */
// eslint-disable-next-line no-misleading-character-class -- each is removed on its own, on purpose
const DROPPED = /[\u200B-\u200D\u2060\uFE00-\uFE0F\u{E0020}-\u{E007F}]/gu
// eslint-disable-next-line no-control-regex -- control characters are what is replaced
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/g
/** Characters a line may break before or after: CJK scripts and emoji have no spaces. */
const WIDE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Extended_Pictographic}]/u

/** Prepares user text for drawing: one line per paragraph, tabs and controls as spaces. */
export function cleanText(text: string): string {
  return text.replace(DROPPED, '').replace(/\t/g, '    ').replace(CONTROL, ' ')
}

export type Colour = 'ink' | 'dim' | 'accent' | 'good' | 'bad'
const COLOURS: Record<Colour, [number, number, number]> = {
  ink: [0.1, 0.1, 0.12],
  dim: [0.36, 0.38, 0.42],
  accent: [0.09, 0.3, 0.6],
  good: [0.1, 0.45, 0.22],
  bad: [0.7, 0.13, 0.15],
}

export interface TextStyle {
  size?: number
  bold?: boolean
  colour?: Colour
  /** Left indent from the margin, in points. */
  indent?: number
  /** Extra space after the paragraph, in points. */
  after?: number
}

interface Run {
  text: string
  font: PDFFont
}

const PAGE: [number, number] = [595.28, 841.89]
const MARGIN = 50
const TOP = PAGE[1] - MARGIN - 18
const BOTTOM = MARGIN + 18
const WIDTH = PAGE[0] - 2 * MARGIN

export interface ReportPdfOptions {
  /** Document title (metadata) and the header's left part. */
  title: string
  /** The header's right part, e.g. the product and version. */
  subject: string
  generatedAt: Date
  /** All the text the report will draw (any order): decides which fallback fonts to embed. */
  sample: string
}

/** Flowing text over A4 pages; `save()` adds the headers and footers and returns the PDF. */
export class ReportPdf {
  private page: PDFPage
  private y = TOP
  private readonly fonts: Partial<Record<FaceName, PDFFont>>
  private readonly coverage: Partial<Record<FaceName, Face>>
  private readonly charWidths = new Map<PDFFont, Map<string, number>>()

  private constructor(
    private readonly doc: PDFDocument,
    faceList: { name: FaceName; face: Face; font: PDFFont }[],
    private readonly options: ReportPdfOptions,
    private readonly rgb: (r: number, g: number, b: number) => RGB,
  ) {
    this.fonts = Object.fromEntries(faceList.map((f) => [f.name, f.font]))
    this.coverage = Object.fromEntries(faceList.map((f) => [f.name, f.face]))
    this.page = doc.addPage(PAGE)
  }

  static async create(options: ReportPdfOptions): Promise<ReportPdf> {
    const { PDFDocument, rgb } = await import('pdf-lib')
    const doc = await PDFDocument.create()
    // The fonts parsed once per process are handed to pdf-lib instead of parsing them again.
    const parsed = new Map<Uint8Array, FontkitFont>()
    doc.registerFontkit({
      create: (bytes: Uint8Array) => {
        const font = parsed.get(bytes)
        if (!font) throw new Error('Only the report fonts are embedded')
        return font
      },
    } as unknown as Parameters<PDFDocument['registerFontkit']>[0])
    doc.setTitle(cleanText(options.title))
    doc.setSubject(cleanText(options.subject))
    doc.setAuthor('IIoT Safety Network')
    doc.setCreator('IIoT Safety Network')
    doc.setProducer('IIoT Safety Network (pdf-lib)')
    doc.setCreationDate(options.generatedAt)
    doc.setModificationDate(options.generatedAt)
    const [regular, bold] = await Promise.all([loadFace('regular'), loadFace('bold')])
    const list: { name: FaceName; face: Face }[] = [
      { name: 'regular', face: regular },
      { name: 'bold', face: bold },
    ]
    // Fallback fonts only when some character of the report needs them.
    const missing = new Set<number>()
    for (const c of cleanText(options.sample)) {
      const cp = c.codePointAt(0) ?? 0
      if (cp > 0x7e && !regular.has(cp)) missing.add(cp)
    }
    for (const name of ['cjk', 'emoji'] as const) {
      if (missing.size === 0) break
      const face = await loadFace(name)
      const covered = [...missing].filter((cp) => face.has(cp))
      if (covered.length === 0) continue
      for (const cp of covered) missing.delete(cp)
      list.push({ name, face })
    }
    for (const { face } of list) parsed.set(face.bytes, face.font)
    const embedded = await Promise.all(
      list.map(async ({ name, face }) => ({
        name,
        face,
        font: await doc.embedFont(face.bytes, { subset: true, features: NO_SHAPING }),
      })),
    )
    return new ReportPdf(doc, embedded, options, rgb)
  }

  /** The runs of one line of text, each in a font that has its characters. */
  private runs(text: string, bold: boolean): Run[] {
    const main: FaceName = bold ? 'bold' : 'regular'
    const runs: Run[] = []
    for (const c of text) {
      const cp = c.codePointAt(0) ?? 0
      let name: FaceName | undefined = this.coverage[main]?.has(cp) ? main : undefined
      name ??= (['regular', 'cjk', 'emoji'] as const).find((n) => this.coverage[n]?.has(cp))
      const font = this.fonts[name ?? main]!
      const char = name ? c : REPLACEMENT
      const last = runs.at(-1)
      if (last && last.font === font) last.text += char
      else runs.push({ text: char, font })
    }
    return runs
  }

  /**
   * Text width as the sum of its characters' advance widths, each measured once per font: the
   * content stream carries glyphs without kerning, so this is what is drawn, and measuring whole
   * strings through the font's shaping for every candidate line would be far slower.
   */
  private widthOf(text: string, size: number, bold: boolean): number {
    let width = 0
    for (const run of this.runs(text, bold)) {
      let widths = this.charWidths.get(run.font)
      if (!widths) {
        widths = new Map()
        this.charWidths.set(run.font, widths)
      }
      for (const c of run.text) {
        let w = widths.get(c)
        if (w === undefined) {
          w = run.font.widthOfTextAtSize(c, 1000)
          widths.set(c, w)
        }
        width += w
      }
    }
    return (width * size) / 1000
  }

  private drawLine(
    page: PDFPage,
    text: string,
    x: number,
    y: number,
    size: number,
    bold: boolean,
    colour: Colour,
  ) {
    const color = this.rgb(...COLOURS[colour])
    for (const run of this.runs(text, bold)) {
      page.drawText(run.text, { x, y, size, font: run.font, color })
      x += this.widthOf(run.text, size, bold)
    }
  }

  /** Breaks text into lines no wider than `max`: at spaces, around CJK and emoji, else anywhere. */
  wrap(text: string, size: number, bold: boolean, max: number): string[] {
    const lines: string[] = []
    for (const paragraph of cleanText(text).split(/\r\n|\r|\n/)) {
      const tokens = paragraph
        .split(/(\s+)/)
        .flatMap((token) =>
          WIDE.test(token) ? token.split(new RegExp(`(${WIDE.source})`, 'u')) : [token],
        )
        .filter((token) => token !== '')
      let line = ''
      let width = 0
      for (const token of tokens) {
        const tokenWidth = this.widthOf(token, size, bold)
        if (width + tokenWidth <= max) {
          line += token
          width += tokenWidth
          continue
        }
        if (line.trim()) lines.push(line.trimEnd())
        line = token.trimStart()
        width = this.widthOf(line, size, bold)
        // A token wider than the line (a long URL, a hash): cut it where it fills the line.
        while (width > max) {
          const chars = [...line]
          let low = 1
          let high = chars.length - 1
          while (low < high) {
            const mid = Math.ceil((low + high) / 2)
            if (this.widthOf(chars.slice(0, mid).join(''), size, bold) <= max) low = mid
            else high = mid - 1
          }
          lines.push(chars.slice(0, low).join(''))
          line = chars.slice(low).join('')
          width = this.widthOf(line, size, bold)
        }
      }
      lines.push(line.trimEnd())
    }
    return lines
  }

  /** Starts a new page unless `height` points still fit on this one. */
  ensure(height: number): void {
    if (this.y - height < BOTTOM) this.newPage()
  }

  newPage(): void {
    this.page = this.doc.addPage(PAGE)
    this.y = TOP
  }

  space(points: number): void {
    this.y -= points
    if (this.y < BOTTOM) this.newPage()
  }

  /** A wrapped paragraph; newlines in the text start new lines. */
  paragraph(text: string, style: TextStyle = {}): void {
    const size = style.size ?? 9.5
    const bold = style.bold ?? false
    const indent = style.indent ?? 0
    const leading = size * 1.35
    for (const line of this.wrap(text, size, bold, WIDTH - indent)) {
      this.ensure(leading)
      this.drawLine(
        this.page,
        line,
        MARGIN + indent,
        this.y - size,
        size,
        bold,
        style.colour ?? 'ink',
      )
      this.y -= leading
    }
    this.y -= style.after ?? 3
  }

  /** A heading kept on the same page as at least `keep` points of what follows it. */
  heading(text: string, level: 1 | 2 | 3, keep = 40): void {
    const size = level === 1 ? 17 : level === 2 ? 13 : 10.5
    this.space(level === 1 ? 6 : level === 2 ? 8 : 4)
    const lines = this.wrap(text, size, true, WIDTH)
    this.ensure(lines.length * size * 1.3 + keep)
    this.paragraph(text, {
      size,
      bold: true,
      colour: level === 3 ? 'ink' : 'accent',
      after: level === 1 ? 6 : 3,
    })
  }

  /** A label and its value side by side; the value wraps in its own column. */
  field(
    name: string,
    value: string,
    style: { colour?: Colour; indent?: number; labelWidth?: number } = {},
  ): void {
    const size = 9
    const leading = size * 1.35
    const indent = style.indent ?? 0
    const labelWidth = style.labelWidth ?? 130
    const nameLines = this.wrap(name, size, true, labelWidth - 8)
    const valueLines = this.wrap(value || '—', size, false, WIDTH - indent - labelWidth)
    const rows = Math.max(nameLines.length, valueLines.length)
    // Short fields stay whole; long values may continue on the next page.
    this.ensure(Math.min(rows, 4) * leading)
    for (let i = 0; i < rows; i++) {
      this.ensure(leading)
      const y = this.y - size
      const label = nameLines[i]
      if (label) this.drawLine(this.page, label, MARGIN + indent, y, size, true, 'dim')
      const line = valueLines[i]
      if (line !== undefined) {
        this.drawLine(
          this.page,
          line,
          MARGIN + indent + labelWidth,
          y,
          size,
          false,
          style.colour ?? 'ink',
        )
      }
      this.y -= leading
    }
    this.y -= 1.5
  }

  rule(): void {
    this.ensure(8)
    this.page.drawLine({
      start: { x: MARGIN, y: this.y - 3 },
      end: { x: PAGE[0] - MARGIN, y: this.y - 3 },
      thickness: 0.5,
      color: this.rgb(0.8, 0.81, 0.83),
    })
    this.y -= 8
  }

  /** Cuts text to fit `max` points, ending with an ellipsis when cut. */
  private fit(text: string, size: number, bold: boolean, max: number): string {
    const clean = cleanText(text).replace(/\s+/g, ' ')
    if (this.widthOf(clean, size, bold) <= max) return clean
    const chars = [...clean]
    while (chars.length > 0 && this.widthOf(`${chars.join('')}…`, size, bold) > max) chars.pop()
    return `${chars.join('')}…`
  }

  /** Adds the header and footer to every page and returns the document. */
  async save(): Promise<Buffer> {
    const pages = this.doc.getPages()
    const size = 7.5
    const generated = `Generated ${this.options.generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z')} · IIoT Safety Network`
    pages.forEach((page, i) => {
      const headerY = PAGE[1] - MARGIN + 4
      const title = this.fit(this.options.title, size, true, WIDTH / 2 - 8)
      this.drawLine(page, title, MARGIN, headerY, size, true, 'dim')
      const subject = this.fit(this.options.subject, size, false, WIDTH / 2 - 8)
      const subjectWidth = this.widthOf(subject, size, false)
      this.drawLine(page, subject, PAGE[0] - MARGIN - subjectWidth, headerY, size, false, 'dim')
      page.drawLine({
        start: { x: MARGIN, y: headerY - 4 },
        end: { x: PAGE[0] - MARGIN, y: headerY - 4 },
        thickness: 0.5,
        color: this.rgb(0.8, 0.81, 0.83),
      })
      const footerY = MARGIN - 12
      this.drawLine(page, generated, MARGIN, footerY, size, false, 'dim')
      const number = `Page ${i + 1} of ${pages.length}`
      const numberWidth = this.widthOf(number, size, false)
      this.drawLine(page, number, PAGE[0] - MARGIN - numberWidth, footerY, size, false, 'dim')
    })
    return Buffer.from(await this.doc.save())
  }
}
