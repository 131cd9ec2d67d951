import { access } from 'node:fs/promises'
import { join } from 'node:path'
import {
  InputFileError,
  LicenseBackupError,
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  readInputFile,
  SIGNATURE_FILE
} from '../engine/index.js'
import { jsonLine, plain, type Output } from './output.js'

/** What `inspect` shows of a backup: its manifest's head, read without opening the pack. */
export interface BackupSummary {
  path: string
  format: string
  created: string
  ageSeconds: number
  origin: Record<string, string>
  licenses: number
  restricted: number
  encrypted: boolean
  pack: string
  signature: 'present, not checked (verify --signers FILE checks it)' | 'none'
}

type Json = Record<string, unknown>

/**
 * Prints a backup's manifest summary. It checks nothing but the manifest's shape: `verify` is the check;
 * inspecting is for choosing which backup to verify or restore.
 */
export async function inspect(path: string, out: Output, now: number, shown = path): Promise<void> {
  const summary = { ...(await summarise(path, now)), path: shown }
  if (out.json) {
    out.line(jsonLine({ type: 'BACKUP', ...summary }))
    return
  }
  const origin = Object.entries(summary.origin)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')
  for (const line of [
    `path: ${summary.path}`,
    `format: ${summary.format}`,
    `created: ${summary.created} (${ageText(summary.ageSeconds)})`,
    `origin: ${origin || '(none)'}`,
    `licenses: ${summary.licenses}, restricted: ${summary.restricted}`,
    `pack: ${summary.pack}${summary.encrypted ? ' (age-encrypted)' : ''}`,
    `signature: ${summary.signature}`
  ])
    out.line(plain(line))
}

async function summarise(path: string, now: number): Promise<BackupSummary> {
  const file = join(path, MANIFEST_FILE)
  const manifest = await readManifest(file)
  const created = typeof manifest['created'] === 'string' ? manifest['created'] : ''
  const counts = (manifest['counts'] ?? {}) as Json
  const pack = (manifest['pack'] ?? {}) as Json
  const createdAt = Date.parse(created)
  if (typeof manifest['format'] !== 'string' || Number.isNaN(createdAt)) {
    throw corrupt(file, 'it has no `format` or no valid `created`')
  }
  return {
    path,
    format: manifest['format'],
    created,
    ageSeconds: Math.round((now - createdAt) / 1000),
    origin: isOrigin(manifest['origin']) ? manifest['origin'] : {},
    licenses: Number(counts['licenses'] ?? 0),
    restricted: Number(counts['restricted'] ?? 0),
    encrypted: Boolean(manifest['encryption']) || String(pack['file']).endsWith('.age'),
    pack: String(pack['file'] ?? ''),
    signature: (await exists(join(path, SIGNATURE_FILE)))
      ? 'present, not checked (verify --signers FILE checks it)'
      : 'none'
  }
}

async function readManifest(file: string): Promise<Json> {
  let text: string
  try {
    text = await readInputFile(file, { noFollow: true, maxBytes: MAX_MANIFEST_BYTES })
  } catch (error) {
    if (error instanceof InputFileError) {
      throw new LicenseBackupError(
        'CONFIG_INVALID',
        `${file} ${error.reason}: give the folder of a backup.`,
        {
          file
        }
      )
    }
    throw error
  }
  try {
    const value: unknown = JSON.parse(text)
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json
  } catch {
    // reported below
  }
  throw corrupt(file, 'it is not a JSON object')
}

function corrupt(file: string, why: string): LicenseBackupError {
  return new LicenseBackupError('BACKUP_CORRUPT', `${file} is not a backup's manifest: ${why}.`, { file })
}

function isOrigin(value: unknown): value is Record<string, string> {
  return !!value && typeof value === 'object' && Object.values(value).every(v => typeof v === 'string')
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false
  )
}

/** `3d 4h ago`, `5h 2m ago`, `40s ago`: how old a backup is, to a reader. */
export function ageText(seconds: number): string {
  if (seconds < 0) return `${-seconds}s in the future: check this machine's clock`
  return `${duration(seconds)} ago`
}

function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400)
  const hours = Math.floor((seconds % 86_400) / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  if (days) return `${days}d ${hours}h`
  if (hours) return `${hours}h ${minutes}m`
  if (minutes) return `${minutes}m`
  return `${seconds}s`
}
