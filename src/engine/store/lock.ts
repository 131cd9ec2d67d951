import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { asEngineError, LicenseBackupError } from '../errors.js'
import type { Operation } from '../events.js'
import { crashPoint } from '../io/crash-points.js'
import { fileIO, writeAll } from '../io/file-io.js'
import { STATE_DIR } from './names.js'
import { message } from '../message.js'

export const LOCK_FILE = 'lock'
/** Beside a backup path `<path>`: `<path>.lb-lock` (ADR 0067). */
export const BACKUP_LOCK_SUFFIX = '.lb-lock'

/** A lock whose file was not refreshed for this long is stale, whatever host holds it (ADR 0013). */
export const STALE_AFTER_MS = 30 * 60_000
/** An unreadable lock younger than this is BUSY (an older release's run may still be writing it). */
const UNREADABLE_GRACE_MS = 10_000
/** A holder refreshes its lock file's time this often. */
export const REFRESH_EVERY_MS = 5 * 60_000

/** What the lock file holds: who runs, where and since when. Its mtime is when it was last refreshed. */
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
  /** Stops refreshing and removes the lock if it is still this run's. Safe to call twice. */
  release(): Promise<void>
}

export interface LockOptions {
  /** Overrides how a pid on this host is checked (tests). Default: `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean
  /** An unreadable lock younger than this (ms) is a run still writing it: BUSY. Default 10 s. */
  unreadableGraceMs?: number
  /** A lock not refreshed for this long (ms) is stale. Default STALE_AFTER_MS. */
  staleAfterMs?: number
  /** How often (ms) the holder refreshes its lock. Default REFRESH_EVERY_MS. */
  refreshEveryMs?: number
}

/** What a lock guards, for messages: "The store /s", "The backup path /b". */
interface Guarded {
  subject: string
  /** The lock file. */
  file: string
}

/**
 * Takes the store lock `<store>/.license-backup/lock` (ADR 0013). One backup or restore uses a store at a
 * time; another finds it BUSY. A lock is stale when its process is gone from this host, or when it has
 * not been refreshed for STALE_AFTER_MS on any host (a holder refreshes it every REFRESH_EVERY_MS), so
 * neither a crash nor a host whose name changed leaves the store stuck.
 */
export async function acquireStoreLock(
  store: string,
  operation: Operation,
  options: LockOptions = {}
): Promise<StoreLock> {
  const dir = join(store, STATE_DIR)
  const createdDir = await ensureDir(dir)
  try {
    const lock = await acquireLock(
      { subject: `The store ${store}`, file: join(dir, LOCK_FILE) },
      operation,
      options
    )
    if (!createdDir) return lock
    return {
      ...lock,
      // Leave the store as it was: remove the state folder this run created, if nothing else is in it.
      release: async () => {
        await lock.release()
        await fileIO()
          .rmdir(dir)
          .catch(() => {})
      }
    }
  } catch (error) {
    // Leave the store as it was: the state folder this run made goes with the failed attempt.
    if (createdDir)
      await fileIO()
        .rmdir(dir)
        .catch(() => {})
    throw error
  }
}

/**
 * Takes the lock of a backup path, `<path>.lb-lock` beside it (ADR 0067): two backups writing one path
 * at once, from different stores, would otherwise sweep and swap each other's folders.
 */
export async function acquireBackupPathLock(path: string, options: LockOptions = {}): Promise<StoreLock> {
  try {
    await fileIO().mkdir(dirname(path), { recursive: true })
  } catch (error) {
    throw ioError(path + BACKUP_LOCK_SUFFIX, error)
  }
  return acquireLock(
    { subject: `The backup path ${path}`, file: path + BACKUP_LOCK_SUFFIX },
    'backup',
    options
  )
}

async function acquireLock(guarded: Guarded, operation: Operation, options: LockOptions): Promise<StoreLock> {
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    operation,
    token: randomUUID()
  }
  const { file } = guarded
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(file, info)) return held(file, info, options)
    const holder = await readHolder(file)
    if (holder === 'gone') continue
    const age = await ageOf(file)
    if (age === undefined) continue
    if (holder === 'unreadable') {
      const grace = options.unreadableGraceMs ?? UNREADABLE_GRACE_MS
      if (age > grace) {
        await takeOver(file, undefined, options)
        continue
      }
      throw unreadable(guarded, grace)
    }
    if (isStale(holder, age, options)) {
      await takeOver(file, holder, options)
      continue
    }
    throw busy(guarded, holder, age)
  }
  throw busy(guarded, undefined, undefined)
}

function held(file: string, info: LockInfo, options: LockOptions): StoreLock {
  let released = false
  // Refreshing touches the lock's mtime only while the lock still holds our token: a lock taken over
  // (this run stalled past STALE_AFTER_MS) is never written again.
  const refresh = async (): Promise<void> => {
    if (!(await stillOurs(file, info))) return
    const now = new Date()
    await fileIO()
      .utimes(file, now, now)
      .catch(() => {})
  }
  const timer = setInterval(() => void refresh(), options.refreshEveryMs ?? REFRESH_EVERY_MS)
  // A lock never keeps the host's process alive by itself.
  timer.unref()
  return {
    file,
    info,
    release: async () => {
      if (released) return
      released = true
      clearInterval(timer)
      if (await stillOurs(file, info))
        await fileIO()
          .unlink(file)
          .catch(() => {})
    }
  }
}

async function stillOurs(file: string, info: LockInfo): Promise<boolean> {
  const current = await readHolder(file).catch(() => 'gone' as const)
  return typeof current === 'object' && current.token === info.token
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

function isStale(holder: LockInfo, age: number, options: LockOptions): boolean {
  if (age > (options.staleAfterMs ?? STALE_AFTER_MS)) return true
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

const TAKEOVER_MARK = '.takeover'
/** A takeover mark older than this was left by a run killed mid-takeover (which takes milliseconds). */
const TAKEOVER_GRACE_MS = 10_000

/**
 * Removes a stale lock. Takers first create `<lock>.takeover` (O_EXCL, through a hard link): only one run
 * at a time judges and removes the lock, so no run can remove or overwrite a lock another run has just
 * taken. Under the mark the lock is read again and removed only if it is still the one judged stale.
 * A run that finds the mark returns, and its caller reads the lock again.
 */
async function takeOver(file: string, stale: LockInfo | undefined, options: LockOptions): Promise<void> {
  const io = fileIO()
  const mark = file + TAKEOVER_MARK
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() }
  if (!(await tryCreate(mark, info))) {
    await removeAbandonedMark(mark, options)
    await new Promise(resolve => setTimeout(resolve, 20))
    return
  }
  try {
    const current = await readHolder(file)
    const same =
      stale === undefined
        ? current === 'unreadable'
        : typeof current === 'object' && current.pid === stale.pid && current.started === stale.started
    if (same) await io.unlink(file).catch(() => {})
  } finally {
    await io.unlink(mark).catch(() => {})
  }
}

/** A takeover mark of a run that died mid-takeover goes: its pid is gone from this host, or it is old. */
async function removeAbandonedMark(mark: string, options: LockOptions): Promise<void> {
  const holder = await readHolder(mark)
  const age = await ageOf(mark)
  if (holder === 'gone' || age === undefined) return
  const abandoned =
    age > TAKEOVER_GRACE_MS ||
    (typeof holder === 'object' && isStale(holder, age, { ...options, staleAfterMs: TAKEOVER_GRACE_MS }))
  if (abandoned)
    await fileIO()
      .unlink(mark)
      .catch(() => {})
}

/** How long ago the lock file was last written or refreshed (ms); undefined when it is gone. */
async function ageOf(file: string): Promise<number | undefined> {
  try {
    return Date.now() - (await fileIO().stat(file)).mtimeMs
  } catch {
    return undefined
  }
}

/**
 * A lock file that is not a lock (empty, cut short, garbage, another tool's): this tool writes its locks
 * whole, so only an older release's half-written one is young and real; past the grace it is taken over.
 */
function unreadable(guarded: Guarded, graceMs: number): LicenseBackupError {
  return new LicenseBackupError(
    'BUSY',
    message`${guarded.subject} has a lock file it cannot read (${guarded.file}: empty, cut short, or not a lock this tool wrote). A run takes such a lock over once it is ${Math.round(graceMs / 1000)} s old: run again in a moment. If no run is using it, delete ${guarded.file}.`,
    { file: guarded.file }
  )
}

function busy(guarded: Guarded, holder: LockInfo | undefined, age: number | undefined): LicenseBackupError {
  const who = holder
    ? `a ${holder.operation ?? 'run'} (pid ${holder.pid} on ${holder.host}, started ${holder.started})`
    : 'another run'
  const refreshed = age === undefined ? '' : `, its lock last refreshed ${Math.round(age / 1000)} s ago`
  const minutes = STALE_AFTER_MS / 60_000
  return new LicenseBackupError(
    'BUSY',
    message`${guarded.subject} is in use by ${who}${refreshed}. Wait for it to finish and run again; a run refreshes its lock while it works, and a lock not refreshed for ${minutes} minutes is taken over. If you are sure no run is using it, delete ${guarded.file}.`,
    { file: guarded.file }
  )
}

function ioError(file: string, error: unknown): LicenseBackupError {
  return asEngineError(
    error,
    code =>
      new LicenseBackupError(
        'IO_ERROR',
        message`The lock ${file} cannot be written (${code}); check the folder's permissions.`,
        { file, cause: error }
      )
  )
}
