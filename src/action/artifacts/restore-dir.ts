import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The private folders a restore downloads an artifact into (ADR 0073). An unencrypted backup's pack is
 * plaintext, and a run killed with SIGKILL removes nothing: so each folder carries its process ID,
 * `license-backup-restore-<pid>-<random>`, and every run removes the folders of processes that are gone.
 */
const PREFIX = 'license-backup-restore-'

/** A fresh folder (mode 0700) under `tempDir`, named for this process. */
export function makeRestoreDir(tempDir: string): Promise<string> {
  return mkdtemp(join(tempDir, `${PREFIX}${process.pid}-`))
}

/**
 * Removes the restore folders under `tempDir` left by processes that are gone (and by versions that did
 * not name the process). Returns the folders removed; one that cannot be removed (another user's) is left.
 */
export async function sweepRestoreDirs(tempDir: string): Promise<string[]> {
  const names = await readdir(tempDir).catch(() => [])
  const removed: string[] = []
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue
    const pid = /^(\d+)-/.exec(name.slice(PREFIX.length))?.[1]
    if (pid !== undefined && isRunning(Number(pid))) continue
    const folder = join(tempDir, name)
    try {
      await rm(folder, { recursive: true, force: true })
      removed.push(folder)
    } catch {
      // Not ours to remove (another user's folder in a shared temp): it stays.
    }
  }
  return removed
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
