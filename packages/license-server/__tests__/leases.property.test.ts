// The lease invariant (docs/protocol.md, ADR 0160) for any sequence of restores, releases, renewals,
// retries and clock jumps, on the reference service over SQLite with a fake clock: at any instant, for
// every license, the machines holding an unexpired copy never outnumber its limit.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { Issuer } from '../../../src/fixtures/issuer.js'
import type { LicenseServer } from '../src/license-server.js'
import { SKEW_MS } from '../src/storage/lease-policy.js'
import {
  call,
  claimsOf,
  license,
  machine,
  openSession,
  startServer,
  type WireResult
} from '../../../__tests__/support/service.js'

const MACHINES = 6
const LIMIT = 3
const LEASE_MS = 3_600_000

let server: LicenseServer
let issuer: Issuer
let clock = Date.now()
const sessions: string[] = []

beforeAll(async () => {
  ;({ server, issuer } = await startServer({
    now: () => clock,
    restoreLimit: LIMIT,
    leaseMs: LEASE_MS,
    sessionTtlMs: 10 * 365 * 86_400_000
  }))
  for (let seed = 0; seed < MACHINES; seed++) {
    sessions.push(await openSession(server.url, await machine(300 + seed)))
  }
})
afterAll(() => server.close())

type Step =
  | { kind: 'restore'; machine: number; leaseSeconds: number | undefined }
  | { kind: 'retry'; machine: number }
  | { kind: 'renew'; machine: number; leaseSeconds: number | undefined }
  | { kind: 'release'; machine: number }
  | { kind: 'wait'; ms: number }

const who = fc.integer({ min: 0, max: MACHINES - 1 })
const asked = fc.option(fc.integer({ min: 60, max: 2 * 3600 }), { nil: undefined })
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('restore' as const), machine: who, leaseSeconds: asked }),
  fc.record({ kind: fc.constant('retry' as const), machine: who }),
  fc.record({ kind: fc.constant('renew' as const), machine: who, leaseSeconds: asked }),
  fc.record({ kind: fc.constant('release' as const), machine: who }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 2 * LEASE_MS }) })
)

/** Every copy a machine was given, with when: enough to count holders at any instant. */
interface Copy {
  machine: number
  jws: string
  issued: number
  verifiesUntil: number
}

/** The machines holding a copy that still verifies at `t`, by a clock up to the tolerated skew behind. */
function holdersAt(copies: readonly Copy[], t: number): number {
  return new Set(copies.filter(c => c.issued <= t && t < c.verifiesUntil).map(c => c.machine)).size
}

describe('leases', () => {
  it('at any instant, the machines holding an unexpired copy never outnumber the limit', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async steps => {
        const jti = `lease-prop-${run++}`
        const jws = license(issuer, jti)
        const copies: Copy[] = []
        const lastKey = new Map<number, { key: string; body: unknown }>()
        const keep = (m: number, results: WireResult[]): void => {
          const result = results[0]
          if (result?.license === undefined) return
          const exp = claimsOf(result.license)['exp'] as number
          copies.push({ machine: m, jws: result.license, issued: clock, verifiesUntil: exp * 1000 + SKEW_MS })
        }
        const exchange = async (path: string, body: unknown, key?: string): Promise<WireResult[]> => {
          const res = await call(server.url, 'POST', path, {
            body,
            ...(key === undefined ? {} : { headers: { 'idempotency-key': key } })
          })
          expect(res.status).toBe(200)
          return (res.json as { results: WireResult[] }).results
        }
        for (const [i, s] of steps.entries()) {
          if (s.kind === 'wait') {
            clock += s.ms
            continue
          }
          const session = `/v1/sessions/${sessions[s.machine]}`
          const lease =
            'leaseSeconds' in s && s.leaseSeconds !== undefined ? { lease_seconds: s.leaseSeconds } : {}
          if (s.kind === 'restore') {
            const body = { licenses: [jws], ...lease }
            lastKey.set(s.machine, { key: `${jti}-${i}`, body })
            keep(s.machine, await exchange(`${session}/restore`, body, `${jti}-${i}`))
          } else if (s.kind === 'retry') {
            const last = lastKey.get(s.machine)
            if (last) keep(s.machine, await exchange(`${session}/restore`, last.body, last.key))
          } else if (s.kind === 'renew') {
            const own = copies.filter(c => c.machine === s.machine).at(-1)
            if (own) keep(s.machine, await exchange(`${session}/renew`, { licenses: [own.jws], ...lease }))
          } else {
            await exchange(`${session}/release`, { jtis: [jti] })
          }
          // Every instant so far: the count changes only when a copy is issued or stops verifying.
          const moments = copies.flatMap(c => [c.issued, c.verifiesUntil - 1])
          for (const t of moments) expect(holdersAt(copies, t)).toBeLessThanOrEqual(LIMIT)
        }
      }),
      { numRuns: 40 }
    )
  })
})
