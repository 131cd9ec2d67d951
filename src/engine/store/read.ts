import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { invalidLicense } from '../licenses/license.js'
import { message } from '../message.js'
import {
  MAX_LICENSE_BYTES,
  nodeFileSystem,
  readLicenseInto,
  type LicenseFileSystem,
  type ReadFailure
} from './read-file.js'

export { MAX_LICENSE_BYTES, type LicenseFileSystem } from './read-file.js'

/**
 * Reads one license file of the store (`readLicenseInto`), throwing the error that names it when it
 * cannot. Callers reading many files yield to the event loop between runs of them.
 */
export function readLicenseFileSync(
  store: string,
  relative: string,
  fileSystem: LicenseFileSystem = nodeFileSystem
): Buffer {
  let bytes = Buffer.alloc(0)
  const read = readLicenseInto(
    join(store, relative),
    size => {
      bytes = Buffer.allocUnsafe(size)
      return { buffer: bytes, offset: 0 }
    },
    fileSystem
  )
  if (typeof read !== 'number') throw readError(store, relative, read)
  return bytes.subarray(0, read)
}

/** The error for a license file `readLicenseInto` could not read, naming the file and what to do. */
export function readError(store: string, relative: string, read: ReadFailure): LicenseBackupError {
  if (read.failure === 'not-a-file') {
    return new LicenseBackupError(
      'STORE_INVALID',
      `${relative} in the store ${store} is no longer a regular file; links are never followed. Replace it with the license file itself.`,
      { file: relative }
    )
  }
  if (read.failure === 'too-big')
    return invalidLicense(
      relative,
      `it is ${read.size} bytes, over the ${MAX_LICENSE_BYTES}-byte limit for a license`
    )
  if (read.failure === 'grew')
    return invalidLicense(relative, 'it grew while it was read; run again when nothing writes to the store')
  return unreadable(relative, store, read.code)
}

function unreadable(relative: string, store: string, code: string): LicenseBackupError {
  const cause = Object.assign(new Error(`${join(store, relative)}: ${code}`), { code })
  if (code === 'ELOOP') {
    return new LicenseBackupError(
      'STORE_INVALID',
      message`${relative} in the store ${store} is a symbolic link; links are never followed. Replace it with the license file itself.`,
      { file: relative, cause }
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
    { file: relative, cause }
  )
}
