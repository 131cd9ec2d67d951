import { afterEach, describe, expect, it } from '@jest/globals'
import { compactVerify, createLocalJWKSet } from 'jose'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { EngineEvent } from '../../src/engine/events.js'
import { ensureStoredMachineKey } from '../../src/engine/machine-key/index.js'
import {
  refusalError,
  refusalEvent,
  ServiceClient,
  type BatchLicense,
  type CheckLicense,
  type RefusedOutcome
} from '../../src/engine/service/index.js'
import type { Issuer } from '../../src/fixtures/issuer.js'
import { generateStore } from '../../src/fixtures/store.js'
import type { LicenseServer } from '../../packages/license-server/src/license-server.js'
import {
  claimsOf,
  license,
  machine,
  machineKey,
  openSession,
  restoreOn,
  startServer,
  tempDir,
  TOKEN
} from '../support/service.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map(close => close()))
})

/** A loopback server that holds the first `stalls` requests unanswered, then answers 201. */
async function stallingServer(stalls: number): Promise<{ url: string; seen: () => number }> {
  let seen = 0
  const server: Server = createServer((req, res) => {
    seen++
    req.resume()
    if (seen <= stalls) return
    res
      .writeHead(201, { 'content-type': 'application/json' })
      .end('{"id":"s1","expires_at":"2026-01-01T00:00:00Z"}')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  )
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen }
}

/** What the restore code injects: the license verifies against the issuer and keeps its claims. */
function checkWith(issuer: Issuer): CheckLicense {
  const keys = createLocalJWKSet(issuer.jwks())
  return async (jws, expected) => {
    const { payload } = await compactVerify(jws, keys)
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
    if (claims['jti'] !== expected.jti || claims['key_id'] !== expected.key_id)
      throw new Error('another license')
    if (JSON.stringify(claims['rights']) !== JSON.stringify(expected.rights)) throw new Error('other rights')
    if ((claims['cnf'] as { jkt?: string })?.jkt !== expected.machineId)
      throw new Error('bound to another machine')
  }
}

function batchOf(jws: string): BatchLicense {
  const claims = claimsOf(jws)
  return {
    jti: claims['jti'] as string,
    key_id: claims['key_id'] as string,
    rights: claims['rights'] as never,
    jws
  }
}

describe('service client on loopback', () => {
  it('retries an attempt that gets no answer within the per-attempt timeout', async () => {
    const stalling = await stallingServer(1)
    const sleeps: number[] = []
    const client = new ServiceClient({
      url: stalling.url,
      token: TOKEN,
      timeoutMs: 200,
      sleep: async ms => void sleeps.push(ms)
    })
    const session = await client.openSession(await machineKey(1), true)
    expect(session.id).toBe('s1')
    expect(stalling.seen()).toBe(2)
    expect(sleeps).toHaveLength(1)
  })

  it('fails with SERVICE_UNAVAILABLE when no attempt gets an answer in time', async () => {
    const stalling = await stallingServer(Infinity)
    const client = new ServiceClient({
      url: stalling.url,
      token: TOKEN,
      timeoutMs: 100,
      retry: { maxAttempts: 2 },
      sleep: async () => undefined
    })
    const error = await client.openSession(await machineKey(1), true).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    expect((error as Error).message).toContain(`${stalling.url}/v1/sessions`)
    expect((error as Error).message).toContain('no answer within 100 ms')
  })

  it('restores a store through the reference server, bound to this machine, and reports the limit', async () => {
    const { server, issuer, dir }: { server: LicenseServer; issuer: Issuer; dir: string } =
      await startServer()
    closers.push(() => server.close())
    const source = await generateStore(join(dir, 'source'), issuer, { count: 5, expiredShare: 0, seed: 9 })
    const jwss = await Promise.all(source.licenses.map(l => readFile(join(source.dir, l.path), 'utf8')))
    const stored = await ensureStoredMachineKey(await tempDir(), true)
    const events: EngineEvent[] = []
    const client = new ServiceClient({ url: server.url, token: TOKEN, listener: e => events.push(e) })

    // Three other machines already hold the first license: this one would be its fifth.
    const full = license(issuer, 'lic-full', { cnf: { jkt: (await machine(40)).id } })
    for (const seed of [41, 42, 43]) {
      await restoreOn(server.url, await openSession(server.url, await machine(seed)), [full])
    }

    const session = await client.openSession(stored, true)
    const outcomes = await client.restoreBatch(session, [full, ...jwss].map(batchOf), checkWith(issuer))
    await client.closeSession(session)

    expect(outcomes.slice(1).map(o => o.status)).toEqual([
      'restored',
      'restored',
      'restored',
      'restored',
      'restored'
    ])
    for (const outcome of outcomes.slice(1)) {
      expect((claimsOf((outcome as { license: string }).license)['cnf'] as { jkt: string }).jkt).toBe(
        stored.id
      )
    }
    const refused = outcomes.filter((o): o is RefusedOutcome => o.status === 'refused')
    expect(refused).toEqual([
      {
        jti: 'lic-full',
        key_id: 'key-lic-full',
        status: 'refused',
        reason: 'restore-limit',
        url: `${server.url}/help/restore-limit?jti=lic-full`
      }
    ])
    const error = refusalError(refused, keyId => (keyId === 'key-lic-full' ? 'Blue Train' : undefined))
    expect(error.code).toBe('RESTORE_LIMIT')
    expect(error.message).toContain('"Blue Train" (key ID key-lic-full, license lic-full)')
    expect(error.subject.url).toBe(refused[0]?.url)
    expect(refusalEvent(refused[0] as RefusedOutcome)).toMatchObject({
      type: 'ERROR_WITH_URL',
      code: 'RESTORE_LIMIT',
      url: refused[0]?.url,
      licenseId: 'lic-full',
      keyId: 'key-lic-full'
    })
    expect(events.map(e => e.type)).toEqual(['CONNECTING', 'DISCONNECTING'])
  })

  it('gets UNAUTHORIZED from the reference server for a wrong token', async () => {
    const { server } = await startServer()
    closers.push(() => server.close())
    const client = new ServiceClient({ url: server.url, token: 'wrong-token', tokenEnv: 'LMS_TOKEN' })
    const error = await client.openSession(await machineKey(1), true).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' })
    expect((error as Error).message).toContain('LMS_TOKEN')
    expect((error as Error).message).not.toContain('wrong-token')
  })

  it("gets a refused proof, not a refused token, from the reference server when this machine's clock is 15 minutes slow", async () => {
    const { server } = await startServer()
    closers.push(() => server.close())
    const slow = () => Date.now() - 15 * 60_000
    const client = new ServiceClient({ url: server.url, token: TOKEN, tokenEnv: 'LMS_TOKEN', now: slow })
    const error = await client.openSession(await machineKey(1), true).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' })
    const message = (error as Error).message
    expect(message).toContain("refused this machine's proof of possession (HTTP 401")
    expect(message).toMatch(/the proof's iat is 9\d\d s old/)
    expect(message).toContain("check this machine's clock")
    expect(message).not.toContain('LMS_TOKEN')
  })
})
