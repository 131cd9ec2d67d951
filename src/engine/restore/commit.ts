import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { crashPoint } from '../io/crash-points.js'
import { STATE_DIR } from '../store/walk.js'
import { fsyncDir, syncMany, writeFileAtomic } from '../io/durable.js'

/**
 * The restore's commit of staged licenses into the store (SPEC 6: BEGIN..END), all or nothing even across
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

interface Journal {
  id: string
  paths: string[]
}

export function restoreDirs(store: string): { root: string; staging: string; journal: string } {
  const root = join(store, RESTORE_DIR)
  return { root, staging: join(root, 'staging'), journal: join(root, 'journal.json') }
}

/** Writes the files to a fresh staging area, durably. Nothing in the store changes. */
export async function stageFiles(store: string, files: StagedFile[], signal?: AbortSignal): Promise<void> {
  const staging = await openStaging(store)
  for (const file of files) {
    signal?.throwIfAborted()
    await staging.add(file)
  }
}

export interface Staging {
  /** Writes one file into the staging area, durably. */
  add(file: StagedFile): Promise<void>
  /** The store-relative paths staged so far, in order. */
  readonly paths: string[]
}

/** Empties the staging area and opens it for files added one by one (a restore stages as answers come). */
export async function openStaging(store: string): Promise<Staging> {
  const { staging } = restoreDirs(store)
  await rm(staging, { recursive: true, force: true })
  const made = new Set<string>()
  const paths: string[] = []
  return {
    paths,
    add: async file => {
      const target = join(staging, file.path)
      const parent = dirname(target)
      if (!made.has(parent)) {
        await mkdir(parent, { recursive: true })
        made.add(parent)
      }
      // Not fsynced one by one: the commit makes the whole staging durable at once before its journal.
      await writeFile(target, file.data)
      paths.push(file.path)
      crashPoint('restore:stage')
    }
  }
}

/** Drops whatever is staged (a failed or cancelled restore). */
export async function dropStaging(store: string): Promise<void> {
  await rm(restoreDirs(store).staging, { recursive: true, force: true })
}

/** Makes the staged files the store's: writes the journal (the commit point), then moves them in. */
export async function commitStaged(store: string, paths: string[]): Promise<void> {
  const dirs = restoreDirs(store)
  const journal: Journal = { id: `${process.pid}-${Date.now().toString(36)}`, paths }
  await syncMany(
    dirs.staging,
    paths.map(path => join(dirs.staging, path))
  )
  crashPoint('restore:before-journal')
  await writeFileAtomic(dirs.journal, JSON.stringify(journal))
  crashPoint('restore:after-journal')
  await rollForward(store, journal)
}

/**
 * Finishes or undoes an interrupted restore. Called before every operation on a store, under its lock.
 * Returns what it did, for the log.
 */
export async function recoverRestore(store: string): Promise<'none' | 'rolled-back' | 'rolled-forward'> {
  const dirs = restoreDirs(store)
  const journal = await readJournal(dirs.journal)
  if (journal) {
    await rollForward(store, journal)
    return 'rolled-forward'
  }
  if (!(await exists(dirs.staging))) return 'none'
  await rm(dirs.staging, { recursive: true, force: true })
  return 'rolled-back'
}

async function rollForward(store: string, journal: Journal): Promise<void> {
  const dirs = restoreDirs(store)
  const moved: string[] = []
  for (const path of journal.paths) {
    const staged = join(dirs.staging, path)
    const target = join(store, path)
    // A path missing from the staging was moved before a crash: rename is what made it the store's.
    if (!(await exists(staged))) continue
    await mkdir(dirname(target), { recursive: true })
    await rename(staged, target)
    moved.push(target)
    crashPoint('restore:move')
  }
  await syncMany(store, moved)
  await rm(dirs.journal, { force: true })
  await fsyncDir(dirs.root)
  crashPoint('restore:journal-removed')
  await rm(dirs.staging, { recursive: true, force: true })
}

async function readJournal(file: string): Promise<Journal | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  // The journal is written atomically: it is whole or absent. A damaged one is not ours to guess at.
  const journal = JSON.parse(text) as Journal
  return journal
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** Lists leftover temp files of staging (used by tests and the sweep). */
export async function stagingEntries(store: string): Promise<string[]> {
  try {
    return await readdir(restoreDirs(store).staging, { recursive: true })
  } catch {
    return []
  }
}
