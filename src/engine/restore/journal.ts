import { realpath } from 'node:fs/promises'
import { dirname } from 'node:path'
import { asEngineError, LicenseBackupError } from '../errors.js'
import { fsyncDir, writeFileAtomic } from '../io/durable.js'
import { lineChunks } from '../io/lines.js'
import { fileIO } from '../io/file-io.js'
import { turnOn } from '../options.js'
import { pathProblem, STATE_DIR } from '../store/names.js'
import { message } from '../message.js'

// The restore journal (`.license-backup/restore/journal.json`, docs/format.md "State files"): the commit
// point of a restore or release (ADR 0040), and what a run does with one it cannot use (ADR 0178).

/**
 * The journal's versions (docs/format.md, "State files"). This release writes version 3: JSON lines, a
 * header line then one path a line, so no list of paths is ever held whole (ADR 0231). It still reads
 * version 2, one JSON document (`{version, store, id, paths, removed?}`), and a document without a
 * version, written by earlier releases: the same fields without `version` and `store`.
 */
const DOCUMENT_VERSION = 2
const LINES_VERSION = 3

/** How much of the journal is read to find its first line: a header is a few hundred bytes. */
const HEAD_BYTES = 64 * 1024

/** A usable journal: its paths read from the file a chunk at a time, in order, as often as asked. */
export interface Journal {
  id: string
  /** How many staged files it moves in. */
  count: number
  /** The staged files to move in (store-relative). */
  paths(): AsyncIterable<string[]>
  /** Store files to remove (a release, protocol v1.1); none in journals of plain restores. */
  removed(): AsyncIterable<string[]>
}

/** The paths a commit journals, as the journal's lines (one JSON string and a newline each). */
export interface PathLines {
  count: number
  lines(): AsyncIterable<string>
}

/** `paths` as journal lines: a release's batch, a test's few files. */
export function pathLines(paths: readonly string[]): PathLines {
  return {
    count: paths.length,
    lines: async function* () {
      for (let from = 0; from < paths.length; from += 1024)
        yield paths
          .slice(from, from + 1024)
          .map(path => `${JSON.stringify(path)}\n`)
          .join('')
    }
  }
}

/**
 * Writes the journal of a commit this release makes (the commit point): atomically, a header line with
 * its version, the store it belongs to and how many paths follow, then `staged`'s lines and `removed`'s.
 */
export async function writeJournal(
  store: string,
  file: string,
  staged: PathLines,
  removed: PathLines
): Promise<Journal> {
  const header = {
    version: LINES_VERSION,
    store: await realpath(store),
    id: `${process.pid}-${Date.now().toString(36)}`,
    paths: staged.count,
    removed: removed.count
  }
  async function* text(): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`
    yield* staged.lines()
    yield* removed.lines()
  }
  await writeFileAtomic(file, text(), { crashLabel: 'restore:journal' })
  return inLines(file, header.id, staged.count, removed.count)
}

/**
 * The journal of an interrupted restore: undefined when there is none, `{ damaged }` (why, as a phrase)
 * when it cannot be used. A journal in lines is checked whole (every path) before it is returned.
 */
export async function readJournal(
  store: string,
  file: string
): Promise<Journal | { damaged: string } | undefined> {
  const cannotRead = (error: unknown): LicenseBackupError =>
    new LicenseBackupError(
      'IO_ERROR',
      message`The restore journal ${file} cannot be read (${codeOf(error)}); check the disk and run again: an interrupted restore is finished from it.`,
      { file, cause: error }
    )
  let head: string
  try {
    head = await readHead(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw cannotRead(error)
  }
  const real = await realpath(store)
  const header = linesHeader(head)
  try {
    // The journal is written atomically: it is whole or absent. A damaged one is not ours to guess at.
    if (header) return await judgedLines(file, header, real)
    return judged(await fileIO().readFile(file, 'utf8'), real)
  } catch (error) {
    throw cannotRead(error)
  }
}

/** The first HEAD_BYTES of `file`, as text. */
async function readHead(file: string): Promise<string> {
  const handle = await fileIO().open(file, 'r')
  try {
    const buffer = Buffer.alloc(HEAD_BYTES)
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0)
    return buffer.toString('utf8', 0, bytesRead)
  } finally {
    await handle.close()
  }
}

/**
 * The header of a journal in lines: its first line, an object with a version past the document's. A
 * journal without a newline, or whose first line is not such an object, is read as one document.
 */
function linesHeader(head: string): Record<string, unknown> | undefined {
  const end = head.indexOf('\n')
  if (end < 0) return undefined
  let value: unknown
  try {
    value = JSON.parse(head.slice(0, end))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const version = (value as Record<string, unknown>)['version']
  return typeof version === 'number' && version > DOCUMENT_VERSION
    ? (value as Record<string, unknown>)
    : undefined
}

/** The journal in lines if it is one of this store that this release can finish, else why not. */
async function judgedLines(
  file: string,
  header: Record<string, unknown>,
  store: string
): Promise<Journal | { damaged: string }> {
  const notOurs = 'it is not a restore journal of this tool'
  if (header['version'] !== LINES_VERSION)
    return {
      damaged: `it is a journal of version ${shown(header['version'])}, which this release does not read (it reads ${LINES_VERSION} in lines): a later release wrote it, and can finish it`
    }
  const { id, paths: count, removed: removing } = header
  if (typeof id !== 'string' || !isCount(count) || !isCount(removing))
    return {
      damaged: `${notOurs} (its first line's \`id\`, \`paths\` or \`removed\` is missing or of the wrong type)`
    }
  if (header['store'] !== store) return { damaged: notThisStore(header['store'], store) }
  let seen = 0
  for await (const chunk of bodyLines(file, 0)) {
    for (const line of chunk) {
      seen++
      const path = pathOf(line)
      if (path === undefined) return { damaged: `${notOurs} (its line ${seen + 1} is not a path in quotes)` }
      const why = pathProblem(path)
      if (why) return { damaged: `${notOurs}: its path ${shown(path)} ${why}` }
    }
  }
  if (seen !== count + removing)
    return {
      damaged: `it lists ${seen} path(s) where its first line says ${count + removing} (cut short or overwritten)`
    }
  return inLines(file, id, count, removing)
}

/** A journal in lines, checked: its paths read from `file` whenever asked. */
function inLines(file: string, id: string, count: number, removing: number): Journal {
  return {
    id,
    count,
    paths: () => bodyLines(file, 0, count),
    removed: () => bodyLines(file, count, removing)
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function pathOf(line: string): string | undefined {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'string' ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * The paths of a journal in lines after its header, a chunk at a time: `take` of them from the `skip`th
 * (all of them, unchecked, without `take`). A last line without its newline is yielded as it is, for the
 * check to refuse.
 */
async function* bodyLines(file: string, skip: number, take = Infinity): AsyncGenerator<string[]> {
  let index = -1
  const wanted = (lines: string[]): string[] => {
    const out: string[] = []
    for (const line of lines) {
      index++
      if (index > skip + take) break
      if (index > skip) out.push(take === Infinity ? line : (JSON.parse(line) as string))
    }
    return out
  }
  for await (const lines of lineChunks(file, 'yield')) {
    const out = wanted(lines)
    if (out.length > 0) yield out
    if (index > skip + take) return
  }
}

/** A journal written as one JSON document (version 2, or none) if this release can finish it, else why not. */
function judged(text: string, store: string): Journal | { damaged: string } {
  if (text.length === 0) return { damaged: 'it is empty' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { damaged: 'it is not JSON (cut short or overwritten)' }
  }
  const damaged = problem(value, store)
  if (damaged !== undefined) return { damaged }
  const { id, paths, removed = [] } = value as { id: string; paths: string[]; removed?: string[] }
  return { id, count: paths.length, paths: chunked(paths), removed: chunked(removed) }
}

function chunked(paths: string[]): () => AsyncIterable<string[]> {
  return async function* () {
    if (paths.length > 0) yield paths
  }
}

function problem(value: unknown, store: string): string | undefined {
  const notOurs = 'it is not a restore journal of this tool'
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${notOurs} (not an object)`
  const journal = value as Record<string, unknown>
  if (journal['version'] !== undefined && journal['version'] !== DOCUMENT_VERSION)
    return `it is a journal of version ${shown(journal['version'])}, which this release does not read (it reads ${DOCUMENT_VERSION}) as one JSON document: a later release wrote it, and can finish it`
  const lists = [journal['paths'], journal['removed'] ?? []]
  if (typeof journal['id'] !== 'string' || !lists.every(isStringList))
    return `${notOurs} (its \`id\`, \`paths\` or \`removed\` is missing or of the wrong type)`
  for (const path of (lists as string[][]).flat()) {
    const why = pathProblem(path)
    if (why) return `${notOurs}: its path ${shown(path)} ${why}`
  }
  if (journal['version'] === undefined) return undefined
  if (journal['store'] !== store) return notThisStore(journal['store'], store)
  return undefined
}

function notThisStore(written: unknown, store: string): string {
  return `it belongs to the store ${shown(written)}, not this one (${store}): it was copied here with the store's ${STATE_DIR} folder, or the store was moved`
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
