import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { openFollowsLinks } from '../io/platform.js'
import { invalidLicense } from '../licenses/license.js'
import { message } from '../message.js'

/** A license file larger than this is not a license (docs/format.md: licenses are a few hundred bytes). */
export const MAX_LICENSE_BYTES = 1024 * 1024

/** The file-system calls reading a license needs; tests inject failures through it. */
export interface LicenseFileSystem {
  openSync: typeof openSync
}

const nodeFileSystem: LicenseFileSystem = { openSync }
// O_NOFOLLOW and O_NONBLOCK are undefined on Windows, where the flags are then O_RDONLY alone.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/**
 * Reads one license file of the store, refusing to follow a link that appeared since the walk
 * (O_NOFOLLOW), anything but a regular file, and anything over MAX_LICENSE_BYTES. Synchronous: a license
 * is a few hundred bytes in the page cache, and the four system calls cost ~7 µs here against ~75 µs
 * through fs/promises (ADR 0050). Callers reading many files yield to the event loop between runs of them.
 */
export function readLicenseFileSync(
  store: string,
  relative: string,
  fileSystem: LicenseFileSystem = nodeFileSystem
): Buffer {
  let fd: number
  const path = join(store, relative)
  try {
    fd = fileSystem.openSync(path, OPEN_FLAGS)
  } catch (error) {
    throw unreadable(relative, store, error)
  }
  if (openFollowsLinks() && isLink(path)) {
    closeSync(fd)
    throw unreadable(
      relative,
      store,
      Object.assign(new Error(`${path} is a symbolic link`), { code: 'ELOOP' })
    )
  }
  try {
    const info = fstatSync(fd)
    if (!info.isFile()) {
      throw new LicenseBackupError(
        'STORE_INVALID',
        message`${relative} in the store ${store} is no longer a regular file; links are never followed. Replace it with the license file itself.`,
        { file: relative }
      )
    }
    if (info.size > MAX_LICENSE_BYTES) throw tooBig(relative, info.size)
    // One read of one byte more than the size: a read of a regular file is short only at its end, so a
    // file that grew since the fstat fills the extra byte and one that shrank gives the bytes it has.
    const bytes = Buffer.allocUnsafe(info.size + 1)
    const filled = readSync(fd, bytes, 0, bytes.length, 0)
    if (filled > info.size)
      throw tooBig(relative, filled, 'it grew while it was read; run again when nothing writes to the store')
    return bytes.subarray(0, filled)
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error
    throw unreadable(relative, store, error)
  } finally {
    closeSync(fd)
  }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

function tooBig(relative: string, size: number, why?: string): LicenseBackupError {
  return invalidLicense(
    relative,
    why ?? `it is ${size} bytes, over the ${MAX_LICENSE_BYTES}-byte limit for a license`
  )
}

function unreadable(relative: string, store: string, error: unknown): LicenseBackupError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error'
  if (code === 'ELOOP') {
    return new LicenseBackupError(
      'STORE_INVALID',
      message`${relative} in the store ${store} is a symbolic link; links are never followed. Replace it with the license file itself.`,
      { file: relative, cause: error }
    )
  }
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'give the backup job read access to it'
      : code === 'ENOENT'
        ? 'it disappeared during the backup; run it again when nothing else changes the store'
        : 'check the file and the disk'
  return new LicenseBackupError(
    'IO_ERROR',
    message`${relative} in the store ${store} cannot be read (${code}); ${hint}.`,
    {
      file: relative,
      cause: error
    }
  )
}
