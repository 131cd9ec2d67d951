import type { LicenseTrustOptions } from '../../engine/index.js'
import type { RegistryReference, RegistryRepository } from '../registry/reference.js'
import type { KeepPolicy } from '../registry/retention.js'
import type { Location } from './config-error.js'

export type RestrictedPolicy = 'ignore' | 'info' | 'warn' | 'error'
export const RESTRICTED_POLICIES: readonly RestrictedPolicy[] = ['ignore', 'info', 'warn', 'error']

/** A secret named by an environment variable in the steps file, with where it was named. */
export interface EnvRef {
  name: string
  at: Location
}

export interface ArtifactUpload {
  /** Undefined: the default, unique per job and attempt. */
  name?: string
  retentionDays?: number
  compressionLevel?: number
  overwrite: boolean
  at: Location
}

export interface ArtifactSource {
  name: string
  runId?: number
  artifactId?: number
  workflow?: string
  /** With `workflow`: the runs' branch; undefined is the repository's default branch. */
  branch?: string
  /** With `workflow`: the runs' events; undefined is DEFAULT_EVENTS. */
  events?: string[]
  /** Accept a run whose head repository is a fork. */
  allowForks: boolean
  /** `owner/name`; undefined means this repository. */
  repository?: string
  at: Location
}

/** Who the registry client is: nobody (anonymous), or a user name and a token from the environment. */
export interface RegistryLogin {
  username?: string
  tokenEnv?: EnvRef
  /** Token servers on other origins trusted with the credentials (`token-realms`), as origins. */
  tokenRealms?: string[]
}

export interface RegistryPush extends RegistryLogin {
  repository: RegistryRepository
  tags: string[]
  keep?: KeepPolicy & { dryRun: boolean }
  at: Location
}

export interface RegistrySource extends RegistryLogin {
  reference: RegistryReference
  at: Location
}

export interface StoreConfig {
  store: string
  pattern?: string
  catalog?: string
  trust?: LicenseTrustOptions
  /** `roll-back-interrupted`: roll back a restore whose journal cannot be used (docs/errors.md). */
  rollBackInterrupted?: boolean
}

/** What a restore or verify checks a backup's manifest against (docs/format.md). */
export interface BackupTrustConfig {
  /** An allowed_signers file. */
  signers?: string
  /** `max-age` in milliseconds. */
  maxAgeMs?: number
}

export interface BackupStep extends StoreConfig {
  kind: 'backup'
  /** 1-based position among the file's steps, for log groups. */
  index: number
  path: string
  overwrite: boolean
  onRestricted: RestrictedPolicy
  encryptTo?: string[]
  compression?: 'gzip' | 'none'
  format?: 'license-backup/v1' | 'license-backup/v2'
  /** `sign.key-env`: the variable holding the OpenSSH Ed25519 signing key. */
  signKeyEnv?: EnvRef
  artifact?: ArtifactUpload
  registry?: RegistryPush
  at: Location
}

export interface RestoreStep extends StoreConfig, BackupTrustConfig {
  kind: 'restore'
  index: number
  path?: string
  fromArtifact?: ArtifactSource
  fromRegistry?: RegistrySource
  individualize: boolean
  identityEnv?: EnvRef
  service: ServiceConfig
  /** Protocol v1.1: refusals fail the step (default) or are skipped with a warning each. */
  onRefused: 'fail' | 'skip'
  include?: string[]
  machineKeyEnv?: EnvRef
  /** Give back what this step restored in the action's post step. */
  releaseOnExit: boolean
  /** `lease` in seconds: the lease to ask the service for (protocol v1.2). */
  leaseSeconds?: number
  at: Location
}

/** The restore drill: a restore's checks, nothing written, no service called. */
export interface VerifyStep extends BackupTrustConfig {
  kind: 'verify'
  index: number
  path?: string
  fromArtifact?: ArtifactSource
  fromRegistry?: RegistrySource
  identityEnv?: EnvRef
  catalog?: string
  trust?: LicenseTrustOptions
  at: Location
}

export interface ServiceConfig {
  url: string
  tokenEnv?: EnvRef
}

/** Gives the store's licenses back to the service (protocol v1.1). */
export interface ReleaseStep extends StoreConfig {
  kind: 'release'
  index: number
  service: ServiceConfig
  include?: string[]
  machineKeyEnv?: EnvRef
  at: Location
}

/** Renews this machine's lease copies in the store (protocol v1.2). */
export interface RenewStep extends StoreConfig {
  kind: 'renew'
  index: number
  service: ServiceConfig
  include?: string[]
  machineKeyEnv?: EnvRef
  /** `lease` in seconds. */
  leaseSeconds?: number
  at: Location
}

/** The steps that talk to the license service. */
export type ServiceStep = RestoreStep | ReleaseStep | RenewStep

export type Step = BackupStep | RestoreStep | VerifyStep | ReleaseStep | RenewStep

export interface StepsConfig {
  source: string
  steps: Step[]
}
