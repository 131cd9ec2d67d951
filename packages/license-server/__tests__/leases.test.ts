// Leases (protocol v1.2, ADR 0160) on the reference service: the re-issued copy's `exp` and `lease`
// claim, `lease_seconds`, renewals, and refusals that never cost a slot.
import { describe, expect, it } from '@jest/globals'
import { SKEW_MS } from '../src/storage/lease-policy.js'
import {
  call,
  claimsOf,
  license,
  machine,
  openSession,
  restoreOn,
  serversClosedAfterEach,
  type Machine,
  type WireResult
} from '../../../__tests__/support/service.js'

const { start } = serversClosedAfterEach()

const DAY = 86_400
// Sessions that outlive the fake clock's jumps.
const YEAR = 365 * DAY * 1000

async function renewOn(
  base: string,
  session: string,
  licenses: string[],
  extra: Record<string, unknown> = {}
): Promise<{ status: number; results: WireResult[]; json: unknown }> {
  const res = await call(base, 'POST', `/v1/sessions/${session}/renew`, { body: { licenses, ...extra } })
  return {
    status: res.status,
    results: (res.json as { results?: WireResult[] } | undefined)?.results ?? [],
    json: res.json
  }
}

describe('leases', () => {
  it('a re-issued copy is a lease: exp the lease end (never past the license’s own), lease.license_exp the license’s own end', async () => {
    let clock = Date.now()
    const r = await start({ now: () => clock, sessionTtlMs: YEAR, leaseMs: 7 * DAY * 1000 })
    const url = r.server.url
    const session = await openSession(url, await machine(1))
    const now = Math.floor(clock / 1000)
    const near = now + 3 * DAY
    const { results, text } = await restoreOn(url, session, [
      license(r.issuer, 'far'),
      license(r.issuer, 'near', { exp: near }),
      license(r.issuer, 'endless', { exp: undefined })
    ])
    const claims = results.map(x => claimsOf(x.license as string))
    expect(claims.map(c => [c['exp'], c['lease']])).toEqual([
      [now + 7 * DAY, { license_exp: 4102444800 }],
      [near, { license_exp: near }],
      [now + 7 * DAY, {}]
    ])
    expect(results.map(x => x.lease_expires)).toEqual(
      claims.map(c => new Date((c['exp'] as number) * 1000).toISOString())
    )
    // A shorter lease asked for is granted; a longer one is cut to the policy's.
    const short = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
      body: { licenses: [license(r.issuer, 'far')], lease_seconds: 7200 },
      headers: { 'idempotency-key': 'short' }
    })
    const shortCopy = (short.json as { results: WireResult[] }).results[0]?.license as string
    expect(claimsOf(shortCopy)['exp']).toBe(now + 7200)
    const long = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
      body: { licenses: [license(r.issuer, 'far')], lease_seconds: 90 * DAY },
      headers: { 'idempotency-key': 'long' }
    })
    expect(claimsOf((long.json as { results: WireResult[] }).results[0]?.license as string)['exp']).toBe(
      now + 7 * DAY
    )
    // A replay, later, is byte for byte the first answer: the lease granted then is in the stored answer.
    clock += 3_600_000 - 1
    const replay = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
      body: { licenses: [license(r.issuer, 'far')], lease_seconds: 7200 },
      headers: { 'idempotency-key': 'short' }
    })
    expect(replay.text).toBe(short.text)
    expect(text).toContain('"lease_expires"')
  })

  it('refuses a lease_seconds that is not a whole number of at least 60 seconds', async () => {
    const r = await start()
    const session = await openSession(r.server.url, await machine(2))
    for (const lease_seconds of [59, 60.5, '3600', -1]) {
      const res = await call(r.server.url, 'POST', `/v1/sessions/${session}/renew`, {
        body: { licenses: [], lease_seconds }
      })
      expect(res.status).toBe(400)
      expect((res.json as { detail: string }).detail).toMatch(
        /lease_seconds must be a whole number of seconds, at least 60/
      )
    }
  })

  it('a lease copy restores again like any license: its cnf.jkt is not an original machine, and its own exp decides expiry', async () => {
    let clock = Date.now()
    const r = await start({ now: () => clock, sessionTtlMs: YEAR, leaseMs: 3_600_000 })
    const url = r.server.url
    const [a, b] = await Promise.all([machine(3), machine(4)])
    const onB = await openSession(url, b as Machine)
    const copy = (await restoreOn(url, await openSession(url, a as Machine), [license(r.issuer, 'C')]))
      .results[0]?.license as string
    // Two hours on, the copy's lease has run out, but the license has not: it restores on another machine.
    clock += 2 * 3_600_000
    expect((await restoreOn(url, onB, [copy])).results[0]?.status).toBe('restored')
    // A's lease (and the skew) ended, and the copy's cnf.jkt (A) is not counted as an original machine.
    expect(await r.server.machinesOf('C')).toEqual([b?.id])
    const ended = license(r.issuer, 'E', { exp: Math.floor(clock / 1000) - 1 })
    expect((await restoreOn(url, onB, [ended])).results[0]?.reason).toBe('expired')
  })

  it('renews a held slot with a new lease; a released one is refused released; a lapsed one is a new restore, within the limit', async () => {
    const t0 = Date.now()
    let clock = t0
    const r = await start({ now: () => clock, sessionTtlMs: YEAR, leaseMs: 600_000, restoreLimit: 2 })
    const url = r.server.url
    const ms = await Promise.all([5, 6, 7].map(machine))
    const sessions = await Promise.all(ms.map(m => openSession(url, m)))
    const lic = license(r.issuer, 'R')
    const copies: string[] = []
    for (const s of sessions.slice(0, 2))
      copies.push((await restoreOn(url, s, [lic])).results[0]?.license as string)

    clock += 60_000
    const renewed = await renewOn(url, sessions[0] as string, [copies[0] as string])
    expect(renewed.status).toBe(200)
    const fresh = renewed.results[0]
    expect(fresh).toMatchObject({ jti: 'R', status: 'renewed' })
    expect(claimsOf(fresh?.license as string)['exp']).toBe(Math.floor(clock / 1000) + 600)
    expect(claimsOf(fresh?.license as string)['lease']).toEqual({ license_exp: 4102444800 })
    expect(fresh?.lease_expires).toBe(new Date((Math.floor(clock / 1000) + 600) * 1000).toISOString())

    // Another machine's copy is not this machine's to renew.
    expect((await renewOn(url, sessions[0] as string, [copies[1] as string])).results[0]).toEqual({
      jti: 'R',
      status: 'refused',
      reason: 'invalid-license'
    })
    // A released slot is not renewed.
    await call(url, 'POST', `/v1/sessions/${sessions[1]}/release`, { body: { jtis: ['R'] } })
    expect((await renewOn(url, sessions[1] as string, [copies[1] as string])).results[0]).toEqual({
      jti: 'R',
      status: 'refused',
      reason: 'released'
    })
    // Still counted until its lease (+ skew) ends: the third machine is refused, and pays no slot for it.
    expect((await restoreOn(url, sessions[2] as string, [lic])).results[0]?.reason).toBe('restore-limit')
    expect(await r.server.machinesOf('R')).toHaveLength(2)
    // The released copy's lease and the skew pass (not yet the renewed one's): the third machine takes the
    // slot; the second's renewal is then a new restore, refused at the limit.
    clock = t0 + 600_000 + 300_000 + 1000
    expect((await restoreOn(url, sessions[2] as string, [lic])).results[0]?.status).toBe('restored')
    expect((await renewOn(url, sessions[1] as string, [copies[1] as string])).results[0]).toMatchObject({
      status: 'refused',
      reason: 'restore-limit'
    })
    expect(await r.server.machinesOf('R')).toEqual([ms[0]?.id, ms[2]?.id].sort())
  })

  it('restoring, releasing (keeping the copy) and restoring again on nine machines leaves at most four holding an unexpired copy at every moment', async () => {
    const t0 = Date.now()
    let clock = t0
    const r = await start({ now: () => clock, sessionTtlMs: YEAR, leaseMs: 3_600_000 })
    const url = r.server.url
    const nine = await Promise.all(Array.from({ length: 9 }, (_, i) => machine(60 + i)))
    const sessions = await Promise.all(nine.map(m => openSession(url, m)))
    const lic = license(r.issuer, 'nine')
    const copies = new CopyLedger()
    const check = (): void => expect(copies.worst()).toBeLessThanOrEqual(4)
    for (let round = 0; round < 3; round++) {
      // Each round starts further along, so the machines that come back after a lease ended differ.
      for (let step = 0; step < 9; step++) {
        const i = (step + round * 5) % 9
        const session = sessions[i] as string
        const result = (await restoreOn(url, session, [lic])).results[0]
        if (result?.status === 'restored') copies.add(i, result.license as string, clock)
        else expect(result?.reason).toBe('restore-limit')
        check()
        // The attacker's move: give the slot back, keep the file.
        await call(url, 'POST', `/v1/sessions/${session}/release`, { body: { jtis: ['nine'] } })
        check()
        clock += 7 * 60_000
        check()
      }
    }
    // Slots did come back as leases ended: more than four machines were served, never more than four at once.
    expect(copies.machines()).toBeGreaterThan(4)
  })

  it('the limit and lease of a license’s policy win over its tenant’s, which win over the service’s', async () => {
    const r = await start({ leaseMs: 3 * 3_600_000 })
    const url = r.server.url
    const store = r.server.store
    await store.addTenant('acme', { licensees: ['alice'] })
    const token = (await store.issueToken('acme', 'restore', 't')).token
    await store.setPolicy({ tenant: 'acme' }, { limit: 2, leaseMs: 2 * 3_600_000 })
    await store.setPolicy({ license: 'solo' }, { limit: 1 })
    const shared = license(r.issuer, 'shared', { sub: 'alice' })
    const solo = license(r.issuer, 'solo', { sub: 'alice' })
    const outcomes: string[] = []
    const now = Math.floor(Date.now() / 1000)
    for (const seed of [81, 82, 83]) {
      const session = await openSession(url, await machine(seed), token)
      const res = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
        token,
        body: { licenses: [shared, solo] },
        headers: { 'idempotency-key': 'k' }
      })
      for (const result of (res.json as { results: WireResult[] }).results) {
        outcomes.push(result.reason ?? result.status)
        if (result.license !== undefined) {
          expect(Math.abs((claimsOf(result.license)['exp'] as number) - (now + 7200))).toBeLessThan(60)
        }
      }
    }
    expect(outcomes).toEqual([
      'restored',
      'restored',
      'restored',
      'restore-limit',
      'restore-limit',
      'restore-limit'
    ])
  })

  it('a refused renew or restore never costs a slot', async () => {
    const r = await start({ restoreLimit: 1 })
    const url = r.server.url
    const [a, b] = await Promise.all([machine(8), machine(9)])
    const [sa, sb] = [await openSession(url, a as Machine), await openSession(url, b as Machine)]
    const lic = license(r.issuer, 'one')
    const copy = (await restoreOn(url, sa, [lic])).results[0]?.license as string
    const forged = `${copy.slice(0, -4)}AAAA`
    await r.server.revoke('gone')
    for (let i = 0; i < 3; i++) {
      expect((await restoreOn(url, sb, [lic])).results[0]?.reason).toBe('restore-limit')
      expect((await renewOn(url, sb, [copy])).results[0]?.reason).toBe('invalid-license')
      expect((await renewOn(url, sb, [forged])).results[0]?.reason).toBe('invalid-signature')
      expect((await restoreOn(url, sb, [license(r.issuer, 'gone')])).results[0]?.reason).toBe('revoked')
    }
    expect(await r.server.machinesOf('one')).toEqual([a?.id])
    expect(await r.server.machinesOf('gone')).toEqual([])
  })
})

/**
 * The copies the machines received, each with the moment it was issued: how many machines hold a copy
 * that still verifies, with a clock up to the tolerated skew behind, at any moment.
 */
class CopyLedger {
  private readonly copies: Array<{ machine: number; issued: number; verifiesUntil: number }> = []

  add(machine: number, jws: string, issued: number): void {
    const exp = claimsOf(jws)['exp'] as number
    this.copies.push({ machine, issued, verifiesUntil: exp * 1000 + SKEW_MS })
  }

  holdersAt(t: number): number {
    return new Set(this.copies.filter(c => c.issued <= t && t < c.verifiesUntil).map(c => c.machine)).size
  }

  /** The most machines holding an unexpired copy at any moment so far: the count changes only when a copy
   * is issued or stops verifying, so those moments are every moment there is to check. */
  worst(): number {
    const moments = this.copies.flatMap(c => [c.issued, c.verifiesUntil - 1])
    return Math.max(0, ...moments.map(t => this.holdersAt(t)))
  }

  machines(): number {
    return new Set(this.copies.map(c => c.machine)).size
  }
}
