// A world for restore fault tests: the reference service on loopback with the fault proxy in front, a
// target store that already holds a machine key and licenses (so "unchanged" means something), and
// backups (plain and age-encrypted) of another store to restore into copies of it.
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RestoreOptions, ServiceOptions } from '../../src/engine/api.js'
import type { RetryPolicy } from '../../src/engine/service/retry.js'
import { createBackupRestorer, type LicenseBackupError } from '../../src/engine/index.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { freePort } from '../../src/fixtures/server-process.js'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { registerSecret } from '../support/secret-scan.js'

export const TOKEN = 'fault-test-token-5d2e81'
export const READ_TOKEN = 'fault-read-token-93b7c4'
registerSecret(TOKEN)
registerSecret(READ_TOKEN)

/**
 * Short waits between retries. The restore passes `service` on to its protocol client, whose `retry`
 * option (ADR 0020) sets the backoff; tests shorten it so a retried call costs milliseconds.
 */
export const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 40 }

export interface FaultWorld {
  root: string
  issuer: Issuer
  server: LicenseServer
  proxy: FaultProxy
  jwksFile: string
  /** The store the backups were made from (its licenses are what a restore brings). */
  source: GeneratedStore
  /** A plain backup of `source`, and the same encrypted to `recipient`. */
  backup: string
  encrypted: string
  identity: string
  recipient: string
  /** A store holding a machine key and licenses from another backup; copy it with `target()`. */
  template: string
  target(name: string): Promise<string>
  restore(
    store: string,
    options?: Partial<Omit<RestoreOptions, 'service'>> & {
      service?: Partial<ServiceOptions> & { retry?: Partial<RetryPolicy> }
    }
  ): Promise<{ events: EngineEvent[]; error?: LicenseBackupError; result?: unknown }>
  close(): Promise<void>
}

/**
 * `format` is what the backups are written as: the corruption matrix and the properties tamper with v1
 * backups field by field (their v2 counterparts are in __tests__/format).
 */
export async function faultWorld(
  count = 8,
  format: 'license-backup/v1' | 'license-backup/v2' = 'license-backup/v2'
): Promise<FaultWorld> {
  const root = await mkdtemp(join(tmpdir(), 'lb-faults-'))
  const issuer = createIssuer({ kid: 'fault-issuer' })
  const jwksFile = join(root, 'issuer.jwks.json')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  // The client talks to the proxy, so the service's public URL (a session proof's audience) is the proxy's.
  const proxyPort = await freePort()
  const server = await createLicenseServer({
    issuer,
    database: join(root, 'server-state.db'),
    tokens: [TOKEN, { token: READ_TOKEN, access: 'read' }],
    publicUrl: `http://127.0.0.1:${proxyPort}`
  })
  const proxy = await startFaultProxy(server.url, proxyPort)
  const shape = { restrictedShare: 0, expiredShare: 0, boundShare: 0 }
  const held = await generateStore(join(root, 'held'), issuer, { count: 5, seed: 101, ...shape })
  const source = await generateStore(join(root, 'source'), issuer, { count, seed: 202, ...shape })
  const identity = await generateX25519Identity()
  registerSecret(identity)
  const recipient = await identityToRecipient(identity)
  const engine = createBackupRestorer()
  const trust = { jwksFile }
  await engine.backup({ store: held.dir, path: join(root, 'held-backup'), trust, format })
  const backup = join(root, 'backup')
  const encrypted = join(root, 'backup-encrypted')
  await engine.backup({ store: source.dir, path: backup, trust, format })
  await engine.backup({ store: source.dir, path: encrypted, trust, encryptTo: [recipient], format })
  const template = join(root, 'template')
  await engine.restore({
    store: template,
    path: join(root, 'held-backup'),
    individualize: true,
    // Through the proxy (no faults planned yet): the service takes proofs for its public URL only.
    service: { url: proxy.url, token: TOKEN },
    trust
  })
  proxy.requests.length = 0
  let made = 0
  return {
    root,
    issuer,
    server,
    proxy,
    jwksFile,
    source,
    backup,
    encrypted,
    identity,
    recipient,
    template,
    target: async name => {
      const dir = join(root, 'targets', `${name}-${++made}`)
      await cp(template, dir, { recursive: true })
      return dir
    },
    restore: async (store, options = {}) => {
      const events: EngineEvent[] = []
      const { service, ...rest } = options
      try {
        const result = await createBackupRestorer(e => events.push(e)).restore({
          store,
          path: backup,
          individualize: true,
          trust,
          ...rest,
          service: { url: proxy.url, token: TOKEN, ...FAST, ...service } as ServiceOptions
        })
        return { events, result }
      } catch (error) {
        return { events, error: error as LicenseBackupError }
      }
    },
    close: async () => {
      await proxy.close()
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  }
}

const FAST = { timeoutMs: 2000, deadlineMs: 8000, retry: FAST_RETRY }
