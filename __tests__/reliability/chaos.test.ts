import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadStoredMachineKey } from '../../src/engine/machine-key/index.js'
import { parseLicense } from '../../src/engine/licenses/license.js'
import { createVerifier } from '../../src/engine/licenses/verifier.js'
import type { LicenseVerifier } from '../../src/engine/licenses/verifier.js'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { FAST_RETRY, faultWorld, type FaultWorld } from '../restore/fault-world.js'
import { snapshot } from '../restore/support.js'
import { PATHS, type Rule } from '../support/fault-proxy.js'

// Issue 7: a restore of 1,000 licenses through a service that misbehaves in every way the proxy knows ends
// complete (every license restored, bound to this machine, its signature verified) or cleanly refused (an
// error, the store byte-for-byte as it was): never partial.
let w: FaultWorld
let verifier: LicenseVerifier
const COUNT = 1000

beforeAll(async () => {
  w = await faultWorld(COUNT)
  verifier = await createVerifier({ jwksFile: w.jwksFile })
})
afterAll(async () => {
  await verifier.close()
  await w.close()
})

type Outcome = 'complete' | 'refused'
/** What a refused run fails with. */
const REFUSED_CODE: Record<string, string> = {
  'a 5xx burst longer than the deadline': 'SERVICE_UNAVAILABLE',
  'a wrong content type on the restore answer': 'SERVICE_ERROR',
  'the issuer key changed mid-run (new JWKS, licenses signed with the new key)': 'SERVICE_ERROR'
}
type Options = Parameters<FaultWorld['restore']>[1]

const status = (code: number, headers: Record<string, string> = {}): Rule['fault'] => ({
  kind: 'status',
  status: code,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: JSON.stringify({ type: 'about:blank', title: 'chaos', status: code })
})

/** Re-signs every returned license with a key the run's trust source never held. */
const rotated = createIssuer({ kid: 'rotated-mid-run' })
const resign = (body: unknown): void => {
  for (const result of (body as { results: Array<{ license?: string }> }).results) {
    if (!result.license) continue
    const claims = JSON.parse(
      Buffer.from(result.license.split('.')[1]!, 'base64url').toString('utf8')
    ) as Record<string, unknown>
    result.license = rotated.sign(claims)
  }
}

const scenarios: Array<[string, Rule[], Outcome, Options?]> = [
  [
    // One run over 1,000 licenses meets each retryable fault in turn; the next attempt gets the next fault.
    'resets, stalls, a 429 storm with Retry-After, a 5xx burst, slow bodies, a lost answer, a failed close',
    [
      { path: PATHS.sessions, fault: { kind: 'reset' } },
      { path: PATHS.sessions, fault: status(429, { 'retry-after': '1' }) },
      { path: PATHS.sessions, fault: { kind: 'stall', ms: 3000 } },
      { path: PATHS.restore, fault: { kind: 'reset' } },
      { path: PATHS.restore, fault: { kind: 'stall', ms: 3000 } },
      { path: PATHS.restore, fault: status(500) },
      { path: PATHS.restore, fault: status(502) },
      { path: PATHS.restore, fault: status(503) },
      { path: PATHS.restore, fault: status(429, { 'retry-after': '1' }) },
      { path: PATHS.restore, fault: { kind: 'slow-body', chunkBytes: 2048, intervalMs: 10 } },
      { path: PATHS.restore, fault: { kind: 'reset-after-forward' } },
      { path: PATHS.restore, fault: { kind: 'slow-body', chunkBytes: 128 * 1024, intervalMs: 20 } },
      { path: PATHS.session, method: 'DELETE', fault: status(500) }
    ],
    'complete',
    // The per-attempt timeout sits well under the stalls and well over a 1,000-license answer on a busy
    // 2-core machine, so only the stalls time out; the deadline leaves room for every fault in turn.
    { service: { timeoutMs: 1500, deadlineMs: 30_000, retry: { ...FAST_RETRY, maxAttempts: 12 } } }
  ],
  [
    'a 5xx burst longer than the deadline',
    [{ path: PATHS.restore, times: Infinity, fault: status(503) }],
    'refused',
    { service: { deadlineMs: 600 } }
  ],
  [
    'a wrong content type on the restore answer',
    [{ path: PATHS.restore, fault: { kind: 'content-type', contentType: 'text/plain' } }],
    'refused'
  ],
  [
    'the issuer key changed mid-run (new JWKS, licenses signed with the new key)',
    [
      { path: PATHS.jwks, skip: 1, times: Infinity, fault: { kind: 'mutate', mutate: () => rotated.jwks() } },
      { path: PATHS.restore, fault: { kind: 'mutate', mutate: resign } }
    ],
    'refused',
    { trust: {} }
  ]
]

describe('service chaos over 1,000 licenses: complete or cleanly refused, never partial', () => {
  it.each(scenarios)('%s', async (name, plan, expected, options = {}) => {
    const store = await w.target('chaos')
    const before = await snapshot(store)
    w.proxy.requests.length = 0
    w.proxy.plan(plan)
    const { error } = await w.restore(store, options)
    expect(w.proxy.unused().filter(rule => rule.path !== PATHS.jwks)).toEqual([])
    const outcome: Outcome = error ? 'refused' : 'complete'
    expect({ outcome, code: error?.code }).toMatchObject({ outcome: expected })
    if (outcome === 'refused') {
      expect(error?.code).toBe(REFUSED_CODE[name])
      expect(error?.message).toContain(w.proxy.url)
      expect(await snapshot(store)).toEqual(before)
      return
    }
    const machineKey = await loadStoredMachineKey(store)
    const checks = w.source.licenses.map(async expectedLicense => {
      const license = parseLicense(
        await readFile(join(store, expectedLicense.path), 'utf8'),
        expectedLicense.path
      )
      await verifier.verify(license)
      expect([license.jti, license.claims.cnf?.jkt]).toEqual([expectedLicense.jti, machineKey?.id])
    })
    await Promise.all(checks)
    const after = await snapshot(store)
    for (const [path, digest] of Object.entries(before)) {
      if (path === '.license-backup/lock') continue
      expect(after[path]).toBe(digest)
    }
    expect(Object.keys(after).length).toBe(Object.keys(before).length + COUNT)
  })
})
