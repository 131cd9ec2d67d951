#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  announceBackup,
  openBackup,
  verifyBackup
} from "./chunk-3YBMJL4H.js";
import "./chunk-SFEFJI6L.js";
import "./chunk-PLZLM3ER.js";
import "./chunk-RAQQYTCA.js";
import {
  NOT_VERIFIED_WARNING,
  createVerifier,
  loadCatalog
} from "./chunk-ZFBTQMQJ.js";
import "./chunk-TCR4G6GI.js";
import "./chunk-Z6MHIMP7.js";
import "./chunk-OQ3BY7FT.js";
import {
  LicenseBackupError,
  message,
  throwIfAborted,
  warning
} from "./chunk-BQKSSR5K.js";
import "./chunk-4BIDEYEZ.js";
import "./chunk-2ZTQXNXN.js";

// src/engine/verify/verify.ts
async function verify(options, control, emit) {
  const signal = control.signal;
  throwIfAborted(signal, "verify");
  const opened = await openBackup(options.path, options);
  emit({ type: "BEGIN", operation: "verify" });
  announceBackup(opened, options, emit);
  if (options.catalog) await loadCatalog(options.catalog);
  const verifier = await createVerifier(options.trust, {
    ...signal ? { signal } : {},
    operation: "verify",
    pooled: true
  });
  try {
    if (!verifier.verifying) emit(warning(NOT_VERIFIED_WARNING));
    const backup = await verifyBackup(options.path, {
      opened,
      verifier,
      ...options.ageIdentity ? { ageIdentity: options.ageIdentity } : {},
      ...signal ? { signal } : {},
      onProgress: (done, total) => emit({ type: "PROGRESS", operation: "verify", phase: "verify", done, total })
    });
    throwIfAborted(signal, "verify");
    emit({
      type: "PROGRESS",
      operation: "verify",
      phase: "verify",
      done: backup.count,
      total: backup.count
    });
    emit({ type: "END", operation: "verify" });
    return {
      format: opened.manifest.format,
      verified: backup.count,
      restricted: backup.restricted,
      signaturesChecked: verifier.verifying,
      ...opened.signer ? { signer: opened.signer } : {},
      ...opened.origin ? { origin: opened.origin } : {},
      packSize: opened.manifest.pack.size
    };
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    if (error instanceof DOMException && error.name === "AbortError")
      throw new LicenseBackupError("CANCELLED", "The verify was cancelled.");
    const code = error.code ?? error.message;
    throw new LicenseBackupError(
      "IO_ERROR",
      message`Reading the backup at ${options.path} failed (${code}); check the folder and its permissions.`,
      {
        file: options.path,
        cause: error
      }
    );
  } finally {
    await verifier.close();
  }
}
export {
  verify
};
