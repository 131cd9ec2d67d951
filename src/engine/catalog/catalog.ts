import { extname } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { InputFileError, readInputFile } from '../io/input-file.js'
import { option } from '../options.js'
import { CsvSyntaxError, parseCsv } from './csv.js'
import { message } from '../message.js'

/** Key ID → title (docs/format.md). */
export type Catalog = ReadonlyMap<string, string>

/**
 * Loads a catalog: CSV (`key_id,title[,...]`, header row) or JSON (`{key_id: title}` or
 * `[{key_id, title}]`), chosen by the file's extension, else by its first character. A bad row is
 * CONFIG_INVALID naming the file and line.
 */
export async function loadCatalog(file: string): Promise<Catalog> {
  let text: string
  try {
    text = await readInputFile(file)
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The catalog ${file} ${error.reason}; check ${option('catalog')}.`,
      { file, cause: error }
    )
  }
  return parseCatalog(text, file)
}

export function parseCatalog(text: string, file: string): Catalog {
  const extension = extname(file).toLowerCase()
  const json = extension === '.json' || (extension !== '.csv' && /^\uFEFF?\s*[[{]/.test(text))
  return json ? parseJsonCatalog(text, file) : parseCsvCatalog(text, file)
}

function parseCsvCatalog(text: string, file: string): Catalog {
  let records
  try {
    records = parseCsv(text)
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw bad(file, error.line, error.message)
    throw error
  }
  const [header, ...rows] = records
  if (!header) throw bad(file, 1, 'the file is empty; the first line must be the header "key_id,title"')
  const [first, second] = header.fields.map(field => field.trim().toLowerCase())
  if (first !== 'key_id' || second !== 'title') {
    throw bad(file, header.line, 'the header row must start with "key_id,title"')
  }
  const catalog = new Map<string, string>()
  const lines = new Map<string, number>()
  for (const row of rows) {
    const [keyId, title] = row.fields
    if (title === undefined) throw bad(file, row.line, 'the row has no title column')
    if (keyId === undefined || keyId.trim() === '') throw bad(file, row.line, 'the key_id is empty')
    add(catalog, lines, keyId.trim(), title.trim(), file, `line ${row.line}`, row.line)
  }
  return catalog
}

function parseJsonCatalog(text: string, file: string): Catalog {
  let value: unknown
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw bad(file, jsonErrorLine(text, error), `it is not valid JSON (${(error as Error).message})`)
  }
  const catalog = new Map<string, string>()
  const seen = new Map<string, number>()
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const where = `item ${index + 1}`
      const keyId = (item as { key_id?: unknown } | null)?.key_id
      const title = (item as { title?: unknown } | null)?.title
      if (typeof keyId !== 'string' || keyId.trim() === '' || typeof title !== 'string') {
        throw badAt(
          file,
          `${where}${lineHint(text, keyId)}`,
          'each item must be {"key_id": "...", "title": "..."} with strings'
        )
      }
      add(catalog, seen, keyId.trim(), title.trim(), file, where, index + 1)
    })
    return catalog
  }
  if (typeof value === 'object' && value !== null) {
    for (const [keyId, title] of Object.entries(value)) {
      const where = `key ${JSON.stringify(keyId)}${lineHint(text, keyId)}`
      if (typeof title !== 'string' || keyId.trim() === '')
        throw badAt(file, where, 'each value must be a title string')
      add(catalog, seen, keyId.trim(), title.trim(), file, where, 0)
    }
    return catalog
  }
  throw badAt(file, 'line 1', 'it must be an object {key_id: title} or an array of {key_id, title}')
}

function add(
  catalog: Map<string, string>,
  seen: Map<string, number>,
  keyId: string,
  title: string,
  file: string,
  where: string,
  position: number
): void {
  const existing = catalog.get(keyId)
  if (existing !== undefined && existing !== title) {
    throw badAt(
      file,
      where,
      `key ID ${keyId} already has the title ${JSON.stringify(existing)} (${describeFirst(seen.get(keyId))}); keep one`
    )
  }
  catalog.set(keyId, title)
  if (!seen.has(keyId)) seen.set(keyId, position)
}

function describeFirst(position: number | undefined): string {
  return position ? `first given at line/item ${position}` : 'given earlier'
}

/** The line of the first occurrence of a JSON string value, for messages about JSON items. */
function lineHint(text: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') return ''
  const at = text.indexOf(JSON.stringify(value))
  return at < 0 ? '' : ` (line ${lineOf(text, at)})`
}

function jsonErrorLine(text: string, error: unknown): number {
  const message = (error as Error).message
  const lineMatch = /line (\d+)/.exec(message)
  if (lineMatch) return Number(lineMatch[1])
  const positionMatch = /position (\d+)/.exec(message)
  return positionMatch ? lineOf(text, Number(positionMatch[1])) : 1
}

function lineOf(text: string, index: number): number {
  let line = 1
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

function bad(file: string, line: number, problem: string): LicenseBackupError {
  return badAt(file, `line ${line}`, problem)
}

function badAt(file: string, where: string, problem: string): LicenseBackupError {
  return new LicenseBackupError(
    'CONFIG_INVALID',
    message`The catalog ${file}, ${where}: ${problem}. Fix the catalog or remove ${option('catalog')}.`,
    {
      file
    }
  )
}
