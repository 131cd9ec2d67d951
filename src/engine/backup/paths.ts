import { realpath } from 'node:fs/promises'
import { basename, dirname, join, posix, resolve, win32 } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { foldsCase, type OS } from '../io/platform.js'
import { message } from '../message.js'

/**
 * CONFIG_INVALID when the backup path is the store, inside it, or holds it: a backup inside the store
 * would back itself up, and swapping a folder that holds the store would move the store.
 * Compares real paths, so links and `..` do not hide an overlap.
 */
export async function checkPathsApart(store: string, backupPath: string): Promise<void> {
  const realStore = await realpath(store)
  const realBackup = await realpathOfMaybeMissing(backupPath)
  if (isWithin(realBackup, realStore)) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The backup path ${backupPath} is inside the store ${store}; a backup must be written outside the store. Choose a path outside it.`,
      { file: backupPath }
    )
  }
  if (isWithin(realStore, realBackup)) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The backup path ${backupPath} holds the store ${store}; writing the backup there would replace the store. Choose a path outside it.`,
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

/**
 * Whether `inner` is `outer` or inside it, by the path rules of `os`: drive letters, UNC shares and `\`
 * on Windows, case folded where the file system folds it (ADR 0110).
 */
export function isWithin(inner: string, outer: string, os: OS = process.platform): boolean {
  const path = os === 'win32' ? win32 : posix
  const fold = (text: string): string => (foldsCase(os) ? text.toLowerCase() : text)
  const rel = path.relative(fold(outer), fold(inner))
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel))
}
