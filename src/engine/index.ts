// PLACEHOLDER on branch feat/action ONLY: the lead replaces this file with the real engine at merge.
// It exists so the action layer compiles and its seam (`createBackupRestorer(listener)`) is typed.
import type { BackupRestorer, EventListener } from './api.js'
import { LicenseBackupError } from './errors.js'

export function createBackupRestorer(_listener?: EventListener): BackupRestorer {
  const notBuilt = (): never => {
    throw new LicenseBackupError(
      'IO_ERROR',
      'The license-backup engine is not built yet (placeholder on feat/action).'
    )
  }
  return { backup: async () => notBuilt(), restore: async () => notBuilt() }
}
