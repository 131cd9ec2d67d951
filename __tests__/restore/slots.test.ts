// Protocol v1.1 in the restore: preview first, fail before any slot is used, `onRefused: 'skip'`,
// `include`, a refusal in a race with another machine (its slots given back), and a v1 service.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import { type RestoreOptions, type RestoreReport } from '../../src/engine/index.js'
import { loadStoredMachineKey } from '../../src/engine/machine-key/index.js'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { machine, openSession, restoreOn, tempDir, TOKEN, unreleasedHolders } from '../support/service.js'
import { freePort } from '../../src/fixtures/server-process.js'
import { PATHS, startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { registerSecret } from '../support/secret-scan.js'
import { engine, snapshot } from './support.js'
import { NOT_AUTHENTICATED_WARNING } from '../../src/engine/restore/open-backup.js'

registerSecret(TOKEN)

let root: string
let issuer: Issuer
let source: GeneratedStore
let backupPath: string
let jwksFile: string

beforeAll(async () => {
  root = await tempDir('lb-slots-restore-')
  issuer = createIssuer({ kid: 'slots-issuer' })
  source = await generateStore(join(root, 'source'), issuer, {
    count: 4,
    seed: 13,
    restrictedShare: 0,
    expiredShare: 0,
    boundShare: 0,
    catalogFile: join(root, 'catalog.csv')
  })
  jwksFile = join(root, 'issuer.jwks.json')
  const { writeFile } = await import('node:fs/promises')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  backupPath = join(root, 'backup')
  await engine().engine.backup({ store: source.dir, path: backupPath, trust: { jwksFile } })
})

/** A fresh service with license `jti` already on `limit` other machines. */
async function serviceWithFull(jti: string, name: string): Promise<LicenseServer> {
  const server = await createLicenseServer({ issuer, database: join(root, `${name}.db`), tokens: [TOKEN] })
  const l = source.licenses.find(x => x.jti === jti)!
  const jws = await readFile(join(source.dir, l.path), 'utf8')
  for (const seed of [101, 102, 103, 104]) {
    await restoreOn(server.url, await openSession(server.url, await machine(seed)), [jws])
  }
  return server
}

async function restore(
  server: { url: string },
  store: string,
  extra: Partial<RestoreOptions> = {}
): Promise<{
  result?: RestoreReport
  error?: LicenseBackupError
  events: ReturnType<typeof engine>['events']
}> {
  const run = engine()
  try {
    const result = await run.engine.restore({
      store,
      path: backupPath,
      individualize: true,
      service: { url: server.url, token: TOKEN, retry: { baseDelayMs: 5, maxDelayMs: 10 } },
      trust: { jwksFile },
      ...extra
    })
    return { result, events: run.events }
  } catch (error) {
    return { error: error as LicenseBackupError, events: run.events }
  }
}

async function machineKeyFor(store: string): Promise<string> {
  return (await loadStoredMachineKey(store))!.id
}

/** Licenses of the source whose slots `machineId` holds at the service. */
/** The licenses the machine holds and has not released (a released slot counts until its lease ends, ADR 0160). */
async function heldBy(server: LicenseServer, machineId: string): Promise<string[]> {
  const held: string[] = []
  for (const l of source.licenses) {
    if ((await unreleasedHolders(server, l.jti)).includes(machineId)) held.push(l.jti)
  }
  return held
}

describe('restore with protocol v1.1', () => {
  const servers: LicenseServer[] = []
  const proxies: FaultProxy[] = []
  afterAll(async () => {
    await Promise.all([...proxies.map(p => p.close()), ...servers.map(s => s.close())])
  })

  it('L1 at its limit: four machines restoring [L1, L2…] fail before any slot is used, every refusal with its URL; a fifth restores L2', async () => {
    const [l1, l2] = source.licenses as [GeneratedStore['licenses'][0], GeneratedStore['licenses'][0]]
    const server = await serviceWithFull(l1.jti, 'l1l2')
    servers.push(server)
    for (const n of [1, 2, 3, 4]) {
      const store = join(root, `l1l2-${n}`)
      const { error, events } = await restore(server, store)
      expect(error?.code).toBe('RESTORE_LIMIT')
      expect(error?.message).toContain(l1.jti)
      const withUrl = events.filter(e => e.type === 'ERROR_WITH_URL')
      expect(withUrl).toEqual([
        expect.objectContaining({ licenseId: l1.jti, url: `${server.url}/help/restore-limit?jti=${l1.jti}` })
      ])
      // Previewed, never restored: no restore call, no license written, no slot used.
      expect(events.some(e => e.type === 'BEGIN')).toBe(false)
      expect(Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))).toEqual([])
      expect(await heldBy(server, await machineKeyFor(store))).toEqual([])
    }
    const fifth = join(root, 'l1l2-5')
    const { result, error, events } = await restore(server, fifth, { include: [l2.jti] })
    expect(error).toBeUndefined()
    expect(result?.restored).toBe(1)
    const restored = events.filter(e => e.type === 'LICENSE' && e.outcome === 'restored')
    expect(restored.map(e => e.type === 'LICENSE' && e.licenseId)).toEqual([l2.jti])
    expect(await heldBy(server, await machineKeyFor(fifth))).toEqual([l2.jti])
  })

  it('on-refused skip restores the rest and warns per refused license with its title and URL', async () => {
    const l1 = source.licenses[0]!
    const server = await serviceWithFull(l1.jti, 'skip')
    servers.push(server)
    const store = join(root, 'skip')
    const { result, error, events } = await restore(server, store, {
      onRefused: 'skip',
      catalog: source.catalogFile ?? ''
    })
    expect(error).toBeUndefined()
    expect(result?.restored).toBe(source.licenses.length - 1)
    expect(result?.skipped).toEqual([
      expect.objectContaining({
        jti: l1.jti,
        reason: 'restore-limit',
        url: `${server.url}/help/restore-limit?jti=${l1.jti}`
      })
    ])
    const warnings = events.flatMap(e =>
      e.type === 'WARNING' && e.parts !== NOT_AUTHENTICATED_WARNING.parts ? [e.message] : []
    )
    expect(warnings).toEqual([expect.stringContaining(`restore-limit?jti=${l1.jti}`)])
    expect(warnings[0]).toContain(`"${l1.title}" (key ID ${l1.keyId}, license ${l1.jti})`)
    expect(await heldBy(server, await machineKeyFor(store))).toHaveLength(source.licenses.length - 1)
  })

  it('a refusal in the exchange (another machine took the last slot after the preview) fails with nothing committed and gives the slots back', async () => {
    const server = await createLicenseServer({
      issuer,
      database: join(root, 'race.db'),
      tokens: [TOKEN],
      restoreLimit: 1
    })
    servers.push(server)
    const port = await freePort()
    await server.close()
    const behind = await createLicenseServer({
      issuer,
      database: join(root, 'race.db'),
      tokens: [TOKEN],
      restoreLimit: 1,
      publicUrl: `http://127.0.0.1:${port}`
    })
    servers.push(behind)
    const proxy = await startFaultProxy(behind.url, port)
    proxies.push(proxy)
    const last = source.licenses.at(-1)!
    const jws = await readFile(join(source.dir, last.path), 'utf8')
    proxy.plan([
      {
        path: PATHS.restore,
        fault: {
          kind: 'before',
          act: async () => {
            const session = await openSession(behind.url, await machine(201), undefined, proxy.url)
            await restoreOn(behind.url, session, [jws])
          }
        }
      }
    ])
    const store = join(root, 'race')
    const { error, events } = await restore(proxy, store)
    expect(proxy.unused()).toEqual([])
    expect(error?.code).toBe('RESTORE_LIMIT')
    expect(error?.message).toContain(last.jti)
    expect(events.some(e => e.type === 'BEGIN')).toBe(false)
    expect(Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))).toEqual([])
    // The three it was given in the exchange went back: the slots are as before the run.
    expect(await heldBy(behind, await machineKeyFor(store))).toEqual([])
    expect(proxy.requests.filter(r => PATHS.release.test(r.path))).toHaveLength(1)
  })

  it('a v1 service (no preview) still restores, with one warning that slots cannot be previewed or released', async () => {
    const server = await createLicenseServer({ issuer, database: join(root, 'v1.db'), tokens: [TOKEN] })
    servers.push(server)
    const port = await freePort()
    await server.close()
    const behind = await createLicenseServer({
      issuer,
      database: join(root, 'v1.db'),
      tokens: [TOKEN],
      publicUrl: `http://127.0.0.1:${port}`
    })
    servers.push(behind)
    const proxy = await startFaultProxy(behind.url, port)
    proxies.push(proxy)
    proxy.plan([{ path: PATHS.preview, times: Infinity, fault: { kind: 'status', status: 404, body: '' } }])
    const { result, error, events } = await restore(proxy, join(root, 'v1'))
    expect(error).toBeUndefined()
    expect(result?.restored).toBe(source.licenses.length)
    const warnings = events.flatMap(e =>
      e.type === 'WARNING' && e.parts !== NOT_AUTHENTICATED_WARNING.parts ? [e.message] : []
    )
    expect(warnings).toEqual([
      expect.stringMatching(/speaks protocol v1: slots cannot be previewed or released/)
    ])
  })
})
