import { crashPoint } from '../io/crash-points.js'
import { writeFileAtomic } from '../io/durable.js'
import { join } from 'node:path'
import { compileGlob } from '../store/glob.js'
import { checkSchema, corruptBackup } from './manifest-schema.js'
import {
  FORMAT,
  MANIFEST_FILE,
  type Manifest,
  type ManifestLicense,
  type ManifestRestricted
} from './manifest.js'

/** The manifest as JSON with a fixed key order (docs/format.md: same store, same bytes but `created`). */
export function serializeManifest(manifest: Manifest): string {
  return [...manifestChunks(manifest)].join('')
}

/** The manifest's text comes out in pieces of about this many characters. */
const CHUNK_CHARS = 64 * 1024

/**
 * The text of `serializeManifest` in pieces, byte for byte `JSON.stringify` of the ordered manifest with
 * an indent of 2 and a final newline, without building that string (25 MB at 100,000 licenses) or the
 * ordered copy of every entry (ADR 0051). A test compares it with `JSON.stringify` itself.
 */
export function* manifestChunks(manifest: Manifest): Generator<string> {
  const head = {
    format: manifest.format,
    created: manifest.created,
    tool: { name: manifest.tool.name, version: manifest.tool.version },
    source: { store: manifest.source.store, machine: manifest.source.machine },
    ...(manifest.pattern === undefined ? {} : { pattern: manifest.pattern }),
    encryption:
      manifest.encryption === null
        ? null
        : { scheme: manifest.encryption.scheme, recipients: [...manifest.encryption.recipients] },
    pack: { file: manifest.pack.file, sha256: manifest.pack.sha256, size: manifest.pack.size }
  }
  // The head object without its closing "\n}"; the lists and counts follow as its further members.
  const headText = JSON.stringify(head, null, 2).slice(0, -2)
  yield* listChunks(`${headText},\n  "licenses": `, manifest.licenses, licenseText)
  yield* listChunks(',\n  "restricted": ', manifest.restricted, restrictedText)
  const counts = {
    licenses: manifest.counts.licenses,
    restricted: manifest.counts.restricted,
    bytes: manifest.counts.bytes
  }
  yield `,\n  "counts": ${indent(JSON.stringify(counts, null, 2))}\n}\n`
}

/** `prefix` and a list one level deep, as `JSON.stringify(…, null, 2)` prints it, in pieces. */
function* listChunks<T>(
  prefix: string,
  entries: readonly T[],
  entryText: (entry: T) => string
): Generator<string> {
  if (entries.length === 0) {
    yield `${prefix}[]`
    return
  }
  let text = `${prefix}[\n`
  for (let i = 0; i < entries.length; i++) {
    text += (i === 0 ? '' : ',\n') + entryText(entries[i]!)
    if (text.length >= CHUNK_CHARS) {
      yield text
      text = ''
    }
  }
  yield `${text}\n  ]`
}

/** A list entry as `JSON.stringify(…, null, 2)` prints it two levels deep. */
function licenseText(license: ManifestLicense): string {
  return (
    `    {\n      "jti": ${JSON.stringify(license.jti)},\n      "key_id": ${JSON.stringify(license.key_id)},` +
    `\n      "path": ${JSON.stringify(license.path)},\n      "sha256": ${JSON.stringify(license.sha256)},` +
    `\n      "size": ${JSON.stringify(license.size)}\n    }`
  )
}

function restrictedText(entry: ManifestRestricted): string {
  const title = entry.title === undefined ? '' : `,\n      "title": ${JSON.stringify(entry.title)}`
  return `    {\n      "jti": ${JSON.stringify(entry.jti)},\n      "key_id": ${JSON.stringify(entry.key_id)}${title}\n    }`
}

/** Indents a pretty-printed value by one level (JSON strings never hold a raw newline). */
function indent(json: string): string {
  return json.replace(/\n/g, '\n  ')
}

/**
 * Writes `manifest.json` into `dir` as the commit record: a temp file, fsync, rename over the name,
 * fsync of the directory. Written last, so a folder with a manifest holds everything it names. The text
 * is streamed to the file in pieces (`manifestChunks`).
 */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), manifestChunks(manifest), {
    crashLabel: 'backup:manifest'
  })
  crashPoint('backup:manifest-written')
}

/**
 * Parses and checks a manifest against the schema's v1 (schema/manifest.schema.json), then what the schema
 * cannot say: the counts agree with the lists, the pattern is a store pattern. Throws BACKUP_CORRUPT naming
 * `file` and the field. Restore adds its own checks of paths and caps on top.
 */
export function parseManifest(text: string, file: string): Manifest {
  const what = `${FORMAT} manifest`
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw corruptBackup(file, what, 'it is not JSON')
  }
  checkSchema(value, 'v1', what, file)
  const manifest = value as Manifest
  if (manifest.pattern !== undefined && !isPattern(manifest.pattern))
    throw corruptBackup(file, what, 'pattern is not a store pattern')
  if (manifest.counts.licenses !== manifest.licenses.length)
    throw corruptBackup(file, what, 'counts.licenses does not match the licenses listed')
  if (manifest.counts.restricted !== manifest.restricted.length)
    throw corruptBackup(file, what, 'counts.restricted does not match the restricted listed')
  const bytes = manifest.licenses.reduce((sum, license) => sum + license.size, 0)
  if (manifest.counts.bytes !== bytes)
    throw corruptBackup(file, what, 'counts.bytes does not match the sizes listed')
  return manifest
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isPattern(value: string): boolean {
  try {
    compileGlob(value)
    return true
  } catch {
    return false
  }
}
