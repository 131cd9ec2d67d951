import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  TOOL
} from "./chunks/chunk-46RMCKOJ.js";
import {
  MAX_MANIFEST_BYTES,
  manifestByteLimit
} from "./chunks/chunk-ONIIBBFK.js";
import {
  ENCRYPTED_PACK_FILE,
  FORMAT,
  FORMAT_V2,
  MANIFEST_FILE,
  MAX_SIGNATURE_BYTES,
  PACK_FILE,
  PACK_FILES_V2,
  SIGNATURE_FILE,
  checkRecipients
} from "./chunks/chunk-4RZRHGFY.js";
import {
  MIN_LEASE_SECONDS
} from "./chunks/chunk-UZPXJM7F.js";
import {
  InputFileError,
  readInputFile
} from "./chunks/chunk-4CBSMRKD.js";
import {
  listed
} from "./chunks/chunk-Z6LEVCEF.js";
import {
  DEFAULT_RETRY,
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  parseSigningKey
} from "./chunks/chunk-I2G36LPA.js";
import {
  DEFAULT_PATTERN,
  ENGINE_OPTIONS,
  ENGINE_WORDS,
  ERROR_CODES,
  LicenseBackupError,
  cancelled,
  capitalized,
  compileGlob,
  emitter,
  internalError,
  isLicenseBackupError,
  message,
  option,
  phrase,
  prose,
  throwIfAborted,
  turnOn
} from "./chunks/chunk-DFELDVRP.js";
import "./chunks/chunk-SDZ6GJJ3.js";

// src/engine/catalog/messages.ts
function restrictedLicenseMessage(entry) {
  if (entry.title !== void 0 && entry.title !== "") {
    return `${JSON.stringify(entry.title)} (key ID ${entry.key_id}) cannot be backed up: its owner does not allow it`;
  }
  const license = entry.jti === void 0 ? "" : `, license ID ${entry.jti}`;
  return `A license (key ID ${entry.key_id}${license}) cannot be backed up: its owner does not allow it`;
}
function restrictedSummaryMessage(count) {
  if (count === 1) return "1 license cannot be backed up: its owner does not allow it";
  return `${count} licenses cannot be backed up: their owners do not allow it`;
}

// src/engine/index.ts
async function checkRecipients2(recipients) {
  await checkRecipients(recipients);
}
function createBackupRestorer(listener) {
  const emit = emitter(listener);
  return {
    backup: async (options, control = {}) => (await import("./chunks/backup-DGNB56QG.js")).backup(options, control, emit),
    restore: async (options, control = {}) => (await import("./chunks/restore-CSKXBE6D.js")).restore(options, control, emit),
    verify: async (options, control = {}) => (await import("./chunks/verify-WFZJMZ3W.js")).verify(options, control, emit),
    release: async (options, control = {}) => (await import("./chunks/release-3ZVCBYVK.js")).release(options, control, emit),
    renew: async (options, control = {}) => (await import("./chunks/renew-ZIIPJSJU.js")).renew(options, control, emit)
  };
}
export {
  DEFAULT_PATTERN,
  DEFAULT_RETRY,
  ENCRYPTED_PACK_FILE,
  ENGINE_OPTIONS,
  ENGINE_WORDS,
  ERROR_CODES,
  FORMAT,
  FORMAT_V2,
  InputFileError,
  LicenseBackupError,
  MANIFEST_FILE,
  MAX_MANIFEST_BYTES,
  MAX_SIGNATURE_BYTES,
  MIN_LEASE_SECONDS,
  PACK_FILE,
  PACK_FILES_V2,
  SIGNATURE_FILE,
  TOOL,
  backoffDelay,
  cancelled,
  capitalized,
  checkRecipients2 as checkRecipients,
  compileGlob,
  createBackupRestorer,
  internalError,
  isLicenseBackupError,
  isRetryableStatus,
  listed,
  manifestByteLimit,
  message,
  option,
  parseRetryAfter,
  parseSigningKey,
  phrase,
  prose,
  readInputFile,
  restrictedLicenseMessage,
  restrictedSummaryMessage,
  throwIfAborted,
  turnOn
};
