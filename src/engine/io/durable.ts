import { execFile } from 'node:child_process'
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

/**
 * Makes many small writes durable at once: `sync -f` (syncfs(2), coreutils) flushes the whole filesystem
 * holding `dir`, which costs one flush instead of one fsync per file (0.07 ms against 0.8 ms a file here,
 * ADR 0040). Where `sync -f` is missing, every file and its directory is fsynced instead.
 */
export async function syncMany(dir: string, files: string[]): Promise<void> {
  if (await syncFileSystem(dir)) return
  const dirs = new Set<string>()
  for (const file of files) {
    await fsyncFile(file)
    dirs.add(dirname(file))
  }
  for (const parent of dirs) await fsyncDir(parent)
}

function syncFileSystem(dir: string): Promise<boolean> {
  return new Promise(resolve => {
    execFile('sync', ['-f', dir], error => resolve(error === null))
  })
}
