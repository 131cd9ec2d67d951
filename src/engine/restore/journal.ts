import { realpath } from 'node:fs/promises'
import { dirname } from 'node:path'
import { asEngineError, LicenseBackupError } from '../errors.js'
import { fsyncDir } from '../io/durable.js'
import { fileIO } from '../io/file-io.js'
import { turnOn } from '../options.js'
import { pathProblem, STATE_DIR } from '../store/names.js'
import { message } from '../message.js'

// The restore journal (`.license-backup/restore/journal.json`, docs/format.md "State files"): the commit
// point of a restore or release (ADR 0040), and what a run does with one it cannot use (ADR 0178).

/**
 * The journal's version (docs/format.md, "State files"). A journal without one was written by an earlier
 * release: the same fields without `version` and `store`, read as before.
 */
const JOURNAL_VERSION = 2

export interface Journal {
  version?: number
  /** The store's real path when the journal was written: a journal copied into another store is not its own. */
  store?: string
  id: string
  /** Staged files to move in. */
  paths: string[]
  /** Store files to remove (a release, protocol v1.1); absent in journals of plain restores. */
  removed?: string[]
}

/** The journal of a commit this release makes: its version and the store it belongs to. */
export async function versionedJournal(store: string, paths: string[], removed: string[]): Promise<Journal> {
  return {
    version: JOURNAL_VERSION,
    store: await realpath(store),
    id: `${process.pid}-${Date.now().toString(36)}`,
    paths,
    ...(removed.length > 0 ? { removed } : {})
  }
}

/**
 * The journal of an interrupted restore: undefined when there is none, `{ damaged }` (why, as a phrase)
 * when it cannot be used.
 */
export async function readJournal(
  store: string,
  file: string
): Promise<Journal | { damaged: string } | undefined> {
  let text: string
  try {
    text = await fileIO().readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new LicenseBackupError(
      'IO_ERROR',
      message`The restore journal ${file} cannot be read (${codeOf(error)}); check the disk and run again: an interrupted restore is finished from it.`,
      { file, cause: error }
    )
  }
  // The journal is written atomically: it is whole or absent. A damaged one is not ours to guess at.
  return judged(text, await realpath(store))
}

/** The journal in `text` if it is one of this store that this release can finish, else why not. */
function judged(text: string, store: string): Journal | { damaged: string } {
  if (text.length === 0) return { damaged: 'it is empty' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { damaged: 'it is not JSON (cut short or overwritten)' }
  }
  const damaged = problem(value, store)
  return damaged === undefined ? (value as Journal) : { damaged }
}

function problem(value: unknown, store: string): string | undefined {
  const notOurs = 'it is not a restore journal of this tool'
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${notOurs} (not an object)`
  const journal = value as Record<string, unknown>
  if (journal['version'] !== undefined && journal['version'] !== JOURNAL_VERSION)
    return `it is a journal of version ${shown(journal['version'])}, which this release does not read (it reads ${JOURNAL_VERSION}): a later release wrote it, and can finish it`
  const lists = [journal['paths'], journal['removed'] ?? []]
  if (typeof journal['id'] !== 'string' || !lists.every(isStringList))
    return `${notOurs} (its \`id\`, \`paths\` or \`removed\` is missing or of the wrong type)`
  for (const path of (lists as string[][]).flat()) {
    const why = pathProblem(path)
    if (why) return `${notOurs}: its path ${shown(path)} ${why}`
  }
  if (journal['version'] === undefined) return undefined
  if (journal['store'] !== store)
    return `it belongs to the store ${shown(journal['store'])}, not this one (${store}): it was copied here with the store's ${STATE_DIR} folder, or the store was moved`
  return undefined
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(item => typeof item === 'string')
}

/** A value from the journal, for a message: as JSON, at most 200 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

export function damagedJournalError(store: string, file: string, reason: string): LicenseBackupError {
  return new LicenseBackupError(
    'STORE_INVALID',
    message`The restore journal ${file} cannot be used: ${reason}. It records a restore (or release) of the store ${store} that was interrupted after its commit point, and no run can finish it from this file. To roll the store back to where it was before that restore (the licenses it had not yet moved in are dropped, any it had moved in stay, and the damaged journal is kept beside it as journal.json.damaged-<time>), ${turnOn('rollBackInterrupted')} and run again; then run the restore again. Nothing was changed.`,
    { file }
  )
}

/** Renames the damaged journal to `journal.json.damaged-<time>` (the copy kept for a look); returns its path. */
export async function setAside(file: string): Promise<string> {
  const kept = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`
  try {
    await fileIO().rename(file, kept)
    await fsyncDir(dirname(file))
  } catch (error) {
    throw asEngineError(
      error,
      code =>
        new LicenseBackupError(
          'IO_ERROR',
          message`The damaged restore journal ${file} cannot be set aside (${code}); check the folder's permissions and run again.`,
          { file, cause: error }
        )
    )
  }
  return kept
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message
}
