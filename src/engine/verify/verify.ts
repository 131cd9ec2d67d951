import type { RunControl, VerifyOptions, VerifyReport } from '../api.js'
import { loadCatalog } from '../catalog/catalog.js'
import { LicenseBackupError, throwIfAborted } from '../errors.js'
import type { EventListener } from '../events.js'
import { createVerifier } from '../licenses/verifier.js'
import { NOT_VERIFIED_WARNING } from '../licenses/verifier.js'
import { announceBackup, openBackup } from '../restore/open-backup.js'
import { verifyBackup } from '../restore/verify-backup.js'
import { warning } from '../events.js'
import { message } from '../message.js'

/**
 * The restore drill (docs/format.md): everything a restore checks before it calls the service (the manifest's
 * trust and age, the pack's digest, decryption, every member's name, size and digest, the index, every
 * license's signature), writing nothing anywhere and calling no service. BEGIN → END, with PROGRESS.
 */
export async function verify(
  options: VerifyOptions,
  control: RunControl,
  emit: EventListener
): Promise<VerifyReport> {
  const signal = control.signal
  throwIfAborted(signal, 'verify')
  const opened = await openBackup(options.path, options)
  emit({ type: 'BEGIN', operation: 'verify' })
  announceBackup(opened, options, emit)
  if (options.catalog) await loadCatalog(options.catalog)
  const verifier = await createVerifier(options.trust, {
    ...(signal ? { signal } : {}),
    operation: 'verify',
    pooled: true
  })
  try {
    if (!verifier.verifying) emit(warning(NOT_VERIFIED_WARNING))
    const backup = await verifyBackup(options.path, {
      opened,
      verifier,
      ...(options.ageIdentity ? { ageIdentity: options.ageIdentity } : {}),
      ...(signal ? { signal } : {}),
      onProgress: (done, total) =>
        emit({ type: 'PROGRESS', operation: 'verify', phase: 'verify', done, total })
    })
    throwIfAborted(signal, 'verify')
    emit({
      type: 'PROGRESS',
      operation: 'verify',
      phase: 'verify',
      done: backup.count,
      total: backup.count
    })
    emit({ type: 'END', operation: 'verify' })
    return {
      format: opened.manifest.format,
      verified: backup.count,
      restricted: backup.restricted,
      signaturesChecked: verifier.verifying,
      ...(opened.signer ? { signer: opened.signer } : {}),
      ...(opened.origin ? { origin: opened.origin } : {}),
      packSize: opened.manifest.pack.size
    }
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error
    if (error instanceof DOMException && error.name === 'AbortError')
      throw new LicenseBackupError('CANCELLED', 'The verify was cancelled.')
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new LicenseBackupError(
      'IO_ERROR',
      message`Reading the backup at ${options.path} failed (${code}); check the folder and its permissions.`,
      {
        file: options.path,
        cause: error
      }
    )
  } finally {
    await verifier.close()
  }
}
