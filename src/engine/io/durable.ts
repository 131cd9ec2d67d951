import { randomBytes } from 'node:crypto'
import { dirname } from 'node:path'
import { crashPoint } from './crash-points.js'
import { fileIO, writeAll } from './file-io.js'
import { canSyncDirectory, flushOpenFlags } from './platform.js'

/** Flushes a file's data to disk. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await fileIO().open(file, flushOpenFlags())
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Flushes a directory entry (a create, rename or unlink inside it) to disk, where the OS can (not on
 * Windows, whose NTFS journals metadata itself: platform.ts).
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (!canSyncDirectory()) return
  const handle = await fileIO().open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes a whole file so that a reader sees the old content or the new, never a mix: temp, fsync, rename,
 * fsync of the directory. On failure the temp file is removed. `crashLabel` names the crash points
 * `<label>:temp-written` (before the rename) and `<label>:renamed` (after it). `data` may be given in
 * pieces (an iterable of strings, or an async one: a journal read from a file), written one after the
 * other, so a large file is never one string.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array | Iterable<string> | AsyncIterable<string>,
  options: { mode?: number; crashLabel?: string } = {}
): Promise<void> {
  const io = fileIO()
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    const handle = await io.open(temp, 'wx', options.mode ?? 0o644)
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) {
        await writeAll(handle, typeof data === 'string' ? Buffer.from(data) : data)
      } else {
        for await (const piece of data) await writeAll(handle, Buffer.from(piece))
      }
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (options.crashLabel) crashPoint(`${options.crashLabel}:temp-written`)
    await io.rename(temp, file)
  } catch (error) {
    await io.rm(temp, { force: true }).catch(() => {})
    throw error
  }
  if (options.crashLabel) crashPoint(`${options.crashLabel}:renamed`)
  await fsyncDir(dirname(file))
}

/** True for a leftover temp file of `writeFileAtomic` for `name` (they are removed by recovery). */
export function isAtomicTemp(name: string, target: string): boolean {
  return name.startsWith(`${target}.tmp-`)
}
