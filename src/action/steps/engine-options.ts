import type {
  BackupOptions,
  Origin,
  ReleaseOptions,
  RenewOptions,
  RestoreOptions,
  StoreOptions,
  VerifyOptions
} from '../../engine/index.js'
import type { StepSecrets } from './secrets.js'
import type { BackupStep, ReleaseStep, RenewStep, RestoreStep, ServiceStep, VerifyStep } from './types.js'

// The engine's options as a step gives them, for every host that runs steps (the action, the command line).

/** The store settings of a step that reads or writes a store. */
function storeOptions(step: BackupStep | RestoreStep | RenewStep): StoreOptions {
  return {
    store: step.store,
    ...(step.pattern === undefined ? {} : { pattern: step.pattern }),
    ...(step.catalog === undefined ? {} : { catalog: step.catalog }),
    ...(step.trust === undefined ? {} : { trust: step.trust }),
    ...(step.rollBackInterrupted ? { rollBackInterrupted: true } : {})
  }
}

/** `signers` and `max-age`, as a restore or verify step checks a backup's manifest. */
function trustOptions(step: RestoreStep | VerifyStep): { signers?: string; maxAgeMs?: number } {
  return {
    ...(step.signers === undefined ? {} : { signers: step.signers }),
    ...(step.maxAgeMs === undefined ? {} : { maxAgeMs: step.maxAgeMs })
  }
}

/** `include`, the machine key and the lease, as the steps that talk to the service give them to the engine. */
function slotOptions(
  step: ServiceStep,
  secrets: StepSecrets
): { include?: string[]; machineKey?: string; lease?: number } {
  return {
    ...(step.include ? { include: step.include } : {}),
    ...(secrets.machineKey === undefined ? {} : { machineKey: secrets.machineKey }),
    ...(step.kind !== 'release' && step.leaseSeconds !== undefined ? { lease: step.leaseSeconds } : {})
  }
}

/** A backup step's options; `origin` (where the backup is made) is the host's to give. */
export function backupOptions(step: BackupStep, secrets: StepSecrets, origin?: Origin): BackupOptions {
  return {
    ...storeOptions(step),
    path: step.path,
    overwrite: step.overwrite,
    ...(step.encryptTo ? { encryptTo: step.encryptTo } : {}),
    ...(step.compression ? { compression: step.compression } : {}),
    ...(step.format ? { format: step.format } : {}),
    ...(secrets.signingKey ? { sign: secrets.signingKey } : {}),
    ...(origin && step.format !== 'license-backup/v1' ? { origin } : {})
  }
}

/** A restore step's options, reading the backup folder at `path` (the step's, or a download of it). */
export function restoreOptions(step: RestoreStep, path: string, secrets: StepSecrets): RestoreOptions {
  return {
    ...storeOptions(step),
    path,
    service: { url: step.service.url, token: secrets.token ?? '' },
    individualize: step.individualize,
    ...(secrets.ageIdentity === undefined ? {} : { ageIdentity: secrets.ageIdentity }),
    ...trustOptions(step),
    ...slotOptions(step, secrets),
    onRefused: step.onRefused
  }
}

/** A verify step's options, reading the backup folder at `path`. */
export function verifyOptions(step: VerifyStep, path: string, secrets: StepSecrets): VerifyOptions {
  return {
    path,
    ...(step.trust === undefined ? {} : { trust: step.trust }),
    ...(step.catalog === undefined ? {} : { catalog: step.catalog }),
    ...(secrets.ageIdentity === undefined ? {} : { ageIdentity: secrets.ageIdentity }),
    ...trustOptions(step)
  }
}

export function releaseOptions(step: ReleaseStep, secrets: StepSecrets): ReleaseOptions {
  return {
    store: step.store,
    ...(step.pattern === undefined ? {} : { pattern: step.pattern }),
    service: { url: step.service.url, token: secrets.token ?? '' },
    ...slotOptions(step, secrets),
    ...(step.rollBackInterrupted ? { rollBackInterrupted: true } : {})
  }
}

export function renewOptions(step: RenewStep, secrets: StepSecrets): RenewOptions {
  return {
    ...storeOptions(step),
    service: { url: step.service.url, token: secrets.token ?? '' },
    ...slotOptions(step, secrets)
  }
}
