import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { Issuer } from '../../../src/fixtures/issuer.js'
import type { LicenseServer } from '../src/license-server.js'
import {
  license,
  machine,
  openSession,
  restoreOn,
  startServer,
  type Machine
} from '../../../__tests__/support/service.js'

let server: LicenseServer
let issuer: Issuer
const machines: Machine[] = []
const sessions: string[] = []

beforeAll(async () => {
  ;({ server, issuer } = await startServer())
  for (let seed = 1; seed <= 7; seed++) {
    machines.push(await machine(seed))
    sessions.push(await openSession(server.url, machines[seed - 1] as Machine))
  }
})
afterAll(() => server.close())

describe('the restore limit', () => {
  it('holds for any order of restores: at most 4 machines, a holder always served, a refusal only when full', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 12 }),
        async (original, order) => {
          const jti = `lic-prop-${run++}`
          const jws = license(
            issuer,
            jti,
            original === undefined ? {} : { cnf: { jkt: machines[original]?.id } }
          )
          const holders = new Set<string>(original === undefined ? [] : [machines[original]?.id as string])
          for (const m of order) {
            const id = machines[m]?.id as string
            const { results } = await restoreOn(server.url, sessions[m] as string, [jws])
            const result = results[0]
            const expected = holders.has(id) || holders.size < 4 ? 'restored' : 'restore-limit'
            expect(result?.reason ?? result?.status).toBe(expected)
            if (expected === 'restored') holders.add(id)
            expect(new Set(await server.machinesOf(jti))).toEqual(holders)
          }
        }
      ),
      { numRuns: 25 }
    )
  })
})
