// Protocol v1.1: a stable machine key from a secret (JWK or OpenSSH), and the release of a store's
// licenses (service first, then the journaled removal), killed at every point of it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import { type RestoreOptions } from '../../src/engine/index.js'
import { parseMachineKey } from '../../src/engine/machine-key/index.js'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { tempDir, TOKEN, unreleasedHolders } from '../support/service.js'
import { registerSecret } from '../support/secret-scan.js'
import { engine, snapshot } from '../restore/support.js'

registerSecret(TOKEN)
let root: string
let issuer: Issuer
let source: GeneratedStore
let backupPath: string
let jwksFile: string
let server: LicenseServer
const jwkKey = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }))
registerSecret(jwkKey)

beforeAll(async () => {
  root = await tempDir('lb-release-')
  issuer = createIssuer({ kid: 'release-issuer' })
  source = await generateStore(join(root, 'source'), issuer, {
    count: 5,
    seed: 17,
    restrictedShare: 0,
    expiredShare: 0,
    boundShare: 0
  })
  jwksFile = join(root, 'issuer.jwks.json')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  backupPath = join(root, 'backup')
  await engine().engine.backup({ store: source.dir, path: backupPath, trust: { jwksFile } })
  server = await createLicenseServer({ issuer, database: join(root, 'service.db'), tokens: [TOKEN] })
})
afterAll(async () => server.close())

const service = () => ({ url: server.url, token: TOKEN, retry: { baseDelayMs: 5, maxDelayMs: 10 } })

function restoreInto(store: string, extra: Partial<RestoreOptions> = {}) {
  return engine().engine.restore({
    store,
    path: backupPath,
    service: service(),
    trust: { jwksFile },
    ...extra
  })
}

/** The slots the machine holds and has not released (a released one counts until its lease ends, ADR 0160). */
async function slotsOf(machineId: string): Promise<number> {
  let n = 0
  for (const l of source.licenses) if ((await unreleasedHolders(server, l.jti)).includes(machineId)) n++
  return n
}

describe('a stable machine key and release', () => {
  it('the same machine-key-env on two fresh stores is one machine: one slot per license, no key on disk', async () => {
    const machinesOf = async (): Promise<string[][]> =>
      Promise.all(source.licenses.map(async l => (await server.machinesOf(l.jti)).sort()))
    const before = await machinesOf()
    const first = await restoreInto(join(root, 'runner-1'), { machineKey: jwkKey })
    const second = await restoreInto(join(root, 'runner-2'), { machineKey: jwkKey })
    expect(first.machineId).toBe((await parseMachineKey(jwkKey)).id)
    expect(second.machineId).toBe(first.machineId)
    expect(first.restored).toBe(source.licenses.length)
    expect(second.restored).toBe(source.licenses.length)
    // Whatever other machines the other tests put there, this key adds one to each license.
    expect(await machinesOf()).toEqual(before.map(machines => [...machines, first.machineId].sort()))
    const d = JSON.parse(jwkKey) as { d: string }
    for (const store of ['runner-1', 'runner-2']) {
      const files = await snapshot(join(root, store))
      expect(Object.keys(files).some(f => f.endsWith('machine.json'))).toBe(false)
      for (const f of Object.keys(files))
        expect(await readFile(join(root, store, f), 'utf8')).not.toContain(d.d)
    }
  })

  it('an OpenSSH Ed25519 key is the same machine as its JWK; a store of another machine is an error naming both', async () => {
    const dir = await tempDir('lb-sshkey-')
    execFileSync('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', 'runner', '-f', join(dir, 'key')])
    const openssh = await readFile(join(dir, 'key'), 'utf8')
    await rm(dir, { recursive: true })
    registerSecret(openssh)
    const machine = await parseMachineKey(openssh)
    const asJwk = JSON.stringify(machine.privateKey.export({ format: 'jwk' }))
    expect((await parseMachineKey(asJwk)).id).toBe(machine.id)
    const other = join(root, 'other-machine')
    const own = await restoreInto(other, { individualize: true, include: [source.licenses[0]!.jti] })
    const error = (await restoreInto(other, { machineKey: openssh }).catch(e => e)) as LicenseBackupError
    expect(error.code).toBe('STORE_INVALID')
    expect(error.message).toContain(own.machineId)
    expect(error.message).toContain(machine.id)
    expect(error.message).not.toContain('PRIVATE KEY')
    await expect(
      parseMachineKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----')
    ).rejects.toThrow(
      /machine key in the `machineKey` option cannot be used: the OpenSSH key is not in the openssh-key-v1 format/
    )
  })

  it('releases at the service first, then removes the files, a batch at a time (BEGIN, CONNECTING, DISCONNECTING, END); include narrows it; a rerun is a no-op', async () => {
    const store = join(root, 'to-release')
    const restored = await restoreInto(store, { individualize: true })
    const [first, ...rest] = source.licenses
    const run = engine()
    const partial = await run.engine.release({ store, service: service(), include: [first!.jti] })
    expect(partial).toEqual({ machineId: restored.machineId, released: 1, notHeld: 0 })
    expect(run.events.map(e => e.type)).toEqual(['BEGIN', 'CONNECTING', 'DISCONNECTING', 'END'])
    expect(await slotsOf(restored.machineId)).toBe(rest.length)
    expect(await readFile(join(store, first!.path)).catch(() => 'gone')).toBe('gone')
    const all = await engine().engine.release({ store, service: service() })
    expect(all.released).toBe(rest.length)
    expect(await slotsOf(restored.machineId)).toBe(0)
    expect(Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))).toEqual([])
    const rerun = engine()
    expect(await rerun.engine.release({ store, service: service() })).toMatchObject({
      released: 0,
      notHeld: 0
    })
    expect(rerun.events).toEqual([])
  })

  it('a service whose policy refuses releases: UNAUTHORIZED with its reason, the store and the slots as they were', async () => {
    const strict = await createLicenseServer({
      issuer,
      database: join(root, 'strict.db'),
      tokens: [TOKEN],
      allowRelease: false
    })
    try {
      const store = join(root, 'strict-store')
      const options = { store, path: backupPath, trust: { jwksFile }, individualize: true }
      const { machineId } = await engine().engine.restore({
        ...options,
        service: { url: strict.url, token: TOKEN }
      })
      const before = await snapshot(store)
      const error = (await engine()
        .engine.release({ store, service: { url: strict.url, token: TOKEN } })
        .catch(e => e)) as LicenseBackupError
      expect(error.code).toBe('UNAUTHORIZED')
      expect(error.message).toMatch(
        /refused to take licenses back \(HTTP 403: .*policy does not let machines give licenses back/
      )
      expect(await snapshot(store)).toEqual(before)
      for (const l of source.licenses) expect(await strict.machinesOf(l.jti)).toEqual([machineId])
    } finally {
      await strict.close()
    }
  })
})

describe('release of an explicit set of license IDs (release-on-exit, issue 23 item 5)', () => {
  it('`jtis` gives back exactly the licenses with those IDs: a jti that looks like a pattern (lic-*) matches only itself', async () => {
    const dir = join(root, 'pattern-like-source')
    const claims = (jti: string) => ({
      jti,
      key_id: 'a0'.repeat(16),
      iss: issuer.iss,
      iat: Math.floor(Date.now() / 1000),
      sub: 'user-1',
      rights: { play: true, backup: true },
      exp: Math.floor(Date.now() / 1000) + 86_400 * 365
    })
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
    // `lic-*` as an `include` entry is a path glob matching lic-a.jwt and lic-b.jwt, and a key ID too.
    for (const [file, jti] of [
      ['lic-a.jwt', 'lic-a'],
      ['lic-b.jwt', 'lic-b'],
      ['star.jwt', 'lic-*']
    ] as const)
      await writeFile(join(dir, file), issuer.sign(claims(jti)))
    const path = join(root, 'pattern-like-backup')
    await engine().engine.backup({ store: dir, path, trust: { jwksFile } })
    const store = join(root, 'pattern-like-store')
    const restored = await engine().engine.restore({
      store,
      path,
      service: service(),
      trust: { jwksFile },
      individualize: true
    })
    expect(restored.restored).toBe(3)
    const result = await engine().engine.release({ store, service: service(), jtis: ['lic-*'] })
    expect(result).toEqual({ machineId: restored.machineId, released: 1, notHeld: 0 })
    const left = Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))
    expect(left.sort()).toEqual(['lic-a.jwt', 'lic-b.jwt'])
    // Released: its renewals stopped (its slot comes back when the lease ends, protocol v1.2).
    expect(await unreleasedHolders(server, 'lic-*')).toEqual([])
    expect(await unreleasedHolders(server, 'lic-a')).toEqual([restored.machineId])
    expect(await unreleasedHolders(server, 'lic-b')).toEqual([restored.machineId])
    // An empty set gives back nothing (an empty `include` would mean everything).
    const none = engine()
    expect(await none.engine.release({ store, service: service(), jtis: [] })).toMatchObject({
      released: 0,
      notHeld: 0
    })
    expect(none.events).toEqual([])
    await expect(
      engine().engine.release({ store, service: service(), jtis: ['lic-a'], include: ['lic-b'] })
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('`include`') })
  })
})
