import { randomBytes } from 'node:crypto'
import { basename, dirname, join } from 'node:path'
import { asEngineError, LicenseBackupError } from '../errors.js'
import { turnOn } from '../options.js'
import { parseAnyManifest } from '../format/any-manifest.js'
import { PACK_FILES_V2, SIGNATURE_FILE } from '../format/manifest-v2.js'
import { crashPoint } from '../io/crash-points.js'
import { fsyncDir } from '../io/durable.js'
import { fileIO, type FileHandleIO } from '../io/file-io.js'
import { ENCRYPTED_PACK_FILE, MANIFEST_FILE, PACK_FILE } from '../format/manifest.js'
import { message } from '../message.js'

/**
 * The backup folder on disk (ADR 0010): built beside the target as `<path>.lb-new-<id>`, swapped in by
 * renames, the old one parked as `<path>.lb-old-<id>` and removed.
 */
const NEW_MARK = '.lb-new-'
const OLD_MARK = '.lb-old-'

/** What is at the backup path now. */
export type Target =
  | { kind: 'absent' }
  /**
   * Not a backup, but replaceable: an empty folder, or (with overwrite) a damaged backup of ours: nothing
   * but a backup's file names, and a manifest that starts with our format line (ADRs 0067, 0177).
   */
  | { kind: 'replaceable' }
  | { kind: 'backup' }

/** The names a backup folder holds: the only ones `overwrite` may replace without a valid manifest. */
const BACKUP_NAMES = new Set([
  MANIFEST_FILE,
  PACK_FILE,
  ENCRYPTED_PACK_FILE,
  SIGNATURE_FILE,
  ...PACK_FILES_V2
])

/**
 * Judges the backup path (docs/reliability.md, "What a backup path holds"): only a folder whose manifest is
 * a valid license-backup manifest is a backup. An empty folder may be used. Any other folder is
 * CONFIG_INVALID naming what it holds, unless `overwrite` is on and it is a damaged backup of ours
 * (`isDamagedBackup`); anything else is never replaced, so `path: .` cannot wipe a workspace.
 */
export async function inspectTarget(path: string, overwrite = false): Promise<Target> {
  let info
  try {
    info = await fileIO().lstat(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' }
    throw ioError(path, error)
  }
  if (info.isSymbolicLink()) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The backup path ${path} is a symbolic link; give the real folder's path.`,
      { file: path }
    )
  }
  if (!info.isDirectory()) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The backup path ${path} is a file, not a folder; choose a folder path.`,
      { file: path }
    )
  }
  if (await hasValidManifest(path)) return { kind: 'backup' }
  const names = (await fileIO().readdir(path)).sort()
  if (names.length === 0) return { kind: 'replaceable' }
  const ours = names.includes(MANIFEST_FILE) && (await startsAsOurManifest(path))
  const damaged = ours && names.every(name => BACKUP_NAMES.has(name))
  if (overwrite && damaged) return { kind: 'replaceable' }
  throw notABackup(path, names, ours, damaged)
}

/** A manifest of ours starts so, whatever follows: JSON.stringify(…, null, 2) puts `format` first. */
const OUR_FORMAT_LINE = /^\{\s*"format"\s*:\s*"license-backup\/v\d+(\.\d+)?"/
/** Enough of the file's head to hold its format line. */
const FORMAT_LINE_BYTES = 64

/**
 * Whether `manifest.json` is one of ours, even cut short or unreadable past its format line: a regular
 * file that starts with `{` and a `format` of `license-backup/v<N>` or `v<N>.<M>`. A JSON file of anything else (a web
 * app's manifest) is not, so its folder is foreign and never replaced (ADR 0177).
 */
async function startsAsOurManifest(path: string): Promise<boolean> {
  const file = join(path, MANIFEST_FILE)
  try {
    if (!(await fileIO().lstat(file)).isFile()) return false
    const handle = await fileIO().open(file, 'r')
    try {
      return OUR_FORMAT_LINE.test(await readText(handle, 0, FORMAT_LINE_BYTES))
    } finally {
      await handle.close()
    }
  } catch {
    return false
  }
}

function notABackup(path: string, names: string[], ours: boolean, damaged: boolean): LicenseBackupError {
  const listed = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} in all)` : '')
  const why = !names.includes(MANIFEST_FILE)
    ? `it has no ${MANIFEST_FILE}`
    : ours
      ? `its ${MANIFEST_FILE} is a license-backup manifest that is damaged (cut short or unreadable past its format line)`
      : `its ${MANIFEST_FILE} is not a license-backup manifest`
  const fix = damaged
    ? message`if it is a damaged backup you want replaced, ${turnOn('overwrite')}; else choose an empty or new folder`
    : 'choose an empty or new folder, so nothing of yours is replaced'
  return new LicenseBackupError(
    'CONFIG_INVALID',
    message`The backup path ${path} is a folder that is not a backup (${why}); it holds ${listed}. Nothing was written: ${fix}.`,
    { file: path }
  )
}

/** A manifest up to this size is parsed and checked in full; a larger one is judged by `looksComplete`. */
const FULL_CHECK_BYTES = 1024 * 1024
/** What `looksComplete` reads of a large manifest: its head (format, encryption, pack) and its tail. */
const HEAD_BYTES = 64 * 1024
const TAIL_BYTES = 1024

/**
 * Whether `path` holds a backup: a manifest that parses and checks (`parseManifest`). Deciding that a
 * backup exists must not cost memory in proportion to it (ADR 0051): a manifest over FULL_CHECK_BYTES
 * (about 5,000 licenses) is judged from bounded reads instead, by `looksComplete`.
 */
export async function hasValidManifest(path: string): Promise<boolean> {
  const file = join(path, MANIFEST_FILE)
  try {
    const info = await fileIO().stat(file)
    if (!info.isFile()) return false
    if (info.size > FULL_CHECK_BYTES) return await looksComplete(path, info.size)
    parseAnyManifest(await fileIO().readFile(file, 'utf8'), file)
    return true
  } catch {
    return false
  }
}

const HEAD =
  /^\s*\{\s*"format"\s*:\s*"license-backup\/v1"\s*,[^]*?"pack"\s*:\s*\{\s*"file"\s*:\s*"(licenses\.tar(?:\.age)?)"\s*,\s*"sha256"\s*:\s*"[0-9a-f]{64}"\s*,\s*"size"\s*:\s*(\d+)\s*\}\s*,\s*"licenses"\s*:\s*\[/
const TAIL =
  /"counts"\s*:\s*\{\s*"licenses"\s*:\s*\d+\s*,\s*"restricted"\s*:\s*\d+\s*,\s*"bytes"\s*:\s*\d+\s*\}\s*\}\s*$/

/**
 * A large manifest is a backup's when its head says license-backup/v1 and names a pack with its digest
 * and size, the pack is there as a regular file of that size, and its tail closes the counts and the
 * document: what a manifest cut short or another JSON file does not do.
 */
async function looksComplete(path: string, size: number): Promise<boolean> {
  const handle = await fileIO().open(join(path, MANIFEST_FILE), 'r')
  let head: string
  let tail: string
  try {
    head = await readText(handle, 0, Math.min(HEAD_BYTES, size))
    tail = await readText(handle, size - TAIL_BYTES, TAIL_BYTES)
  } finally {
    await handle.close()
  }
  const found = HEAD.exec(head)
  if (!found || !TAIL.test(tail)) return false
  const pack = await fileIO().lstat(join(path, found[1]!))
  return pack.isFile() && pack.size === Number(found[2])
}

async function readText(handle: FileHandleIO, position: number, length: number): Promise<string> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await handle.read(buffer, 0, length, position)
  return buffer.toString('utf8', 0, bytesRead)
}

/**
 * Removes what an interrupted run left beside `path`. When `path` is gone but a parked old backup with a
 * valid manifest is there (a crash between the two renames of a swap), it is put back first.
 */
export async function sweepLeftovers(path: string): Promise<void> {
  const io = fileIO()
  const parent = dirname(path)
  const base = basename(path)
  let names: string[]
  try {
    names = await io.readdir(parent)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw ioError(parent, error)
  }
  const olds = names.filter(name => name.startsWith(base + OLD_MARK)).sort()
  const news = names.filter(name => name.startsWith(base + NEW_MARK))
  if (olds.length > 0 && (await inspectTarget(path).catch(() => undefined))?.kind === 'absent') {
    for (const old of olds) {
      if (await hasValidManifest(join(parent, old))) {
        await io.rename(join(parent, old), path)
        await fsyncDir(parent)
        crashPoint('backup:sweep-put-back')
        break
      }
    }
  }
  for (const name of [...olds, ...news]) {
    await io.rm(join(parent, name), { recursive: true, force: true })
    crashPoint('backup:sweep-removed')
  }
}

/**
 * A fresh name beside `path` for a file of the run's own (the scan's path spool, ADR 0245): marked as the
 * build folder is, so the next run's sweep removes it if this one is killed before it removes it itself.
 */
export function spoolFileBeside(path: string, name: string): string {
  return `${path}${NEW_MARK}${randomBytes(6).toString('hex')}.${name}`
}

/** A fresh build folder beside `path`. */
export async function makeBuildDir(path: string): Promise<string> {
  await fileIO().mkdir(dirname(path), { recursive: true })
  const dir = `${path}${NEW_MARK}${randomBytes(6).toString('hex')}`
  await fileIO().mkdir(dir)
  crashPoint('backup:build-dir')
  return dir
}

/**
 * Puts the built folder at `path`: a plain rename when nothing is there, else park the old folder,
 * rename the new one in, and remove the old one. Each rename is atomic; the parent is fsynced.
 */
export async function commitBuildDir(built: string, path: string, target: Target): Promise<void> {
  const io = fileIO()
  const parent = dirname(path)
  if (target.kind === 'absent') {
    await io.rename(built, path)
    crashPoint('backup:renamed-in')
    await placed(path, () => fsyncDir(parent))
    return
  }
  const parked = `${path}${OLD_MARK}${randomBytes(6).toString('hex')}`
  await io.rename(path, parked)
  crashPoint('backup:swap-parked')
  try {
    await io.rename(built, path)
  } catch (error) {
    await io.rename(parked, path).catch(() => {})
    throw error
  }
  crashPoint('backup:swap-renamed-in')
  await placed(path, async () => {
    await fsyncDir(parent)
    await io.rm(parked, { recursive: true, force: true })
  })
  crashPoint('backup:swap-parked-removed')
}

/** Runs what follows the rename-in: from there on, the new backup is the one at the path. */
async function placed(path: string, rest: () => Promise<void>): Promise<void> {
  try {
    await rest()
  } catch (error) {
    throw asEngineError(
      error,
      code =>
        new LicenseBackupError(
          'IO_ERROR',
          message`The new backup at ${path} is in place, but flushing it to disk or removing the old one failed (${code}); run the backup again to be sure it survives a power cut (the next run also removes what is left of the old one).`,
          { file: path, cause: error }
        )
    )
  }
}

function ioError(path: string, error: unknown): LicenseBackupError {
  return asEngineError(
    error,
    code =>
      new LicenseBackupError(
        'IO_ERROR',
        message`The backup path ${path} cannot be used (${code}); check the folder and its permissions.`,
        { file: path, cause: error }
      )
  )
}
