// The system calls that read one license file of the store, and nothing else: no error objects, no
// message text. A read pool's worker thread runs this module from its TypeScript source (ADR 0140), so it
// imports of the project only what imports nothing of the project itself, by its `.ts` name (ADR 0217).
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs'
import { openFollowsLinks } from '../io/platform.ts'

/** A license file larger than this is not a license (docs/format.md: licenses are a few hundred bytes). */
export const MAX_LICENSE_BYTES = 1024 * 1024

/** The file-system calls reading a license needs; tests inject failures through it. */
export interface LicenseFileSystem {
  openSync: typeof openSync
}

export const nodeFileSystem: LicenseFileSystem = { openSync }
// O_NOFOLLOW and O_NONBLOCK are undefined on Windows, where the flags are then O_RDONLY alone.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/** Why a license file could not be read; `read.ts` turns it into the error that names the file. */
export type ReadFailure =
  | { failure: 'unreadable'; code: string }
  | { failure: 'not-a-file' }
  | { failure: 'too-big'; size: number }
  | { failure: 'grew'; size: number }

/** Where the bytes of a file of `size` bytes go: a buffer with room for them from `offset` on. */
export type Room = (size: number) => { buffer: Uint8Array; offset: number }

/**
 * Reads the license file `path` into the room `room` gives, refusing to follow a link that appeared since
 * the walk (O_NOFOLLOW), anything but a regular file, and anything over MAX_LICENSE_BYTES. Returns how many
 * bytes it put there, or why it could not. Synchronous: a license is a few hundred bytes in the page
 * cache, and the four system calls cost ~7 µs here against ~75 µs through fs/promises (ADR 0050).
 */
export function readLicenseInto(
  path: string,
  room: Room,
  fileSystem: LicenseFileSystem = nodeFileSystem
): number | ReadFailure {
  let fd: number
  try {
    fd = fileSystem.openSync(path, OPEN_FLAGS)
  } catch (error) {
    return unreadable(error)
  }
  try {
    if (openFollowsLinks() && isLink(path)) return { failure: 'unreadable', code: 'ELOOP' }
    const info = fstatSync(fd)
    if (!info.isFile()) return { failure: 'not-a-file' }
    if (info.size > MAX_LICENSE_BYTES) return { failure: 'too-big', size: info.size }
    // One read of one byte more than the size: a read of a regular file is short only at its end, so a
    // file that grew since the fstat fills the extra byte and one that shrank gives the bytes it has.
    const { buffer, offset } = room(info.size + 1)
    const filled = readSync(fd, buffer, offset, info.size + 1, 0)
    return filled > info.size ? { failure: 'grew', size: filled } : filled
  } catch (error) {
    return unreadable(error)
  } finally {
    closeSync(fd)
  }
}

function unreadable(error: unknown): ReadFailure {
  return { failure: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'error' }
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}
