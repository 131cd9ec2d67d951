import type { ManifestRestricted } from '../engine/format/manifest.js'
import type { RefusedLicense } from '../engine/api.js'
import type { UploadedArtifact } from './artifacts/upload.js'
import type { RefusedSeen } from './log/step-log.js'

export type StepOutcome = 'succeeded' | 'failed' | 'cancelled'

/** What one step did, for the summary and the outputs. */
export interface StepRecord {
  kind: 'backup' | 'restore' | 'release'
  title: string
  outcome: StepOutcome
  durationMs: number
  path?: string
  backedUp?: number
  restricted?: ManifestRestricted[]
  restored?: number
  /** Licenses given back to the service (a release step). */
  released?: number
  unchanged?: number
  skipped?: RefusedLicense[]
  refused?: RefusedSeen[]
  artifact?: UploadedArtifact
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

  get lastArtifact(): UploadedArtifact | undefined {
    return this.steps.filter(s => s.artifact).at(-1)?.artifact
  }
}
