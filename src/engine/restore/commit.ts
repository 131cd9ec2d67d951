import { createReadStream, existsSync, lstatSync } from 'node:fs'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { basename, dirname, join } from 'node:path'
import { asEngineError, LicenseBackupError } from '../errors.js'
import { crashPoint } from '../io/crash-points.js'
import { LINE_CHUNK_BYTES } from '../io/lines.js'
import { fileIO, writeAllSync, type FileIO } from '../io/file-io.js'
import { option } from '../options.js'
import { STATE_DIR } from '../store/names.js'
import {
  damagedJournalError,
  pathLines,
  readJournal,
  setAside,
  writeJournal,
  type Journal,
  type PathLines
} from './journal.js'
import { fsyncDir, fsyncFile, isAtomicTemp } from '../io/durable.js'
import { message, type EngineMessage } from '../message.js'
import { removeTaken } from '../slots/taken.js'
import { removeSpool } from './spool.js'

/**
 * The restore's commit of staged licenses into the store (docs/events.md: BEGIN..END), all or nothing even across
 * a crash. Staged files are written and fsynced under `.license-backup/restore/staging/`; the commit point
 * is the durable journal listing them. Before it, recovery rolls back (drops the staging); after it,
 * recovery rolls forward (renames what is left), which is idempotent. ADR 0040.
 */
const RESTORE_DIR = join(STATE_DIR, 'restore')

export interface StagedFile {
  /** Store-relative path with `/` separators, already checked to stay inside the store. */
  path: string
  data: Uint8Array
}

export function restoreDirs(store: string): {
  root: string
  staging: string
  staged: string
  journal: string
} {
  const root = join(store, RESTORE_DIR)
  return {
    root,
    staging: join(root, 'staging'),
    staged: join(root, 'staged'),
    journal: join(root, 'journal.json')
  }
}

export interface Staging {
  /**
   * Writes one file into the staging area, synchronously (ADR 0052): a restore stages a service answer's
   * worth (≤ 1000 small files) at a time, ~20 µs each, where a promise per call cost ten times that.
   * Made durable by the commit, all at once, before its journal.
   */
  add(file: StagedFile): void
  /** How many files are staged. */
  readonly count: number
  /**
   * The store-relative paths staged so far, in order, as the journal's lines: kept in a file of the
   * store's (`.license-backup/restore/staged`) a batch at a time, so none stays in memory (ADR 0231).
   */
  lines(): AsyncIterable<string>
}

/** How many staged paths wait in memory before they are appended to the list file, with one write. */
const PATHS_PER_WRITE = 1024

/** Empties the staging area and opens it for files added one by one (a restore stages as answers come). */
export async function openStaging(store: string): Promise<Staging> {
  const { staging, staged } = restoreDirs(store)
  const io = fileIO()
  for (const leftover of [staging, staged])
    await io.rm(leftover, { recursive: true, force: true }).catch(error => {
      throw stagingError(store, leftover, error)
    })
  const made = new Set<string>()
  let pending: string[] = []
  let count = 0
  let listed = 0
  /** Appends the pending paths to the list file (created by the first append). */
  const flush = (): void => {
    if (pending.length === 0) return
    try {
      const handle = io.openSync(staged, listed === 0 ? 'w' : 'a', 0o644)
      try {
        writeAllSync(handle, Buffer.from(pending.map(path => `${JSON.stringify(path)}\n`).join('')))
      } finally {
        handle.close()
      }
    } catch (error) {
      throw stagingError(store, staged, error)
    }
    listed += pending.length
    pending = []
  }
  return {
    get count() {
      return count
    },
    add: file => {
      const target = join(staging, file.path)
      const parent = dirname(target)
      try {
        if (!made.has(parent)) {
          io.mkdirSync(parent, { recursive: true })
          made.add(parent)
        }
        // Not fsynced one by one: the commit makes the whole staging durable at once before its journal.
        writeFileSync(io, target, file.data)
      } catch (error) {
        throw stagingError(store, target, error)
      }
      pending.push(file.path)
      count++
      if (pending.length >= PATHS_PER_WRITE) flush()
      crashPoint('restore:stage')
    },
    lines: async function* () {
      flush()
      if (listed === 0) return
      for await (const chunk of createReadStream(staged, {
        encoding: 'utf8',
        highWaterMark: LINE_CHUNK_BYTES
      }))
        yield chunk as string
    }
  }
}

/**
 * Drops whatever is staged (a failed or cancelled restore), unless the journal is written: past the commit
 * point the staged files are the only copy of what the next run must still move in (ADR 0040).
 */
export async function dropStaging(store: string): Promise<void> {
  const dirs = restoreDirs(store)
  // The list of staged paths is the journal's once it is written, and of no use when nothing is committed.
  await fileIO().rm(dirs.staged, { force: true })
  if (await exists(dirs.journal)) return
  await fileIO().rm(dirs.staging, { recursive: true, force: true })
}

/** Whether a restore's journal is written: past its commit point, the next run finishes it. */
export async function isCommitted(store: string): Promise<boolean> {
  return exists(restoreDirs(store).journal)
}

/**
 * Tells the user something they should act on (a WARNING event): licenses of a committed restore that
 * could not be moved in.
 */
export type Warn = (text: string | EngineMessage) => void

/**
 * Makes the staged files the store's and removes `removed` (a release): writes the journal (the commit
 * point), then moves the staged files in and removes the others. `staged` is the restore's staging or a
 * list of paths staged already. Returns how many staged files could not be moved in (something in the
 * store is in their way; `warn` names them).
 */
export async function commitStaged(
  store: string,
  staged: Staging | readonly string[],
  warn?: Warn,
  removed: readonly string[] = []
): Promise<number> {
  const dirs = restoreDirs(store)
  const paths: PathLines = 'lines' in staged ? staged : pathLines(staged)
  let journal: Journal
  try {
    await fileIO().mkdir(dirs.root, { recursive: true })
    if (paths.count > 0) await syncAll(dirs.staging, () => stagedFiles(dirs.staging, paths))
    crashPoint('restore:before-journal')
    journal = await writeJournal(store, dirs.journal, paths, pathLines(removed))
  } catch (error) {
    if (!(await exists(dirs.journal))) throw stagingError(store, dirs.journal, error)
    // The journal's rename happened (only its directory's fsync failed): the commit point is passed.
    throw unfinishedError(store, dirs.journal, error)
  }
  crashPoint('restore:after-journal')
  await fileIO()
    .rm(dirs.staged, { force: true })
    .catch(() => {})
  return rollForward(store, journal, warn)
}

/** The full names of the staged files, from their journal lines (only where `sync -f` is missing). */
async function* stagedFiles(staging: string, paths: PathLines): AsyncGenerator<string> {
  let rest = ''
  for await (const chunk of paths.lines()) {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop()!
    for (const line of lines) yield join(staging, JSON.parse(line) as string)
  }
}

/**
 * Finishes or undoes an interrupted restore. Called before every operation on a store, under its lock.
 * A journal that cannot be used is STORE_INVALID, unless `rollBack` (the `rollBackInterrupted` option)
 * says to roll that restore back, keeping the journal aside (ADR 0178). Returns what it did, for the log.
 */
export async function recoverRestore(
  store: string,
  warn?: Warn,
  rollBack = false
): Promise<'none' | 'rolled-back' | 'rolled-forward'> {
  const dirs = restoreDirs(store)
  const io = fileIO()
  // The licenses a killed restore had spooled for its exchange (ADR 0222): never left in the store.
  await removeSpool(dirs.root)
  await removeTaken(dirs.root)
  await io.rm(dirs.staged, { force: true })
  const journal = await readJournal(store, dirs.journal)
  if (journal && 'damaged' in journal) {
    if (!rollBack) throw damagedJournalError(store, dirs.journal, journal.damaged)
    const kept = await setAside(dirs.journal)
    warn?.(
      message`The restore journal ${dirs.journal} cannot be used: ${journal.damaged}. As ${option('rollBackInterrupted')} asks, the interrupted restore was rolled back: the licenses it had staged and not yet moved into the store were dropped (any it had moved in stay), and the damaged journal was kept as ${basename(kept)} beside it. Run the restore again to bring back what it was restoring.`
    )
  } else if (journal) {
    await rollForward(store, journal, warn)
    await removeJournalTemps(dirs.root, dirs.journal)
    return 'rolled-forward'
  }
  const temps = await removeJournalTemps(dirs.root, dirs.journal)
  if (!(await exists(dirs.staging))) return temps > 0 ? 'rolled-back' : 'none'
  await io.rm(dirs.staging, { recursive: true, force: true }).catch(error => {
    throw stagingError(store, dirs.staging, error)
  })
  crashPoint('restore:rolled-back')
  return 'rolled-back'
}

/** A crash while the journal was being written leaves its temp file; it never was the commit point. */
async function removeJournalTemps(root: string, journal: string): Promise<number> {
  const io = fileIO()
  let names: string[]
  try {
    names = await io.readdir(root)
  } catch {
    return 0
  }
  const temps = names.filter(name => isAtomicTemp(name, basename(journal)))
  for (const name of temps) await io.rm(join(root, name), { force: true })
  return temps.length
}

/**
 * Moves what is still staged into the store, then removes the journal. A path the store has a folder at,
 * or a file or link where one of its folders goes, can never be moved in: it is left out (and dropped with
 * the staging), so such a journal (written by a version that did not check targets first, or after
 * something outside changed the store) never wedges the store (ADR 0060). Returns how many were left out.
 */
async function rollForward(store: string, journal: Journal, warn?: Warn): Promise<number> {
  const dirs = restoreDirs(store)
  const io = fileIO()
  // Which paths this run moved, a byte each: their full names are built only if `sync -f` is missing.
  const moved = new Uint8Array(journal.count)
  const made = new Set<string>()
  /** Folders of the journal's paths that the store has a file or link at: the folder → what is in the way. */
  const blockedFolders = new Map<string, string>()
  const leftOut: Array<{ path: string; blocker: string }> = []
  let current = dirs.journal
  try {
    // Synchronous moves (ADR 0052): a rename of a small file costs ~10 µs, a promise round trip more than
    // that. The event loop gets a turn every MOVES_PER_TURN, for signal handlers and worker answers.
    let index = 0
    for await (const chunk of journal.paths())
      for (const path of chunk) {
        if (index > 0 && index % MOVES_PER_TURN === 0) await nextTurn()
        const staged = join(dirs.staging, path)
        const target = join(store, path)
        current = target
        index++
        // A path missing from the staging was moved before a crash: rename is what made it the store's.
        // (existsSync: access(2), no Stats object per license; the staging holds only our own files.)
        if (!existsSync(staged)) continue
        const parent = dirname(target)
        if (!made.has(parent)) {
          const blocker = blockedFolders.get(parent) ?? folderBlocker(store, path)
          if (blocker !== undefined) {
            blockedFolders.set(parent, blocker)
            leftOut.push({ path, blocker })
            continue
          }
          io.mkdirSync(parent, { recursive: true })
          made.add(parent)
        }
        try {
          io.renameSync(staged, target)
        } catch (error) {
          if (!lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) throw error
          leftOut.push({ path, blocker: path })
          continue
        }
        moved[index - 1] = 1
        crashPoint('restore:move')
      }
    current = store
    await syncAll(store, () => movedFiles(store, journal, moved))
    crashPoint('restore:moved-all')
    await removeAll(store, journal.removed())
    current = dirs.journal
    await io.rm(dirs.journal, { force: true })
    await fsyncDir(dirs.root)
  } catch (error) {
    throw unfinishedError(store, current, error)
  }
  crashPoint('restore:journal-removed')
  // The restore is complete; what is left of the staging (empty folders, licenses left out) is tidied up.
  await io.rm(dirs.staging, { recursive: true, force: true }).catch(() => {})
  crashPoint('restore:staging-removed')
  if (leftOut.length > 0) warn?.(leftOutMessage(store, leftOut))
  return leftOut.length
}

/** The first folder of `path` (store-relative) that the store holds as something other than a folder. */
function folderBlocker(store: string, path: string): string | undefined {
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    const folder = path.slice(0, slash)
    const info = lstatSync(join(store, folder), { throwIfNoEntry: false })
    if (info === undefined) return undefined
    if (!info.isDirectory()) return folder
  }
  return undefined
}

function leftOutMessage(store: string, leftOut: Array<{ path: string; blocker: string }>): string {
  const shown = leftOut
    .slice(0, 5)
    .map(({ path, blocker }) => `${JSON.stringify(path)} (in the way: ${JSON.stringify(blocker)})`)
  const more = leftOut.length > shown.length ? ` and ${leftOut.length - shown.length} more` : ''
  return `${leftOut.length} restored license(s) could not be moved into the store ${store}, which has a folder where the license goes or a file or link where its folder goes: ${shown.join(', ')}${more}. They were left out; the rest of the restore is complete. Move what is in the way out of the store and run the restore again to bring them back.`
}

const MOVES_PER_TURN = 1024

/** Removes a journal's `removed` files (gone already after a crash: fine), then makes it durable. */
async function removeAll(store: string, removed: AsyncIterable<string[]>): Promise<void> {
  const io = fileIO()
  const parents = new Set<string>()
  for await (const chunk of removed)
    for (const path of chunk) {
      await io.rm(join(store, path), { force: true })
      parents.add(dirname(join(store, path)))
      crashPoint('release:remove')
    }
  for (const parent of parents) await fsyncDir(parent)
}

/** The full names of the journal's paths that this run moved in. */
async function* movedFiles(store: string, journal: Journal, moved: Uint8Array): AsyncGenerator<string> {
  let index = 0
  for await (const chunk of journal.paths())
    for (const path of chunk) if (moved[index++] === 1) yield join(store, path)
}

/**
 * Makes many small writes durable at once: `sync -f` flushes the whole file system holding `dir`, one flush
 * instead of one fsync per file (0.07 ms against 0.8 ms a file on Linux, ADR 0040). Where it is missing
 * (macOS, Windows: ADR 0110) every file and its directory is flushed instead; the files' names are read
 * from the journal or the staged list only then.
 */
async function syncAll(dir: string, files: () => AsyncIterable<string>): Promise<void> {
  if (await fileIO().syncFileSystem(dir)) return
  const dirs = new Set<string>()
  for await (const file of files()) {
    await fsyncFile(file)
    dirs.add(dirname(file))
  }
  for (const parent of dirs) await fsyncDir(parent)
}

/** Creates (or truncates) `file` and writes all of `data`, synchronously; no fsync. */
function writeFileSync(io: FileIO, file: string, data: Uint8Array): void {
  const handle = io.openSync(file, 'w', 0o644)
  try {
    writeAllSync(handle, data)
  } finally {
    handle.close()
  }
}

/** A failure before the commit point: nothing in the store changed. */
function stagingError(store: string, file: string, error: unknown): LicenseBackupError {
  return asEngineError(error, code => stagingIoError(store, file, code, error))
}

function stagingIoError(store: string, file: string, code: string, error: unknown): LicenseBackupError {
  const fix =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'free some space on its disk'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'give the restore job write access to it'
        : 'check the disk'
  return new LicenseBackupError(
    'IO_ERROR',
    message`Staging the restored licenses in the store ${store} failed at ${file} (${code}); ${fix} and run the restore again. The store's licenses are as they were.`,
    { file, cause: error }
  )
}

/** A failure past the commit point: the journal stays, and the next run on the store completes the restore. */
function unfinishedError(store: string, file: string, error: unknown): LicenseBackupError {
  return asEngineError(
    error,
    code =>
      new LicenseBackupError(
        'IO_ERROR',
        message`Moving the restored licenses into the store ${store} failed at ${file} (${code}); the restore is committed but not finished. Fix the cause (disk, permissions) and run the restore, or any backup of this store, again: it completes the restore before anything else.`,
        { file, cause: error }
      )
  )
}

async function exists(path: string): Promise<boolean> {
  try {
    await fileIO().stat(path)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return false
    throw error
  }
}
