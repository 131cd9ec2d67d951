import { realpath } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { LicenseBackupError } from '../errors.js'

/**
 * CONFIG_INVALID when the backup path is the store, inside it, or holds it: a backup inside the store
 * would back itself up, and swapping a folder that holds the store would move the store.
 * Compares real paths, so links and `..` do not hide an overlap.
 */
export async function checkPathsApart(store: string, backupPath: string): Promise<void> {
  const realStore = await realpath(store)
  const realBackup = await realpathOfMaybeMissing(backupPath)
  if (within(realBackup, realStore)) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      `The backup path ${backupPath} is inside the store ${store}; a backup must be written outside the store. Choose a path outside it.`,
      { file: backupPath }
    )
  }
  if (within(realStore, realBackup)) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      `The backup path ${backupPath} holds the store ${store}; writing the backup there would replace the store. Choose a path outside it.`,
      { file: backupPath }
    )
  }
}

/** The real path of `path`, resolving its nearest existing ancestor when it does not exist yet. */
async function realpathOfMaybeMissing(path: string): Promise<string> {
  const absolute = resolve(path)
  const missing: string[] = []
  let current = absolute
  for (;;) {
    try {
      return join(await realpath(current), ...missing.reverse())
    } catch {
      const parent = dirname(current)
      if (parent === current) return absolute
      missing.push(basename(current))
      current = parent
    }
  }
}

function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner)
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel))
}
