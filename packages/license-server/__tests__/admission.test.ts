// Who gets in and how often (issue 22, item 2): made-up tokens are rate-limited by client address before
// they cost a database lookup; a session proof is accepted once, also at the edge of its iat window; a
// token at its session cap is told when a session frees up. On SQLite and, when installed, PostgreSQL.
import { describe, expect, it, jest } from '@jest/globals'
import { CompactSign } from 'jose'
import { randomBytes } from 'node:crypto'
import { machineFromSeed } from '../../../src/fixtures/store.js'
import { PROOF_MAX_AGE_S } from '../src/proof.js'
import { call, machine, serversClosedAfterEach, sessionBody } from '../../../__tests__/support/service.js'
import { storageEngines } from '../../../__tests__/support/storage-engines.js'

const { start } = serversClosedAfterEach()

/** A session proof by test machine `seed` with exactly this `iat` (seconds, fractions kept). */
async function proofWithIat(seed: number, aud: string, iat: number): Promise<{ body: object }> {
  const m = await machineFromSeed(seed)
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: String(m.jwk.x) }
  const proof = await new CompactSign(
    new TextEncoder().encode(JSON.stringify({ aud, iat, nonce: randomBytes(24).toString('base64url') }))
  )
    .setProtectedHeader({ alg: 'EdDSA', jwk })
    .sign(m.privateKey)
  return { body: { machine: { id: m.id, jwk }, individualize: true, proof } }
}

describe.each(storageEngines('admission'))('admission to the license service on %s', (_name, newDatabase) => {
  it('rate-limits tokens that do not authenticate by client address, each past the budget without a lookup', async () => {
    const { server } = await start({
      database: await newDatabase(),
      rateLimit: { requests: 100, windowMs: 60_000 }
    })
    expect((await call(server.url, 'POST', '/v1/sessions', { body: {} })).status).toBe(400) // known token
    const lookups = jest.spyOn(server.store, 'authenticate')
    const statuses: number[] = []
    for (let i = 0; i < 30; i++) {
      const res = await call(server.url, 'DELETE', '/v1/sessions/x', { token: `made-up-${i}` })
      statuses.push(res.status)
      if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    }
    // A tenth of the per-token budget, 10, the known token's first request counted: 9 lookups, then 429s
    // that cost none.
    expect(statuses.filter(s => s === 401)).toHaveLength(9)
    expect(statuses.slice(9).every(s => s === 429)).toBe(true)
    expect(lookups).toHaveBeenCalledTimes(9)
    // A token that authenticated before is not held back by the made-up ones from its address.
    expect((await call(server.url, 'DELETE', '/v1/sessions/x')).status).toBe(404)
  })

  it('accepts a proof once at the edge of its iat window, and refuses one a fraction of a second past it', async () => {
    const at = 1_800_000_000_000
    const { server } = await start({ database: await newDatabase(), now: () => at })
    const edge = await proofWithIat(1, server.url, at / 1000 - PROOF_MAX_AGE_S)
    expect((await call(server.url, 'POST', '/v1/sessions', edge)).status).toBe(201)
    const replay = await call(server.url, 'POST', '/v1/sessions', edge)
    expect(replay.status).toBe(401)
    expect((replay.json as { detail: string }).detail).toMatch(/nonce was already used/)
    const past = await proofWithIat(2, server.url, at / 1000 - PROOF_MAX_AGE_S - 0.4)
    const late = await call(server.url, 'POST', '/v1/sessions', past)
    expect(late.status).toBe(401)
    expect((late.json as { detail: string }).detail).toMatch(/iat is more than 300 s old/)
    const future = await proofWithIat(3, server.url, at / 1000 + PROOF_MAX_AGE_S)
    expect((await call(server.url, 'POST', '/v1/sessions', future)).status).toBe(201)
    expect((await call(server.url, 'POST', '/v1/sessions', future)).status).toBe(401)
  })

  it('keeps a machine’s earlier sessions open (parallel jobs), and at the cap says when one frees up', async () => {
    let at = 1_800_000_000_000
    const { server } = await start({
      database: await newDatabase(),
      now: () => at,
      maxSessionsPerToken: 2,
      sessionTtlMs: 3_600_000
    })
    const open = async (seed: number): Promise<{ status: number; id: string }> => {
      const res = await call(server.url, 'POST', '/v1/sessions', {
        body: await sessionBody(await machine(seed), server.url, at)
      })
      return { status: res.status, id: (res.json as { id: string }).id }
    }
    const first = await open(1)
    at += 600_000
    const second = await open(1)
    expect(second.status).toBe(201)
    // The earlier session of the same machine still works: another job may be using it.
    expect((await call(server.url, 'DELETE', `/v1/sessions/${first.id}`)).status).toBe(204)
    expect((await open(2)).status).toBe(201)
    const capped = await call(server.url, 'POST', '/v1/sessions', {
      body: await sessionBody(await machine(3), server.url, at)
    })
    expect(capped.status).toBe(429)
    // The oldest open session (the second) expires an hour after it was opened.
    expect(capped.headers.get('retry-after')).toBe('3600')
    expect((capped.json as { detail: string }).detail).toMatch(
      /2 open sessions.*next one expires in 3600 s.*--max-sessions/
    )
  })
})
