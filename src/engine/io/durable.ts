import { open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Flushes a file's data to disk. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Flushes a directory entry (a create, rename or unlink inside it) to disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes a whole file so that a reader sees the old content or the new, never a mix: temp, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${Date.now().toString(36)}`
  const handle = await open(temp, 'w', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temp, file)
  await fsyncDir(dirname(file))
}
