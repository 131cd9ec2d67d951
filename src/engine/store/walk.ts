import { readdirSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { asEngineError, LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { compileGlob, DEFAULT_PATTERN } from './glob.js'
import { lastSegmentProblem, nameKey, pathProblem, STATE_DIR } from './names.js'
import { message } from '../message.js'

/** The scan lets the event loop run (cancellation, other work) once per this many licenses. */
const YIELD_EVERY = 4096

/**
 * The store's licenses one at a time (ADR 0130): every regular file matching `pattern`, as
 * `/`-separated store-relative paths in sorted order, each checked against the name rule; a link (or
 * any non-regular file) matching the pattern is STORE_INVALID, since the user expects it backed up and
 * it cannot be. Only the folders on the way down are held, never the whole list: a folder's entries are
 * sorted with a `/` after a folder's name, so walking them in that order gives the paths in the order a
 * sort of the whole list would. Synchronous: readdir of a folder in the page cache costs microseconds
 * (ADR 0050); the caller yields to the event loop between runs of paths.
 */
export function* walkLicenseFiles(store: string, pattern = DEFAULT_PATTERN): Generator<string> {
  const matcher = compileGlob(pattern)
  const walk = function* (relativeDir: string): Generator<string> {
    const entries = readdirSync(relativeDir === '' ? store : join(store, relativeDir), {
      withFileTypes: true
    })
      .filter(entry => relativeDir !== '' || entry.name !== STATE_DIR)
      .map(entry => ({ entry, key: entry.isDirectory() ? `${entry.name}/` : entry.name }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    // The folder's name is checked once: a file in a folder that passes needs only its own name checked.
    const folderPasses = relativeDir === '' || pathProblem(relativeDir) === undefined
    for (const { entry } of entries) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`
      if (entry.isDirectory()) {
        yield* walk(relative)
        continue
      }
      if (!matcher.test(relative)) continue
      if (entry.isFile()) {
        const problem = folderPasses
          ? lastSegmentProblem(entry.name, relativeDir === '')
          : pathProblem(relative)
        if (problem !== undefined) throw badName(relative, store, problem)
        yield relative
        continue
      }
      const kind = entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'
      throw new LicenseBackupError(
        'STORE_INVALID',
        message`${relative} in the store ${store} matches the license pattern but is ${kind}; links are never followed. Replace it with the license file itself, or move it out of the store.`,
        { file: relative }
      )
    }
  }
  try {
    yield* walk('')
  } catch (error) {
    throw storeReadError(store, error)
  }
}

/**
 * Walks the store once without keeping its paths: checks every license's name, and that no two are the
 * same name by the name rule (case, Unicode normalisation, invisible characters: restore refuses such a
 * pack, docs/names.md, and some file systems cannot hold them). Returns how many licenses there are;
 * `onPath` takes each path in walk order (a backup spools them for its pack, ADR 0245).
 */
export async function scanLicenseFiles(
  store: string,
  pattern = DEFAULT_PATTERN,
  signal?: AbortSignal,
  onPath?: (path: string) => void
): Promise<number> {
  await checkStoreDir(store)
  // Two paths with the same key cannot both be their own key, so only the keys of paths that are not
  // their own key can be shared: a store of lower-case ASCII paths costs one pass and no set (ADR 0051).
  const foreignKeys = new Set<string>()
  let count = 0
  for (const path of walkLicenseFiles(store, pattern)) {
    if (++count % YIELD_EVERY === 0) await new Promise<void>(resolve => setImmediate(resolve))
    // The caller reports the cancellation.
    if (signal?.aborted) return count
    onPath?.(path)
    const key = nameKey(path)
    if (key !== path) foreignKeys.add(key)
  }
  if (foreignKeys.size > 0) checkNameCollisions(walkLicenseFiles(store, pattern), foreignKeys, store)
  return count
}

/**
 * Lists the store's licenses (`walkLicenseFiles`), sorted, with the same-name check of
 * `scanLicenseFiles`: for callers that want the list itself; a backup walks the store instead.
 */
export async function listLicenseFiles(
  store: string,
  pattern = DEFAULT_PATTERN,
  signal?: AbortSignal
): Promise<string[]> {
  await scanLicenseFiles(store, pattern, signal)
  return [...walkLicenseFiles(store, pattern)]
}

function storeReadError(store: string, error: unknown): unknown {
  return asEngineError(
    error,
    code =>
      new LicenseBackupError(
        'IO_ERROR',
        message`The store ${store} cannot be read (${code}); check its permissions.`,
        {
          file: store,
          cause: error
        }
      )
  )
}

/** STORE_INVALID unless `store` is an existing directory. */
export async function checkStoreDir(store: string): Promise<void> {
  let info
  try {
    info = await stat(store)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`
    throw new LicenseBackupError(
      'STORE_INVALID',
      message`The store ${store} ${why}; check ${option('store')}.`,
      {
        file: store,
        cause: error
      }
    )
  }
  if (!info.isDirectory()) {
    throw new LicenseBackupError(
      'STORE_INVALID',
      message`The store ${store} is not a directory; check ${option('store')}.`,
      {
        file: store
      }
    )
  }
}

function badName(relative: string, store: string, problem: string): LicenseBackupError {
  return new LicenseBackupError(
    'STORE_INVALID',
    message`${JSON.stringify(relative)} in the store ${store} matches the license pattern but ${problem}; a backup of it could not be restored safely on every file system. Rename it.`,
    { file: relative }
  )
}

function checkNameCollisions(paths: Iterable<string>, foreignKeys: Set<string>, store: string): void {
  const seen = new Map<string, string>()
  for (const path of paths) {
    const key = nameKey(path)
    if (!foreignKeys.has(key)) continue
    const other = seen.get(key)
    if (other !== undefined) {
      throw new LicenseBackupError(
        'STORE_INVALID',
        message`${JSON.stringify(other)} and ${JSON.stringify(path)} in the store ${store} are the same name on some file systems (they differ only by case, Unicode normalisation or invisible characters); a backup could not be restored on every file system. Rename or remove one of them.`,
        { file: path }
      )
    }
    seen.set(key, path)
  }
}
