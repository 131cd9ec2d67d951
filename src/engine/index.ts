/**
 * The engine's public API. Hosts (the action, a CLI) import from here only.
 */
import type { BackupRestorer } from './api.js'
import { backup } from './backup/backup.js'
import { release } from './release/release.js'
import { restore } from './restore/restore.js'
import { verify } from './verify/verify.js'
import { emitter, type EventListener } from './events.js'

export type * from './api.js'
export * from './errors.js'
export * from './events.js'
export * from './format/manifest.js'
export { parseManifest, serializeManifest, writeManifest } from './format/manifest-io.js'
export { readTar, type TarMember, type TarReadOptions } from './format/tar-reader.js'
export { tarMember, TAR_END } from './format/tar-writer.js'
export { decryptAge, checkRecipients } from './format/age.js'
export { parseLicense, invalidLicense, LICENSE_ALGORITHMS } from './licenses/license.js'
export type { License, LicenseClaims, LicenseHeader, LicenseAlgorithm } from './licenses/license.js'
export { createVerifier, keySetVerifier, jwksUrlOf, NOT_VERIFIED_WARNING } from './licenses/verifier.js'
export type { LicenseVerifier, VerifierOptions } from './licenses/verifier.js'
export { loadCatalog, parseCatalog, type Catalog } from './catalog/catalog.js'
export {
  restrictedLicenseMessage,
  restrictedSummaryMessage,
  type RestrictedEntry
} from './catalog/messages.js'
export { acquireStoreLock, type StoreLock, type LockInfo, type LockOptions } from './store/lock.js'
export { listLicenseFiles, checkStoreDir } from './store/walk.js'
export { STATE_DIR, nameKey, pathProblem, isStateDirName } from './store/names.js'
export { readLicenseFileSync, MAX_LICENSE_BYTES } from './store/read.js'
export { compileGlob, DEFAULT_PATTERN, type PathMatcher } from './store/glob.js'
export { TOOL } from './version.js'
export * from './identity/index.js'
export {
  ServiceClient,
  MAX_BATCH,
  refusalCode,
  refusalError,
  refusalEvent,
  refusalMessage,
  type BatchLicense,
  type CheckLicense,
  type RestoreOutcome,
  type ServiceSession
} from './service/index.js'
export { verifyBackup, type VerifiedBackup } from './restore/verify-backup.js'
export { openBackup, NOT_AUTHENTICATED_WARNING, type OpenedBackup } from './restore/open-backup.js'
export * from './format/manifest-v2.js'
export { INDEX_MEMBER, parseIndex, type PackIndex } from './format/pack-index.js'
export { parseSigningKey, type SigningKey } from './format/ssh/signing-key.js'
export { parseSignature, signMessage, signatureProblem, fingerprint, NAMESPACE } from './format/ssh/sshsig.js'
export { parseAllowedSigners, findSigner } from './format/ssh/allowed-signers.js'
export { describeOrigin } from './backup/origin.js'
export { recoverRestore } from './restore/commit.js'
export { parseMachineKey } from './slots/machine-key.js'

/** The engine, created with an event listener (the classic `WMCreateBackupRestorer(callback)`). */
export function createBackupRestorer(listener?: EventListener): BackupRestorer {
  const emit = emitter(listener)
  return {
    backup: (options, control = {}) => backup(options, control, emit),
    restore: (options, control = {}) => restore(options, control, emit),
    verify: (options, control = {}) => verify(options, control, emit),
    release: (options, control = {}) => release(options, control, emit)
  }
}
