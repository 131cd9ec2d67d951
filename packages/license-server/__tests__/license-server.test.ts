import { describe, expect, it } from '@jest/globals'
import { compactVerify, createLocalJWKSet } from 'jose'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateStore } from '../../../src/fixtures/store.js'
import { createLicenseServer } from '../src/license-server.js'
import {
  call,
  claimsOf,
  license,
  machine,
  sessionBody,
  openSession,
  restoreOn,
  serversClosedAfterEach,
  TOKEN
} from '../../../__tests__/support/service.js'

const { start, running } = serversClosedAfterEach()

describe('reference license server', () => {
  it('opens a session, re-issues each license for the machine, and closes the session', async () => {
    const { server, issuer, dir } = await start()
    const store = await generateStore(join(dir, 'store'), issuer, { count: 6, expiredShare: 0, seed: 3 })
    const jwss = await Promise.all(store.licenses.map(l => readFile(join(store.dir, l.path), 'utf8')))
    const b = await machine(101)

    const opened = await call(server.url, 'POST', '/v1/sessions', {
      body: await sessionBody(b, server.url)
    })
    expect(opened.status).toBe(201)
    expect(opened.type).toBe('application/json')
    const session = opened.json as { id: string; expires_at: string }
    expect(session.id).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(Date.parse(session.expires_at)).toBeGreaterThan(Date.now())

    const { status, results } = await restoreOn(server.url, session.id, jwss)
    expect(status).toBe(200)
    expect(results.map(r => r.jti)).toEqual(store.licenses.map(l => l.jti))
    const keys = createLocalJWKSet(issuer.jwks())
    for (const [i, result] of results.entries()) {
      expect(result.status).toBe('restored')
      const { payload } = await compactVerify(result.license as string, keys)
      const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
      const original = claimsOf(jwss[i] as string)
      // A lease copy (ADR 0160): exp is the lease's end (30 days by default), the license's own in `lease`.
      const exp = claims['exp'] as number
      expect(Math.abs(exp - (Math.floor(Date.now() / 1000) + 30 * 86_400))).toBeLessThan(60)
      expect(claims).toEqual({
        ...original,
        exp,
        lease: { license_exp: original['exp'] },
        cnf: { jkt: b.id }
      })
      expect(result.lease_expires).toBe(new Date(exp * 1000).toISOString())
    }

    const closed = await call(server.url, 'DELETE', `/v1/sessions/${session.id}`)
    expect(closed.status).toBe(204)
    expect(closed.text).toBe('')
    const after = await restoreOn(server.url, session.id, jwss)
    expect(after.status).toBe(404)
  })

  it('restores a license onto at most 4 machines, its original one counted, a holder not counted again', async () => {
    const { server, issuer } = await start()
    const [a, b, c, d, e] = await Promise.all([1, 2, 3, 4, 5].map(machine))
    const original = license(issuer, 'lic-limit', { cnf: { jkt: a!.id } })
    const onto = async (m: typeof a) =>
      (await restoreOn(server.url, await openSession(server.url, m!), [original])).results[0]

    expect((await onto(b))?.status).toBe('restored')
    expect((await onto(b))?.status).toBe('restored') // b holds it already: not counted again
    expect((await onto(c))?.status).toBe('restored')
    expect((await onto(a))?.status).toBe('restored') // the original machine holds it
    expect(await server.machinesOf('lic-limit')).toEqual([a!.id, b!.id, c!.id].sort())
    expect((await onto(d))?.status).toBe('restored') // the fourth machine, the original counted
    const fifth = await onto(e)
    expect(fifth).toEqual({
      jti: 'lic-limit',
      status: 'refused',
      reason: 'restore-limit',
      url: `${server.url}/help/restore-limit?jti=lic-limit`
    })
    expect(await server.machinesOf('lic-limit')).toHaveLength(4)
    // The URL is a page for the user.
    const page = await call(server.url, 'GET', '/help/restore-limit?jti=lic-limit', { token: null })
    expect(page.status).toBe(200)
    expect(page.text).toContain('lic-limit')
    // A machine that holds it still gets it.
    expect((await onto(c))?.status).toBe('restored')
  })

  it('counts an unbound license from its first machine: the fifth distinct machine is refused', async () => {
    const { server, issuer } = await start()
    const unbound = license(issuer, 'lic-free')
    const outcomes: string[] = []
    for (const seed of [11, 12, 13, 14, 15]) {
      const session = await openSession(server.url, await machine(seed))
      outcomes.push((await restoreOn(server.url, session, [unbound])).results[0]?.reason ?? 'restored')
    }
    expect(outcomes).toEqual(['restored', 'restored', 'restored', 'restored', 'restore-limit'])
  })

  it('refuses a revoked license with reason revoked, and others in the batch still restore', async () => {
    const { server, issuer } = await start()
    await server.revoke('lic-gone')
    const session = await openSession(server.url, await machine(7))
    const { results } = await restoreOn(server.url, session, [
      license(issuer, 'lic-gone'),
      license(issuer, 'lic-ok')
    ])
    expect(results[0]).toMatchObject({ jti: 'lic-gone', status: 'refused', reason: 'revoked' })
    expect(results[0]?.license).toBeUndefined()
    expect(results[1]).toMatchObject({ jti: 'lic-ok', status: 'restored' })
  })

  it('refuses a license with a bad signature as invalid-signature', async () => {
    const { server, issuer } = await start()
    const other = (await start()).issuer
    const session = await openSession(server.url, await machine(7))
    const forged = license(other, 'lic-forged')
    const [h, p, sig] = license(issuer, 'lic-tampered').split('.') as [string, string, string]
    const tampered = `${h}.${p}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`
    const { results } = await restoreOn(server.url, session, [forged, tampered])
    expect(results).toEqual([
      { jti: 'lic-forged', status: 'refused', reason: 'invalid-signature' },
      { jti: 'lic-tampered', status: 'refused', reason: 'invalid-signature' }
    ])
    expect(await server.machinesOf('lic-forged')).toEqual([])
  })

  it('replays the same answer, byte for byte, for the same Idempotency-Key; another body with it is 422', async () => {
    const { server, issuer } = await start()
    const session = await openSession(server.url, await machine(8))
    const batch = [license(issuer, 'lic-1'), license(issuer, 'lic-2')]
    const first = await restoreOn(server.url, session, batch, 'batch-1')
    // The state changes in between; the replay must still be the first answer.
    await server.revoke('lic-1')
    const replay = await restoreOn(server.url, session, batch, 'batch-1')
    expect(replay.status).toBe(200)
    expect(replay.text).toBe(first.text)
    expect(first.results[0]?.status).toBe('restored')

    const other = await call(server.url, 'POST', `/v1/sessions/${session}/restore`, {
      body: { licenses: [license(issuer, 'lic-3')] },
      headers: { 'idempotency-key': 'batch-1' }
    })
    expect(other.status).toBe(422)
    expect(other.type).toBe('application/problem+json')
    const fresh = await restoreOn(server.url, session, batch, 'batch-2')
    expect(fresh.results[0]).toMatchObject({ status: 'refused', reason: 'revoked' })
  })

  it('requires a token (401), a restore token (403), an Idempotency-Key, a thumbprint machine ID (400)', async () => {
    const { server, issuer } = await start({ tokens: [TOKEN, { token: 'read-only', access: 'read' }] })
    const m = await machine(9)
    const none = await call(server.url, 'POST', '/v1/sessions', {
      body: { machine: m, individualize: true },
      token: null
    })
    expect(none.status).toBe(401)
    expect(none.type).toBe('application/problem+json')
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(none.json).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      type: `${server.url}/problems/unauthorized`
    })
    const wrong = await call(server.url, 'POST', '/v1/sessions', {
      body: { machine: m, individualize: true },
      token: 'nope'
    })
    expect(wrong.status).toBe(401)
    const readOnly = await call(server.url, 'POST', '/v1/sessions', {
      body: { machine: m, individualize: true },
      token: 'read-only'
    })
    expect(readOnly.status).toBe(403)
    const badId = await call(server.url, 'POST', '/v1/sessions', {
      body: { machine: { ...m, id: (await machine(10)).id }, individualize: true }
    })
    expect(badId.status).toBe(400)
    expect((badId.json as { detail: string }).detail).toMatch(/thumbprint/)
    const session = await openSession(server.url, m)
    const noKey = await call(server.url, 'POST', `/v1/sessions/${session}/restore`, {
      body: { licenses: [license(issuer, 'x')] }
    })
    expect(noKey.status).toBe(400)
    expect((noKey.json as { detail: string }).detail).toMatch(/Idempotency-Key/)
    const tooMany = await restoreOn(
      server.url,
      session,
      Array.from({ length: 1001 }, () => 'a.b.c')
    )
    expect(tooMany.status).toBe(413)
    const unknown = await restoreOn(server.url, 'no-such-session', [license(issuer, 'x')])
    expect(unknown.status).toBe(404)
    // Another token's session is unknown to this one.
    const otherServer = await start({ tokens: [TOKEN, 'second-token'] })
    const mine = await openSession(otherServer.server.url, m)
    const theirs = await call(otherServer.server.url, 'DELETE', `/v1/sessions/${mine}`, {
      token: 'second-token'
    })
    expect(theirs.status).toBe(404)
  })

  it('answers 413 to a body over the size limit, as an answer rather than a reset', async () => {
    const { server } = await start({ maxBodyBytes: 1024 })
    const session = await openSession(server.url, await machine(21))
    const big = await restoreOn(server.url, session, ['x'.repeat(100_000)])
    expect(big.status).toBe(413)
    expect(JSON.parse(big.text)).toMatchObject({ status: 413, title: 'Body too large' })
  })

  it('answers 429 with Retry-After past the rate limit', async () => {
    let clock = Date.UTC(2026, 0, 1)
    const { server } = await start({ rateLimit: { requests: 2, windowMs: 10_000 }, now: () => clock })
    const m = await machine(20)
    for (let i = 0; i < 2; i++) {
      await call(server.url, 'POST', '/v1/sessions', { body: await sessionBody(m, server.url, clock) })
    }
    const limited = await call(server.url, 'POST', '/v1/sessions', {
      body: await sessionBody(m, server.url, clock)
    })
    expect(limited.status).toBe(429)
    expect(limited.type).toBe('application/problem+json')
    expect(limited.headers.get('retry-after')).toBe('10')
    clock += 4_000
    const still = await call(server.url, 'POST', '/v1/sessions', {
      body: await sessionBody(m, server.url, clock)
    })
    expect(still.headers.get('retry-after')).toBe('6')
    clock += 6_000
    expect(
      (await call(server.url, 'POST', '/v1/sessions', { body: await sessionBody(m, server.url, clock) }))
        .status
    ).toBe(201)
  })

  it('answers 503 with Retry-After when told to fail', async () => {
    const { server } = await start()
    server.failNext(1, { retryAfter: 7 })
    const failed = await call(server.url, 'GET', '/.well-known/jwks.json')
    expect(failed.status).toBe(503)
    expect(failed.headers.get('retry-after')).toBe('7')
    expect((await call(server.url, 'GET', '/.well-known/jwks.json')).status).toBe(200)
  })

  it('serves the issuer JWKS, without a token', async () => {
    const { server, issuer } = await start()
    const res = await call(server.url, 'GET', '/.well-known/jwks.json', { token: null })
    expect(res.status).toBe(200)
    expect(res.type).toBe('application/json')
    expect(res.json).toEqual({ keys: [issuer.publicJwk] })
    expect(res.json).not.toHaveProperty('keys.0.d')
  })

  it('keeps its state across a restart: sessions, machines, revocations and stored answers', async () => {
    const first = await start()
    const { issuer, database } = first
    const [a, b, c, d, e] = await Promise.all([31, 32, 33, 34, 35].map(machine))
    const lic = license(issuer, 'lic-kept')
    for (const m of [a, b, c])
      await restoreOn(first.server.url, await openSession(first.server.url, m!), [lic])
    const session = await openSession(first.server.url, d!)
    const answered = await restoreOn(first.server.url, session, [lic], 'kept-key')
    await first.server.revoke('lic-revoked')
    await first.server.close()
    running.splice(running.indexOf(first.server), 1)
    // Windows keeps no POSIX mode: the folder's ACL is what protects the database there.
    if (process.platform !== 'win32') expect((await stat(database)).mode & 0o077).toBe(0)

    const again = await createLicenseServer({ issuer, database, tokens: [TOKEN] })
    running.push(again)
    expect(await again.machinesOf('lic-kept')).toEqual([a!.id, b!.id, c!.id, d!.id].sort())
    // The session is still open and its answer replays.
    const replay = await restoreOn(again.url, session, [lic], 'kept-key')
    expect(replay.text.replaceAll(again.url, '')).toBe(answered.text.replaceAll(first.server.url, ''))
    const fifth = await restoreOn(again.url, await openSession(again.url, e!), [
      lic,
      license(issuer, 'lic-revoked')
    ])
    expect(fifth.results.map(r => r.reason)).toEqual(['restore-limit', 'revoked'])
  })

  it('refuses to start on a file that is not a database, and leaves it as it was', async () => {
    const { issuer, dir } = await start()
    const database = join(dir, 'broken.db')
    await writeFile(database, '{not a database')
    await expect(createLicenseServer({ issuer, database, tokens: [TOKEN] })).rejects.toThrow(/not a database/)
    expect(await readFile(database, 'utf8')).toBe('{not a database')
  })
})
