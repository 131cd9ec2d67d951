import { readdirSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { asEngineError, LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { compileGlob, DEFAULT_PATTERN } from './glob.js'
import { nameKey, pathProblem, STATE_DIR } from './names.js'

/** The walk lets the event loop run (cancellation, other work) once per this many folders. */
const YIELD_EVERY_FOLDERS = 64

/**
 * Lists the store's licenses: every regular file matching `pattern`, as sorted `/`-separated
 * store-relative paths. Links are never followed; a link (or any non-regular file) matching the pattern
 * is STORE_INVALID, since the user expects it backed up and it cannot be. A license whose path breaks the
 * name rule (`names.ts`), and two paths that are the same name by that rule (case, Unicode normalisation,
 * invisible characters), are STORE_INVALID too: restore refuses such a pack (docs/format.md, docs/names.md) and some file
 * systems cannot hold them.
 */
export async function listLicenseFiles(
  store: string,
  pattern = DEFAULT_PATTERN,
  signal?: AbortSignal
): Promise<string[]> {
  await checkStoreDir(store)
  const matcher = compileGlob(pattern)
  const found: string[] = []
  let folders = 0
  // Synchronous, a folder at a time: readdir of a folder in the page cache costs microseconds, where
  // iterating an fs/promises Dir costs a promise per entry (ADR 0050). The walk yields now and then.
  const walk = async (relativeDir: string): Promise<void> => {
    if (signal?.aborted) return
    const entries = readdirSync(relativeDir === '' ? store : join(store, relativeDir), {
      withFileTypes: true
    })
    if (++folders % YIELD_EVERY_FOLDERS === 0) await new Promise<void>(resolve => setImmediate(resolve))
    for (const entry of entries) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`
      if (relativeDir === '' && entry.name === STATE_DIR) continue
      if (entry.isDirectory()) {
        await walk(relative)
        continue
      }
      if (!matcher.test(relative)) continue
      if (entry.isFile()) {
        checkName(relative, store)
        found.push(relative)
        continue
      }
      const kind = entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'
      throw new LicenseBackupError(
        'STORE_INVALID',
        `${relative} in the store ${store} matches the license pattern but is ${kind}; links are never followed. Replace it with the license file itself, or move it out of the store.`,
        { file: relative }
      )
    }
  }
  try {
    await walk('')
  } catch (error) {
    throw asEngineError(
      error,
      code =>
        new LicenseBackupError(
          'IO_ERROR',
          `The store ${store} cannot be read (${code}); check its permissions.`,
          {
            file: store,
            cause: error
          }
        )
    )
  }
  found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  checkNameCollisions(found, store)
  return found
}

/** STORE_INVALID unless `store` is an existing directory. */
export async function checkStoreDir(store: string): Promise<void> {
  let info
  try {
    info = await stat(store)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`
    throw new LicenseBackupError('STORE_INVALID', `The store ${store} ${why}; check ${option('store')}.`, {
      file: store,
      cause: error
    })
  }
  if (!info.isDirectory()) {
    throw new LicenseBackupError(
      'STORE_INVALID',
      `The store ${store} is not a directory; check ${option('store')}.`,
      {
        file: store
      }
    )
  }
}

function checkName(relative: string, store: string): void {
  const problem = pathProblem(relative)
  if (problem === undefined) return
  throw new LicenseBackupError(
    'STORE_INVALID',
    `${JSON.stringify(relative)} in the store ${store} matches the license pattern but ${problem}; a backup of it could not be restored safely on every file system. Rename it.`,
    { file: relative }
  )
}

function checkNameCollisions(paths: string[], store: string): void {
  // Two paths with the same key cannot both be their own key, so only the keys of paths that are not
  // their own key can be shared: the paths to compare are those whose key is one of them. A store of
  // lower-case ASCII paths costs one pass and no map (ADR 0051).
  const foreignKeys = new Set<string>()
  for (const path of paths) {
    const key = nameKey(path)
    if (key !== path) foreignKeys.add(key)
  }
  if (foreignKeys.size === 0) return
  const seen = new Map<string, string>()
  for (const path of paths) {
    const key = nameKey(path)
    if (!foreignKeys.has(key)) continue
    const other = seen.get(key)
    if (other !== undefined) {
      throw new LicenseBackupError(
        'STORE_INVALID',
        `${JSON.stringify(other)} and ${JSON.stringify(path)} in the store ${store} are the same name on some file systems (they differ only by case, Unicode normalisation or invisible characters); a backup could not be restored on every file system. Rename or remove one of them.`,
        { file: path }
      )
    }
    seen.set(key, path)
  }
}
