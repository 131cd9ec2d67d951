import { crashPoint } from '../io/crash-points.js'
import { writeFileAtomic } from '../io/durable.js'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import {
  ENCRYPTED_PACK_FILE,
  FORMAT,
  MANIFEST_FILE,
  PACK_FILE,
  type Manifest,
  type ManifestLicense,
  type ManifestRestricted
} from './manifest.js'

/** The manifest as JSON with a fixed key order (SPEC 4: same store, same bytes but `created`). */
export function serializeManifest(manifest: Manifest): string {
  const ordered = {
    format: manifest.format,
    created: manifest.created,
    tool: { name: manifest.tool.name, version: manifest.tool.version },
    source: { store: manifest.source.store, machine: manifest.source.machine },
    encryption:
      manifest.encryption === null
        ? null
        : { scheme: manifest.encryption.scheme, recipients: [...manifest.encryption.recipients] },
    pack: { file: manifest.pack.file, sha256: manifest.pack.sha256, size: manifest.pack.size },
    licenses: manifest.licenses.map(license => ({
      jti: license.jti,
      key_id: license.key_id,
      path: license.path,
      sha256: license.sha256,
      size: license.size
    })),
    restricted: manifest.restricted.map(entry => ({
      jti: entry.jti,
      key_id: entry.key_id,
      ...(entry.title === undefined ? {} : { title: entry.title })
    })),
    counts: {
      licenses: manifest.counts.licenses,
      restricted: manifest.counts.restricted,
      bytes: manifest.counts.bytes
    }
  }
  return JSON.stringify(ordered, null, 2) + '\n'
}

/**
 * Writes `manifest.json` into `dir` as the commit record: a temp file, fsync, rename over the name,
 * fsync of the directory. Written last, so a folder with a manifest holds everything it names.
 */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), serializeManifest(manifest), {
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

function stringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(item => typeof item === 'string')
}

function isSha256(value: unknown): boolean {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)
}

function isSize(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
