import { lstat, open } from 'node:fs/promises'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { describeOrigin } from '../backup/origin.js'
import { MANIFEST_FILE, type Manifest } from '../format/manifest.js'
import { parseAnyManifest } from '../format/any-manifest.js'
import { SIGNATURE_FILE, type ManifestV2 } from '../format/manifest-v2.js'
import { findSigner, parseAllowedSigners } from '../format/ssh/allowed-signers.js'
import {
  MAX_SIGNATURE_BYTES,
  NAMESPACE,
  fingerprint,
  parseSignature,
  signatureProblem
} from '../format/ssh/sshsig.js'
import { WireError } from '../format/ssh/wire.js'
import type { BackupTrustOptions } from '../api.js'
import type { EventListener } from '../events.js'
import { MAX_MANIFEST_BYTES } from './manifest-bounds.js'
import { checkEntries, readManifestBytes } from './verify-backup.js'
import { message } from '../message.js'
import { warning } from '../events.js'

/** A backup folder's manifest, read once, its shape checked and its trust decided (docs/format.md). */
export type OpenedBackup = {
  path: string
  signer?: string
  origin?: string
  /** Set when `created` lies past now plus CLOCK_SKEW_MS (and `maxAgeMs` is not set): the warning to give. */
  future?: string
  /** Lines of the signers file that ssh-keygen cannot read either, and skips (ADR 0180). */
  skippedSigners?: string[]
} & ({ format: 'v1'; manifest: Manifest } | { format: 'v2'; manifest: ManifestV2 })

/** The warning a restore or verify without `signers` gives once. */
export const NOT_AUTHENTICATED_WARNING = message`The backup is not authenticated: anyone who can change the backup folder can change what is restored. Sign backups with an SSH key and give their allowed signers file as ${option('signers')}.`

/**
 * How far a manifest's `created` may lie ahead of this machine's clock (docs/format.md): two runners'
 * clocks differ by seconds; a backup dated later than that would pass `max-age` for ever.
 */
export const CLOCK_SKEW_MS = 5 * 60_000

/**
 * Reads `manifest.json` (bounded), checks its shape, and, before anything is written or any service is
 * called, its trust: with `signers`, a v2 manifest must carry a signature by a key in that file over its
 * exact bytes; with `maxAgeMs`, it must be neither older nor dated past now plus CLOCK_SKEW_MS (without
 * it, such a date is a warning). Any failing is BACKUP_UNTRUSTED, naming the file and the reason.
 */
export async function openBackup(
  path: string,
  trust: BackupTrustOptions,
  now = Date.now()
): Promise<OpenedBackup> {
  const text = await readManifestBytes(path)
  const file = join(path, MANIFEST_FILE)
  const opened = parse(path, text.toString('utf8'), file)
  checkAge(opened, file, trust, now)
  if (opened.format === 'v2')
    opened.origin = describeOrigin(opened.manifest.origin, opened.manifest.created, now)
  if (trust.signers === undefined) return opened
  if (opened.format === 'v1')
    throw untrusted(
      file,
      `it is a license-backup/v1 backup, which cannot be signed, and signers (${trust.signers}) is set`
    )
  Object.assign(opened, await checkSignature(path, text, trust.signers, now))
  return opened
}

/** `max-age` bounds `created` on both sides: not older than it, not later than now plus the skew. */
function checkAge(opened: OpenedBackup, file: string, trust: BackupTrustOptions, now: number): void {
  const created = Date.parse(opened.manifest.created)
  if (trust.maxAgeMs !== undefined && !(now - created <= trust.maxAgeMs)) {
    throw untrusted(
      file,
      `it was created ${opened.manifest.created}, more than max-age (${Math.round(trust.maxAgeMs / 3_600_000)} hours) ago; an old backup may be a rollback. Restore a newer backup, or raise max-age`
    )
  }
  if (!(created > now + CLOCK_SKEW_MS)) return
  // Named by the parsed time, not the manifest's text: outside text stays out of messages.
  const future = `it was created ${new Date(created).toISOString()}, later than now (${new Date(now).toISOString()}) plus the allowed clock skew (${CLOCK_SKEW_MS / 60_000} minutes)`
  if (trust.maxAgeMs !== undefined)
    throw untrusted(
      file,
      `${future}; a backup dated in the future would pass max-age for ever and may be a rollback. Check the clock of the machine that made it and restore a backup with a true date`
    )
  opened.future = `The backup's ${file} says ${future}: the clock of the machine that made it may be wrong, or the date forged. With max-age such a backup is refused.`
}

function parse(path: string, text: string, file: string): OpenedBackup {
  const parsed = parseAnyManifest(text, file)
  if (parsed.format === 'v1') checkEntries(path, parsed.manifest)
  return { path, ...parsed }
}

/** The file's bytes, refused past `max` (it may grow between the lstat and the read). */
async function readBounded(file: string, max: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const data = await handle.readFile()
    if (data.length > max) throw new RangeError(`${file} is over ${max} bytes`)
    return data
  } finally {
    await handle.close()
  }
}

/** Warnings for unreadable lines of a signers file, at most: one for the rest. */
const MAX_SKIPPED_WARNINGS = 10

/**
 * The principals of the allowed key that signed `manifest` and the signers file's lines skipped, or
 * BACKUP_UNTRUSTED.
 */
async function checkSignature(
  path: string,
  manifest: Buffer,
  signersFile: string,
  now: number
): Promise<{ signer: string; skippedSigners: string[] }> {
  const { signers, skipped } = parseAllowedSigners(await readSigners(signersFile))
  const skippedSigners = skipped
    .slice(0, MAX_SKIPPED_WARNINGS)
    .map(
      ({ line, problem }) =>
        `${signersFile} line ${line} is skipped, as ssh-keygen skips it: ${problem}. Each line is \`principals [options] ssh-ed25519 AAAA…\`.`
    )
  if (skipped.length > MAX_SKIPPED_WARNINGS)
    skippedSigners.push(`${signersFile}: ${skipped.length - MAX_SKIPPED_WARNINGS} more lines are skipped.`)
  const sigFile = join(path, SIGNATURE_FILE)
  const info = await lstat(sigFile).catch(() => undefined)
  if (!info)
    throw untrusted(
      sigFile,
      `the backup is not signed (no ${SIGNATURE_FILE}), and signers (${signersFile}) is set`
    )
  if (!info.isFile() || info.size > MAX_SIGNATURE_BYTES)
    throw untrusted(sigFile, "it is not a regular file of a signature's size")
  let signature
  try {
    signature = parseSignature((await readBounded(sigFile, MAX_SIGNATURE_BYTES)).toString('utf8'))
  } catch (error) {
    if (error instanceof WireError || error instanceof RangeError)
      throw untrusted(sigFile, `it is not a valid SSH signature (${error.message})`)
    throw error
  }
  const found = findSigner(signers, signature.publicBlob, NAMESPACE, now)
  if ('problem' in found)
    throw untrusted(
      sigFile,
      `it is signed by the key ${fingerprint(signature.publicBlob)}, which ${signersFile} does not allow: ${found.problem}${skipped.length > 0 ? ` (${skipped.length} line(s) of it skipped as unreadable: ${skipped.map(s => s.line).join(', ')})` : ''}`
    )
  const problem = signatureProblem(signature, manifest)
  if (problem) throw untrusted(sigFile, problem)
  // The file is read as bytes (latin1); principals are shown as the UTF-8 they were written in.
  return { signer: Buffer.from(found.signer.principals, 'latin1').toString('utf8'), skippedSigners }
}

async function readSigners(file: string): Promise<string> {
  const info = await lstat(file).catch(() => undefined)
  if (!info?.isFile())
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The signers file ${file} is missing or not a regular file; give the path of an allowed_signers file.`,
      { file }
    )
  if (info.size > MAX_MANIFEST_BYTES)
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The signers file ${file} is ${info.size} bytes: too large for an allowed_signers file.`,
      { file }
    )
  return (await readBounded(file, MAX_MANIFEST_BYTES)).toString('latin1')
}

export function untrusted(file: string, reason: string): LicenseBackupError {
  return new LicenseBackupError(
    'BACKUP_UNTRUSTED',
    message`The backup's ${file} is not trusted: ${reason}. Nothing was written and no service was called.`,
    { file }
  )
}

/** Says which backup is being read, where it came from and who signed it; warns once when unsigned. */
export function announceBackup(opened: OpenedBackup, trust: BackupTrustOptions, emit: EventListener): void {
  emit({
    type: 'BACKUP_OPENED',
    path: opened.path,
    format: opened.manifest.format,
    ...(opened.origin ? { origin: opened.origin } : {}),
    ...(opened.signer ? { signer: opened.signer } : {})
  })
  if (trust.signers === undefined) emit(warning(NOT_AUTHENTICATED_WARNING))
  if (opened.future !== undefined) emit(warning(opened.future))
  for (const message of opened.skippedSigners ?? []) emit(warning(message))
}
