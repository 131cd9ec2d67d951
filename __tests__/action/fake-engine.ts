/**
 * A fake engine for tests of the action layer: it emits the event sequences of docs/events.md (BEGIN →
 * RESTRICTED_LICENSE* → END; CONNECTING → DISCONNECTING → BEGIN → END), writes a real backup folder so
 * the artifact code has files to upload, and honours the AbortSignal. The engine's own behaviour is
 * covered by the engine's tests.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type {
  BackupOptions,
  BackupRestorer,
  BackupReport,
  ReleaseOptions,
  RenewOptions,
  RefusedLicense,
  RestoreOptions,
  RestoreReport,
  VerifyOptions,
  VerifyReport
} from '../../src/engine/api.js'
import { cancelled } from '../../src/engine/errors.js'
import type { EngineEvent, EventListener } from '../../src/engine/events.js'
import { ENCRYPTED_PACK_FILE, FORMAT, MANIFEST_FILE, PACK_FILE } from '../../src/engine/format/manifest.js'
import type { Manifest } from '../../src/engine/format/manifest.js'

export interface FakeRestricted {
  keyId: string
  licenseId: string
  title?: string
}

export interface FakeScript {
  licenses?: number
  restricted?: FakeRestricted[]
  /** PROGRESS events to emit, each after advancing the clock by `progressStepMs`. */
  progress?: number
  progressStepMs?: number
  clock?: { now: number }
  /** Waits for the signal instead of finishing (to test cancellation). */
  hang?: boolean
  /** Fails the operation after BEGIN. */
  fail?: Error
  /** Relative backup paths are written under this folder (never the repository). */
  root?: string
  /** Release: fails with this error (a service out of reach). */
  releaseFails?: Error
  /** Restore: an ERROR_WITH_URL event before failing. */
  refusal?: { keyId: string; licenseId: string; url: string; message?: string }
  /** Restore: how many expired licenses it reports. */
  expired?: number
  /** Restore: the refusals it reports as left out (`onRefused: 'skip'`). */
  skipped?: RefusedLicense[]
  /** Restore and renew: the earliest lease end they report. */
  leaseExpires?: string
  /** Renew: how many copies it renews; `renewFails` fails it. */
  renewed?: number
  renewFails?: Error
}

export interface FakeEngine {
  create(listener: EventListener): Promise<BackupRestorer>
  backups: BackupOptions[]
  restores: RestoreOptions[]
  verifies: VerifyOptions[]
  releases: ReleaseOptions[]
  renewals: RenewOptions[]
  /** The pack bytes each restore found in its backup folder. */
  restoredPacks: Buffer[]
  /** Resolves when an operation has started (and the run's signal handlers are in place). */
  started: Promise<void>
}

export function fakeEngine(script: FakeScript = {}): FakeEngine {
  let markStarted: () => void = () => undefined
  const started = new Promise<void>(resolve => (markStarted = resolve))
  const fake: FakeEngine = {
    backups: [],
    restores: [],
    verifies: [],
    releases: [],
    renewals: [],
    restoredPacks: [],
    started,
    create: async listener => {
      const emit = (event: EngineEvent): void => listener(event)
      // Waits like a long operation: a timer keeps the process alive, as a real engine's I/O would.
      const hang = (signal: AbortSignal | undefined, operation: string): Promise<never> =>
        new Promise((_, reject) => {
          const busy = setInterval(() => undefined, 1000)
          signal?.addEventListener('abort', () => {
            clearInterval(busy)
            reject(cancelled(operation))
          })
        })
      return {
        async backup(options, control): Promise<BackupReport> {
          fake.backups.push(options)
          markStarted()
          emit({ type: 'BEGIN', operation: 'backup' })
          if (script.hang) await hang(control?.signal, 'backup')
          if (script.fail) throw script.fail
          for (const r of script.restricted ?? []) {
            emit({ type: 'RESTRICTED_LICENSE', path: `${r.licenseId}.jwt`, ...r })
            emit({
              type: 'LICENSE',
              operation: 'backup',
              outcome: 'restricted',
              path: `${r.licenseId}.jwt`,
              keyId: r.keyId,
              licenseId: r.licenseId
            })
          }
          const total = script.progress ?? 0
          for (let done = 1; done <= total; done++) {
            if (script.clock) script.clock.now += script.progressStepMs ?? 1000
            emit({ type: 'PROGRESS', operation: 'backup', phase: 'packing', done, total })
          }
          const result = await writeBackup(options, script)
          emit({ type: 'END', operation: 'backup' })
          return result
        },
        async restore(options, control): Promise<RestoreReport> {
          fake.restores.push(options)
          markStarted()
          emit({ type: 'CONNECTING', url: options.service.url })
          if (script.hang) await hang(control?.signal, 'restore')
          if (script.refusal) {
            emit({
              type: 'ERROR_WITH_URL',
              code: 'RESTORE_LIMIT',
              message: 'This license is already on 4 machines',
              ...script.refusal
            })
          }
          if (script.fail) throw script.fail
          const folder = resolve(script.root ?? process.cwd(), options.path)
          const manifest = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as Manifest
          fake.restoredPacks.push(await readFile(join(folder, manifest.pack.file)))
          emit({ type: 'DISCONNECTING', url: options.service.url })
          emit({ type: 'BEGIN', operation: 'restore' })
          emit({ type: 'END', operation: 'restore' })
          return {
            machineId: 'machine-1',
            restored: manifest.licenses.length,
            unchanged: 0,
            expired: script.expired ?? 0,
            skipped: script.skipped ?? [],
            ...(script.leaseExpires ? { leaseExpires: script.leaseExpires } : {})
          }
        },
        async verify(options, control): Promise<VerifyReport> {
          fake.verifies.push(options)
          markStarted()
          emit({ type: 'BEGIN', operation: 'verify' })
          if (script.hang) await hang(control?.signal, 'verify')
          if (script.fail) throw script.fail
          const folder = resolve(script.root ?? process.cwd(), options.path)
          const manifest = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as Manifest
          emit({ type: 'END', operation: 'verify' })
          return {
            format: manifest.format,
            verified: manifest.licenses.length,
            restricted: manifest.restricted.length,
            signaturesChecked: options.trust !== undefined,
            origin: 'backup of acme/licenses, nightly.yml on main at 1a2b3c4, run 4242, 3 days old',
            packSize: manifest.pack.size
          }
        },
        async release(options) {
          fake.releases.push(options)
          markStarted()
          if (script.releaseFails) throw script.releaseFails
          emit({ type: 'CONNECTING', url: options.service.url })
          emit({ type: 'DISCONNECTING', url: options.service.url })
          emit({ type: 'BEGIN', operation: 'release' })
          emit({ type: 'END', operation: 'release' })
          return { machineId: 'machine-1', released: options.include?.length ?? 0, notHeld: 0 }
        },
        async renew(options) {
          fake.renewals.push(options)
          markStarted()
          emit({ type: 'BEGIN', operation: 'renew' })
          emit({ type: 'CONNECTING', url: options.service.url })
          if (script.renewFails) throw script.renewFails
          emit({ type: 'DISCONNECTING', url: options.service.url })
          emit({ type: 'END', operation: 'renew' })
          return {
            machineId: 'machine-1',
            renewed: script.renewed ?? 0,
            expired: 0,
            ...(script.leaseExpires ? { leaseExpires: script.leaseExpires } : {})
          }
        }
      }
    }
  }
  return fake
}

async function writeBackup(options: BackupOptions, script: FakeScript): Promise<BackupReport> {
  const folder = resolve(script.root ?? process.cwd(), options.path)
  await mkdir(folder, { recursive: true })
  const encrypted = !!options.encryptTo?.length
  const packFile = encrypted ? ENCRYPTED_PACK_FILE : PACK_FILE
  const pack = Buffer.from(`pack of ${script.licenses ?? 0} licenses from ${options.store}\n`.repeat(50))
  await writeFile(join(folder, packFile), pack)
  const restricted = (script.restricted ?? []).map(r => ({
    jti: r.licenseId,
    key_id: r.keyId,
    ...(r.title ? { title: r.title } : {})
  }))
  const licenses = Array.from({ length: script.licenses ?? 0 }, (_, i) => ({
    jti: `lic-${i}`,
    key_id: `key-${i}`,
    path: `lic-${i}.jwt`,
    sha256: '0'.repeat(64),
    size: 10
  }))
  const manifest: Manifest = {
    format: FORMAT,
    created: new Date(0).toISOString(),
    tool: { name: 'license-backup', version: '0.0.0-test' },
    source: { store: options.store, machine: null },
    encryption: encrypted ? { scheme: 'age', recipients: options.encryptTo ?? [] } : null,
    pack: { file: packFile, sha256: createHash('sha256').update(pack).digest('hex'), size: pack.length },
    licenses,
    restricted,
    counts: { licenses: licenses.length, restricted: restricted.length, bytes: pack.length }
  }
  await writeFile(join(folder, MANIFEST_FILE), JSON.stringify(manifest))
  return {
    path: options.path,
    manifest,
    backedUp: licenses.length,
    restricted,
    files: [MANIFEST_FILE, packFile],
    packSize: pack.length
  }
}
