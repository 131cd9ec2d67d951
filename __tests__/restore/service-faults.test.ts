import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { loadStoredMachineKey } from '../../src/engine/machine-key/index.js'
import { PATHS, type Rule } from '../support/fault-proxy.js'
import { registerSecret } from '../support/secret-scan.js'
import { faultWorld, READ_TOKEN, type FaultWorld } from './fault-world.js'
import { snapshot } from './support.js'

// Issue 4: a restore through a misbehaving service either completes (every license restored and bound to
// this machine) or fails with its code, naming the service URL, and the store is byte-for-byte as it was.
let w: FaultWorld

beforeAll(async () => {
  w = await faultWorld(8)
})
afterAll(async () => w.close())
beforeEach(() => {
  w.proxy.plan([])
  w.proxy.requests.length = 0
})

type Options = Parameters<FaultWorld['restore']>[1]

async function expectRefused(plan: Rule[], code: string, options: Options = {}): Promise<string> {
  const store = await w.target('refused')
  const before = await snapshot(store)
  w.proxy.plan(plan)
  const { error } = await w.restore(store, options)
  expect(error?.code).toBe(code)
  expect(error?.message).toContain(w.proxy.url)
  expect(await snapshot(store)).toEqual(before)
  expect(w.proxy.unused()).toEqual([])
  return error?.message ?? ''
}

async function expectCompleted(plan: Rule[], options: Options = {}): Promise<string> {
  const store = await w.target('completed')
  w.proxy.plan(plan)
  const { error, result } = await w.restore(store, options)
  expect(error).toBeUndefined()
  expect(result).toMatchObject({ restored: w.source.licenses.length })
  expect(w.proxy.unused()).toEqual([])
  const machineKey = await loadStoredMachineKey(store)
  for (const license of w.source.licenses) {
    const claims = decodeJwt(await readFile(join(store, license.path), 'utf8'))
    expect(claims).toMatchObject({ jti: license.jti, key_id: license.keyId, cnf: { jkt: machineKey?.id } })
  }
  return store
}

const problem = (status: number, detail: string): string =>
  JSON.stringify({ type: 'about:blank', title: 'fault', status, detail })
const problemType = { 'content-type': 'application/problem+json' }

describe('restore through a faulty service', () => {
  it('401: a token the service does not know is UNAUTHORIZED naming the URL, store unchanged', async () => {
    const wrong = 'not-a-registered-token-x1'
    registerSecret(wrong)
    const message = await expectRefused([], 'UNAUTHORIZED', { service: { token: wrong } })
    expect(message).toMatch(/401/)
    expect(message).not.toContain(wrong)
  })

  it('403: a read-only token is UNAUTHORIZED naming the URL, store unchanged', async () => {
    const message = await expectRefused([], 'UNAUTHORIZED', { service: { token: READ_TOKEN } })
    expect(message).toMatch(/403/)
  })

  it('404 on the session (expired) is SERVICE_ERROR naming the URL, store unchanged', async () => {
    const message = await expectRefused(
      [
        {
          path: PATHS.restore,
          fault: {
            kind: 'status',
            status: 404,
            headers: problemType,
            body: problem(404, 'Session gone')
          }
        }
      ],
      'SERVICE_ERROR'
    )
    expect(message).toMatch(/404/)
    expect(message).toMatch(/session/)
  })

  it('429 with Retry-After, then success: the restore waits and completes', async () => {
    await expectCompleted([
      {
        path: PATHS.restore,
        fault: { kind: 'status', status: 429, headers: { 'retry-after': '1', ...problemType } }
      }
    ])
    expect(w.proxy.requests.filter(r => PATHS.restore.test(r.path)).map(r => r.fault)).toEqual([
      'status',
      'forward'
    ])
  })

  it('429 without Retry-After, then success: backoff, then completes', async () => {
    await expectCompleted([{ path: PATHS.sessions, times: 2, fault: { kind: 'status', status: 429 } }])
  })

  it('500, then success: retried, completes', async () => {
    await expectCompleted([
      { path: PATHS.restore, fault: { kind: 'status', status: 500, body: problem(500, 'boom') } }
    ])
  })

  it('503 asking to retry past the deadline is SERVICE_UNAVAILABLE at once, store unchanged', async () => {
    const message = await expectRefused(
      [
        {
          path: PATHS.restore,
          times: Infinity,
          fault: { kind: 'status', status: 503, headers: { 'retry-after': '120' } }
        }
      ],
      'SERVICE_UNAVAILABLE'
    )
    expect(message).toMatch(/retry in 120 s/)
  })

  it('503 on every attempt until the deadline is SERVICE_UNAVAILABLE, store unchanged', async () => {
    await expectRefused(
      [{ path: PATHS.restore, times: Infinity, fault: { kind: 'status', status: 503 } }],
      'SERVICE_UNAVAILABLE',
      { service: { deadlineMs: 400 } }
    )
  })

  it('a connection reset is retried and the restore completes', async () => {
    await expectCompleted([{ path: PATHS.restore, fault: { kind: 'reset' } }])
  })

  it('an answer lost to a reset after the service acted is replayed by its Idempotency-Key', async () => {
    const store = await expectCompleted([{ path: PATHS.restore, fault: { kind: 'reset-after-forward' } }])
    const machineKey = await loadStoredMachineKey(store)
    for (const license of w.source.licenses) {
      expect((await w.server.machinesOf(license.jti)).filter(m => m === machineKey?.id)).toHaveLength(1)
    }
  })

  it('connections reset on every attempt are SERVICE_UNAVAILABLE naming the URL, store unchanged', async () => {
    const message = await expectRefused(
      [{ path: PATHS.sessions, times: Infinity, fault: { kind: 'reset' } }],
      'SERVICE_UNAVAILABLE',
      { service: { deadlineMs: 1500 } }
    )
    expect(message).toMatch(/network error/)
  })

  it('a server slower than the per-attempt timeout, once: retried, completes', async () => {
    await expectCompleted([{ path: PATHS.restore, fault: { kind: 'stall', ms: 1500 } }], {
      service: { timeoutMs: 300 }
    })
  })

  it('a server always slower than the per-attempt timeout is SERVICE_UNAVAILABLE, store unchanged', async () => {
    const message = await expectRefused(
      [{ path: PATHS.restore, times: Infinity, fault: { kind: 'stall', ms: 3000 } }],
      'SERVICE_UNAVAILABLE',
      { service: { timeoutMs: 200, deadlineMs: 900 } }
    )
    expect(message).toMatch(/no answer within/)
  })

  it('a non-JSON body (HTML) is SERVICE_ERROR naming the URL, store unchanged', async () => {
    const message = await expectRefused(
      [
        {
          path: PATHS.restore,
          fault: {
            kind: 'status',
            status: 200,
            headers: { 'content-type': 'text/html' },
            body: '<html>ok</html>'
          }
        }
      ],
      'SERVICE_ERROR'
    )
    expect(message).toMatch(/not JSON/)
  })

  it('a JSON content type with a body that is not JSON is SERVICE_ERROR, store unchanged', async () => {
    await expectRefused(
      [
        {
          path: PATHS.restore,
          fault: {
            kind: 'status',
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: '{"results": ['
          }
        }
      ],
      'SERVICE_ERROR'
    )
  })

  it('a returned license for another jti is SERVICE_ERROR naming the license and URL, store unchanged', async () => {
    let asked = ''
    const message = await expectRefused(
      [
        {
          path: PATHS.restore,
          fault: {
            kind: 'mutate',
            mutate: body => {
              const results = (body as { results: Array<{ jti: string; license: string }> }).results
              asked = results[0]!.jti
              results[0]!.license = results[1]!.license
            }
          }
        }
      ],
      'SERVICE_ERROR'
    )
    expect(message).toContain(asked)
    expect(message).toMatch(/its license ID is/)
  })

  it('a returned license with a bad signature is SERVICE_ERROR naming the license and URL, store unchanged', async () => {
    let asked = ''
    const message = await expectRefused(
      [
        {
          path: PATHS.restore,
          fault: {
            kind: 'mutate',
            mutate: body => {
              const result = (body as { results: Array<{ jti: string; license: string }> }).results[2]!
              asked = result.jti
              const [h, p, s] = result.license.split('.') as [string, string, string]
              const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1)
              result.license = `${h}.${p}.${flipped}`
            }
          }
        }
      ],
      'SERVICE_ERROR'
    )
    expect(message).toContain(asked)
    expect(message).toMatch(/signature/i)
  })
})
