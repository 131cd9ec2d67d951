/**
 * The engine's public API: what a host (the action, a CLI) needs, and nothing of the engine's insides.
 * Hosts import from here only; ESLint keeps them to it (ADR 0142). Each operation's code is loaded on its
 * first call, so a host that only reads the constants and errors below (a steps file refused, a backup
 * carried in an artifact) loads none of it.
 */
import type { BackupRestorer } from './api.js';
import { type EventListener } from './events.js';
export type * from './api.js';
export type { EngineEvent, EventListener, Operation } from './events.js';
export { ERROR_CODES, LicenseBackupError, cancelled, internalError, isLicenseBackupError, throwIfAborted, type ErrorCode, type ErrorDetails, type ErrorSubject } from './errors.js';
export { ENGINE_OPTIONS, ENGINE_WORDS, capitalized, option, turnOn, type EngineOption, type OptionMention, type OptionWords, type Phrasebook } from './options.js';
export { message, phrase, prose, type EngineMessage, type MessagePart } from './message.js';
export { TOOL } from './version.js';
export { parseSigningKey, type BackupSigningKey } from './format/ssh/signing-key.js';
export { InputFileError, readInputFile } from './io/input-file.js';
export { compileGlob, DEFAULT_PATTERN } from './store/glob.js';
export { MIN_LEASE_SECONDS } from './slots/lease.js';
export { restrictedLicenseMessage, restrictedSummaryMessage } from './catalog/messages.js';
export { listed } from './slots/listed.js';
export { ENCRYPTED_PACK_FILE, FORMAT, MANIFEST_FILE, PACK_FILE, type Manifest, type ManifestLicense, type ManifestRestricted } from './format/manifest.js';
export { FORMAT_V2, PACK_FILES_V2, SIGNATURE_FILE, type Compression, type Origin } from './format/manifest-v2-names.js';
export type { ManifestV2 } from './format/manifest-v2.js';
export { MAX_SIGNATURE_BYTES } from './format/ssh/sshsig.js';
export { MAX_MANIFEST_BYTES, manifestByteLimit } from './restore/manifest-bounds.js';
export { DEFAULT_RETRY, backoffDelay, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './service/retry.js';
/**
 * Checks age recipients before a backup is made: CONFIG_INVALID naming the first that is not an age X25519
 * recipient (`age1…`). Its own function here so that the library's types name no type of age-encryption,
 * which the library bundles (ADR 0206).
 */
export declare function checkRecipients(recipients: string[]): Promise<void>;
/** The engine, created with an event listener (the classic `WMCreateBackupRestorer(callback)`). */
export declare function createBackupRestorer(listener?: EventListener): BackupRestorer;
