import { crashPoint } from '../io/crash-points.js'
import { writeFileAtomic } from '../io/durable.js'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { compileGlob } from '../store/glob.js'
import {
  ENCRYPTED_PACK_FILE,
  FORMAT,
  MANIFEST_FILE,
  PACK_FILE,
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
 * Parses and checks a manifest's shape (types, format, pack name, counts agreeing with the lists).
 * Throws BACKUP_CORRUPT naming `file`. Restore adds its own checks of paths and caps on top.
 */
export function parseManifest(text: string, file: string): Manifest {
  const corrupt = (problem: string): LicenseBackupError =>
    new LicenseBackupError('BACKUP_CORRUPT', `${file} is not a valid license-backup manifest: ${problem}.`, {
      file
    })
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw corrupt('it is not JSON')
  }
  if (!isObject(value)) throw corrupt('it is not a JSON object')
  if (value['format'] !== FORMAT)
    throw corrupt(`its format is ${JSON.stringify(value['format'])}, not ${FORMAT}`)
  if (typeof value['created'] !== 'string') throw corrupt('created is missing')
  const tool = value['tool']
  if (!isObject(tool) || typeof tool['name'] !== 'string' || typeof tool['version'] !== 'string')
    throw corrupt('tool is malformed')
  const source = value['source']
  if (
    !isObject(source) ||
    typeof source['store'] !== 'string' ||
    !(source['machine'] === null || typeof source['machine'] === 'string')
  ) {
    throw corrupt('source is malformed')
  }
  const pattern = value['pattern']
  if (pattern !== undefined && !isPattern(pattern)) throw corrupt('pattern is not a store pattern')
  const encryption = value['encryption']
  if (encryption !== null) {
    if (!isObject(encryption) || encryption['scheme'] !== 'age' || !stringArray(encryption['recipients'])) {
      throw corrupt('encryption is malformed')
    }
  }
  const pack = value['pack']
  const expectedPack = encryption === null ? PACK_FILE : ENCRYPTED_PACK_FILE
  if (
    !isObject(pack) ||
    pack['file'] !== expectedPack ||
    !isSha256(pack['sha256']) ||
    !isSize(pack['size'])
  ) {
    throw corrupt(`pack is malformed (it must name ${expectedPack} with its sha256 and size)`)
  }
  const licenses = value['licenses']
  if (!Array.isArray(licenses)) throw corrupt('licenses is not a list')
  licenses.forEach((license: unknown, index) => {
    if (
      !isObject(license) ||
      typeof license['jti'] !== 'string' ||
      typeof license['key_id'] !== 'string' ||
      typeof license['path'] !== 'string' ||
      !isSha256(license['sha256']) ||
      !isSize(license['size'])
    ) {
      throw corrupt(`licenses[${index}] is malformed`)
    }
  })
  const restricted = value['restricted']
  if (!Array.isArray(restricted)) throw corrupt('restricted is not a list')
  restricted.forEach((entry: unknown, index) => {
    if (
      !isObject(entry) ||
      typeof entry['jti'] !== 'string' ||
      typeof entry['key_id'] !== 'string' ||
      (entry['title'] !== undefined && typeof entry['title'] !== 'string')
    ) {
      throw corrupt(`restricted[${index}] is malformed`)
    }
  })
  const counts = value['counts']
  if (
    !isObject(counts) ||
    !isSize(counts['licenses']) ||
    !isSize(counts['restricted']) ||
    !isSize(counts['bytes'])
  ) {
    throw corrupt('counts is malformed')
  }
  const typedLicenses = licenses as ManifestLicense[]
  if (counts['licenses'] !== typedLicenses.length)
    throw corrupt('counts.licenses does not match the licenses listed')
  if (counts['restricted'] !== restricted.length)
    throw corrupt('counts.restricted does not match the restricted listed')
  const bytes = typedLicenses.reduce((sum, license) => sum + license.size, 0)
  if (counts['bytes'] !== bytes) throw corrupt('counts.bytes does not match the sizes listed')
  return value as unknown as Manifest & { restricted: ManifestRestricted[] }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isPattern(value: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    compileGlob(value)
    return true
  } catch {
    return false
  }
}

function stringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(item => typeof item === 'string')
}

function isSha256(value: unknown): boolean {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)
}

function isSize(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
