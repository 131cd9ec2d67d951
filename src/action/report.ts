import type { ManifestRestricted, RefusedLicense } from '../engine/index.js'
import type { UploadedArtifact } from './artifacts/upload.js'
import type { RegistryRecord } from './registry/steps.js'
import type { RefusedSeen } from './log/step-log.js'

export type StepOutcome = 'succeeded' | 'failed' | 'cancelled'

/** What one step did, for the summary and the outputs. */
export interface StepRecord {
  kind: 'backup' | 'restore' | 'verify' | 'release' | 'renew'
  title: string
  outcome: StepOutcome
  durationMs: number
  path?: string
  backedUp?: number
  restricted?: ManifestRestricted[]
  /** Where every restricted license is listed, for a summary too short to show them all. */
  restrictedListedIn?: string
  restored?: number
  /** Licenses given back to the service (a release step). */
  released?: number
  /** Lease copies re-issued with a new lease (a renew step). */
  renewed?: number
  /** The earliest lease end (ISO 8601) of the copies the step restored or renewed. */
  leaseExpires?: string
  unchanged?: number
  /** Expired licenses a restore left out (each is in the log at debug level). */
  expired?: number
  /** Refusals a restore left out (`on-refused: skip`). */
  skipped?: RefusedLicense[]
  refused?: RefusedSeen[]
  artifact?: UploadedArtifact
  registry?: RegistryRecord
  /** The pack's size in bytes (backup, verify). */
  packSize?: number
  /** Whether the backup's manifest was signed (backup). */
  signed?: boolean
  /** Licenses a verify checked. */
  verified?: number
  /** Where the verified backup came from, and who signed it. */
  origin?: string
  signer?: string
  /** Why the step failed, for the summary. */
  error?: string
}

/** Everything the run did so far; outputs and the summary are written from it even when a step fails. */
export class RunReport {
  readonly steps: StepRecord[] = []

  add(record: StepRecord): void {
    this.steps.push(record)
  }

  get backedUp(): number {
    return this.steps.reduce((n, s) => n + (s.backedUp ?? 0), 0)
  }

  get restored(): number {
    return this.steps.reduce((n, s) => n + (s.restored ?? 0), 0)
  }

  get restricted(): ManifestRestricted[] {
    return this.steps.flatMap(s => s.restricted ?? [])
  }

  /** Unique key IDs in the order first seen: several licenses may share a key. */
  get restrictedKeyIds(): string[] {
    return [...new Set(this.restricted.map(r => r.key_id))]
  }

  get lastBackupPath(): string {
    return this.steps.filter(s => s.kind === 'backup' && s.backedUp !== undefined).at(-1)?.path ?? ''
  }

  /** The last backup pushed to a registry. */
  get lastPush(): RegistryRecord | undefined {
    return this.steps.filter(s => s.registry?.pushed).at(-1)?.registry
  }

  /** The earliest lease end (ISO 8601) of the copies the run restored or renewed; '' when none was a lease. */
  get leaseExpires(): string {
    const ends = this.steps.flatMap(s => (s.leaseExpires ? [s.leaseExpires] : []))
    // ISO 8601 instants in UTC, as the engine writes them, sort as text.
    return ends.sort()[0] ?? ''
  }

  get verified(): number {
    return this.steps.reduce((n, s) => n + (s.verified ?? 0), 0)
  }

  /** The last backup's pack size, and bytes per license (0 without a backup). */
  get lastPack(): { size: number; perLicense: number } {
    const last = this.steps.filter(s => s.kind === 'backup' && s.packSize !== undefined).at(-1)
    if (!last?.packSize) return { size: 0, perLicense: 0 }
    return {
      size: last.packSize,
      perLicense: last.backedUp ? bytesPerLicense(last.packSize, last.backedUp) : 0
    }
  }

  get lastArtifact(): UploadedArtifact | undefined {
    return this.steps.filter(s => s.artifact).at(-1)?.artifact
  }
}

export function bytesPerLicense(packSize: number, licenses: number): number {
  return Math.round(packSize / licenses)
}
