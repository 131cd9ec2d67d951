import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import type { Operation } from '../events.js'
import { crashPoint } from '../io/crash-points.js'
import { fileIO, writeAll } from '../io/file-io.js'
import { STATE_DIR } from './names.js'

export const LOCK_FILE = 'lock'

/** What the lock file holds: who runs, where and since when. */
export interface LockInfo {
  pid: number
  host: string
  started: string
  operation?: Operation
  /** Distinguishes this holder from a later run that reused the pid. */
  token?: string
}

export interface StoreLock {
  /** The lock file's path. */
  readonly file: string
  readonly info: LockInfo
  /** Removes the lock if it is still this run's. Safe to call twice. */
  release(): Promise<void>
}

export interface LockOptions {
  /** Overrides how a pid on this host is checked (tests). Default: `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean
  /** An unreadable lock younger than this (ms) is a run still writing it: BUSY. Default 10 s. */
  unreadableGraceMs?: number
}

/**
 * Takes the store lock `<store>/.license-backup/lock` (ADR 0013): created with O_EXCL, holding
 * {pid, host, started}. One backup or restore uses a store at a time; another finds it BUSY. A lock
 * left by a process that is gone from this host is stale and taken over, so a crash never leaves the
 * store stuck; a lock from another host is never taken over (its process cannot be checked).
 */
export async function acquireStoreLock(
  store: string,
  operation: Operation,
  options: LockOptions = {}
): Promise<StoreLock> {
  const dir = join(store, STATE_DIR)
  const file = join(dir, LOCK_FILE)
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    operation,
    token: randomUUID()
  }
  const createdDir = await ensureDir(dir)
  try {
    return await takeLock(store, file, info, options, createdDir ? dir : undefined)
  } catch (error) {
    // Leave the store as it was: the state folder this run made goes with the failed attempt.
    if (createdDir)
      await fileIO()
        .rmdir(dir)
        .catch(() => {})
    throw error
  }
}

async function takeLock(
  store: string,
  file: string,
  info: LockInfo,
  options: LockOptions,
  createdDir: string | undefined
): Promise<StoreLock> {
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(file, info)) return held(file, info, createdDir)
    const holder = await readHolder(file)
    if (holder === 'gone') continue
    if (holder === 'unreadable') {
      if (await olderThan(file, options.unreadableGraceMs ?? 10_000)) {
        await takeOver(file, undefined)
        continue
      }
      throw busy(store, file, undefined)
    }
    if (isStale(holder, options)) {
      await takeOver(file, holder)
      continue
    }
    throw busy(store, file, holder)
  }
  throw busy(store, file, undefined)
}

function held(file: string, info: LockInfo, createdDir: string | undefined): StoreLock {
  let released = false
  return {
    file,
    info,
    release: async () => {
      if (released) return
      released = true
      const current = await readHolder(file)
      if (typeof current === 'object' && current.token === info.token)
        await fileIO()
          .unlink(file)
          .catch(() => {})
      // Leave the store as it was: remove the state folder this run created, if nothing else is in it.
      if (createdDir)
        await fileIO()
          .rmdir(createdDir)
          .catch(() => {})
    }
  }
}

async function ensureDir(dir: string): Promise<boolean> {
  try {
    await fileIO().mkdir(dir)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw ioError(dir, error)
  }
}

/**
 * Creates the lock whole: its content goes to a temp file that is then hard-linked to the lock's name, which
 * fails with EEXIST like O_EXCL. A run killed while writing never leaves an empty lock that would make the
 * store BUSY; its temp file names its pid and is removed by a later run.
 */
async function tryCreate(file: string, info: LockInfo): Promise<boolean> {
  const io = fileIO()
  const temp = `${file}${TEMP_MARK}${process.pid}-${info.token ?? randomUUID()}`
  try {
    const handle = await io.open(temp, 'wx', 0o644)
    try {
      await writeAll(handle, Buffer.from(JSON.stringify(info) + '\n'))
    } finally {
      await handle.close()
    }
    crashPoint('lock:written')
    await io.link(temp, file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    // Another run removed the state folder it had created between our mkdir and open: make it again.
    if (code === 'ENOENT') {
      await io.mkdir(dirname(file), { recursive: true }).catch(() => {})
      return false
    }
    throw ioError(file, error)
  } finally {
    await io.unlink(temp).catch(() => {})
  }
  crashPoint('lock:acquired')
  await removeStaleTemps(file)
  return true
}

const TEMP_MARK = '.new-'

/** Removes the temp files of lock creations whose process is gone (killed between write and link). */
async function removeStaleTemps(file: string): Promise<void> {
  const io = fileIO()
  const prefix = basename(file) + TEMP_MARK
  const names = await io.readdir(dirname(file)).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const pid = Number(name.slice(prefix.length).split('-')[0])
    if (pid === process.pid || processAlive(pid)) continue
    await io.unlink(join(dirname(file), name)).catch(() => {})
  }
}

async function readHolder(file: string): Promise<LockInfo | 'gone' | 'unreadable'> {
  let text: string
  try {
    text = await fileIO().readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone'
    throw ioError(file, error)
  }
  try {
    const value = JSON.parse(text) as Partial<LockInfo>
    if (typeof value.pid === 'number' && typeof value.host === 'string') return value as LockInfo
  } catch {
    // A lock being written, or garbage: the caller decides by its age.
  }
  return 'unreadable'
}

function isStale(holder: LockInfo, options: LockOptions): boolean {
  if (holder.host !== hostname()) return false
  if (holder.pid === process.pid) return false
  return !(options.isAlive ?? processAlive)(holder.pid)
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Moves a stale lock aside atomically (rename), so of two runs taking it over only one succeeds, then
 * checks that what it moved is the stale lock it judged; if a fresh lock slipped in, it is put back.
 */
async function takeOver(file: string, stale: LockInfo | undefined): Promise<void> {
  const aside = `${file}.stale-${randomUUID()}`
  try {
    await fileIO().rename(file, aside)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw ioError(file, error)
  }
  const moved = await readHolder(aside)
  const same =
    stale === undefined ||
    (typeof moved === 'object' && moved.pid === stale.pid && moved.started === stale.started)
  if (!same) {
    await fileIO()
      .rename(aside, file)
      .catch(() => {})
    return
  }
  await fileIO()
    .unlink(aside)
    .catch(() => {})
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await fileIO().stat(file)).mtimeMs > ms
  } catch {
    return false
  }
}

function busy(store: string, file: string, holder: LockInfo | undefined): LicenseBackupError {
  const who = holder
    ? `a ${holder.operation ?? 'run'} (pid ${holder.pid} on ${holder.host}, started ${holder.started})`
    : 'another run'
  const fix =
    holder && holder.host !== hostname()
      ? `wait for it to finish; if that run is gone, delete ${file}`
      : 'wait for it to finish and run again'
  return new LicenseBackupError('BUSY', `The store ${store} is in use by ${who}; ${fix}.`, { file })
}

function ioError(file: string, error: unknown): LicenseBackupError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error'
  return new LicenseBackupError(
    'IO_ERROR',
    `The store lock ${file} cannot be written (${code}); check the store's permissions.`,
    {
      file,
      cause: error
    }
  )
}
