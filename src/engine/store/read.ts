import { constants } from 'node:fs'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { fileIO, type FileIO } from '../io/file-io.js'
import { invalidLicense } from '../licenses/license.js'

/** A license file larger than this is not a license (SPEC 2 licenses are a few hundred bytes). */
export const MAX_LICENSE_BYTES = 1024 * 1024

/** The file-system calls reading a license needs; tests inject failures through it. */
export type LicenseFileSystem = Pick<FileIO, 'open'>

/**
 * Reads one license file of the store, refusing to follow a link that appeared since the walk
 * (O_NOFOLLOW), anything but a regular file, and anything over MAX_LICENSE_BYTES.
 */
export async function readLicenseFile(
  store: string,
  relative: string,
  fileSystem: LicenseFileSystem = fileIO()
): Promise<Buffer> {
  let handle
  try {
    handle = await fileSystem.open(
      join(store, relative),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK
    )
  } catch (error) {
    throw unreadable(relative, store, error)
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) {
      throw new LicenseBackupError(
        'STORE_INVALID',
        `${relative} in the store ${store} is no longer a regular file; links are never followed. Replace it with the license file itself.`,
        { file: relative }
      )
    }
    if (info.size > MAX_LICENSE_BYTES) throw tooBig(relative, info.size)
    const bytes = Buffer.alloc(info.size)
    let filled = 0
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    // A file growing while read is caught here; one shrinking gives the bytes it has.
    const { bytesRead: more } = await handle.read(Buffer.alloc(1), 0, 1, filled)
    if (more > 0)
      throw tooBig(
        relative,
        info.size + more,
        'it grew while it was read; run again when nothing writes to the store'
      )
    return bytes.subarray(0, filled)
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error
    throw unreadable(relative, store, error)
  } finally {
    await handle.close()
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
      `${relative} in the store ${store} is a symbolic link; links are never followed. Replace it with the license file itself.`,
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
    `${relative} in the store ${store} cannot be read (${code}); ${hint}.`,
    {
      file: relative,
      cause: error
    }
  )
}
