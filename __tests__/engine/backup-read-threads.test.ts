// A backup's licenses read, parsed, hashed and checked on worker threads (ADR 0217): the same pack and
// manifest as reading them on the main thread, and the same first error, in path order, whichever thread
// read the failing license.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { backup } from '../../src/engine/backup/backup.js'
import type { BackupOptions, LicenseBackupError } from '../../src/engine/index.js'
import { claims, issuer, putLicense, recorder, tempDirs, writeJwks } from '../support/engine.js'

const dirs = tempDirs()
let root: string
let jwks: string

/** Enough licenses for three batches of 256, so the failures below fall to different threads. */
const COUNT = 700

beforeAll(async () => {
  root = await dirs.make()
  jwks = await writeJwks(root)
})
afterAll(() => dirs.cleanup())

async function storeOf(name: string, extra: Record<string, string> = {}): Promise<string> {
  const store = join(root, name)
  for (let i = 0; i < COUNT; i++) {
    const rights = i % 10 === 3 ? { backup: false } : { backup: true }
    await putLicense(
      store,
      `d${i % 7}/l${String(i).padStart(4, '0')}.jwt`,
      claims({ jti: `lic-${i}`, rights })
    )
  }
  for (const [path, text] of Object.entries(extra)) await putLicense(store, path, text)
  return store
}

function run(store: string, path: string, readThreads: number, options: Partial<BackupOptions> = {}) {
  const events = recorder()
  const result = backup({ store, path, ...options }, {}, events.listener, { readThreads })
  return { result, events }
}

async function failure(promise: Promise<unknown>): Promise<LicenseBackupError> {
  return promise.then(
    () => {
      throw new Error('the backup succeeded')
    },
    (error: unknown) => error as LicenseBackupError
  )
}

describe('a backup read on worker threads', () => {
  it.each([
    ['without trust', {}],
    ['verified', { trust: { jwksFile: '' } }]
  ])('writes the same pack, index and events as one read on the main thread (%s)', async (_name, shape) => {
    const store = await storeOf(`same-${_name.replace(' ', '-')}`)
    const trust = 'trust' in shape ? { trust: { jwksFile: jwks } } : {}
    // One after the other: a backup holds the store's lock.
    const inline = run(store, join(root, `inline-${_name}`), 0, { ...trust, compression: 'none' })
    const a = await inline.result
    const threaded = run(store, join(root, `threads-${_name}`), 2, { ...trust, compression: 'none' })
    const b = await threaded.result
    expect(b.backedUp).toBe(a.backedUp)
    expect(b.backedUp).toBe(COUNT - COUNT / 10)
    expect(b.restricted).toEqual(a.restricted)
    const pack = async (result: typeof a): Promise<Buffer> =>
      readFile(join(result.path, result.manifest.pack.file))
    expect((await pack(b)).equals(await pack(a))).toBe(true)
    expect(b.manifest.pack.sha256).toBe(a.manifest.pack.sha256)
    const licenseEvents = (events: typeof inline.events) =>
      events.events.filter(event => event.type === 'LICENSE' || event.type === 'RESTRICTED_LICENSE')
    expect(licenseEvents(threaded.events)).toEqual(licenseEvents(inline.events))
  })

  it('reports the first failure in path order, whichever thread read it, and writes nothing', async () => {
    const [h, p] = issuer.sign(claims({ jti: 'bad-sig' })).split('.')
    const store = await storeOf('order', {
      // Sorted: d2/… and d5/… come after the first batches of d0/, d1/.
      'd2/l0100x.jwt': `${h}.${p}.${Buffer.alloc(64, 7).toString('base64url')}`,
      'd5/zz.jwt': 'not a license',
      'd6/huge.jwt': 'x'.repeat(1024 * 1024 + 1)
    })
    const trust = { trust: { jwksFile: jwks } }
    const verified = await failure(run(store, join(root, 'order-a'), 2, trust).result)
    expect(verified.code).toBe('INVALID_LICENSE')
    expect(verified.subject.file).toBe('d2/l0100x.jwt')
    expect(verified.message).toContain('signature does not verify')
    // Without trust the signature is not checked: the next failure in path order is the first.
    const unverified = await failure(run(store, join(root, 'order-b'), 2).result)
    expect(unverified.subject.file).toBe('d5/zz.jwt')
    expect(unverified.message).toContain('compact JWS')
    await expect(readFile(join(root, 'order-a', 'manifest.json'))).rejects.toThrow()
  })

  it('names an unknown key, an oversized file and a duplicate license ID read on a thread', async () => {
    const unknownKey = await storeOf('kid', {
      'd3/who.jwt': issuer.sign(claims({ jti: 'who' }), { kid: 'who-is-this' })
    })
    const kid = await failure(run(unknownKey, join(root, 'kid-b'), 2, { trust: { jwksFile: jwks } }).result)
    expect(kid.message).toMatch(/d3\/who\.jwt .*who-is-this/)
    const huge = await storeOf('huge', { 'd6/huge.jwt': 'x'.repeat(1024 * 1024 + 1) })
    const tooBig = await failure(run(huge, join(root, 'huge-b'), 2).result)
    expect(tooBig.subject.file).toBe('d6/huge.jwt')
    expect(tooBig.message).toContain('1048576')
    const twice = await storeOf('twice', { 'd6/zz.jwt': issuer.sign(claims({ jti: 'lic-5' })) })
    const duplicate = await failure(run(twice, join(root, 'twice-b'), 2).result)
    expect(duplicate.message).toContain('d5/l0005.jwt')
    expect(duplicate.message).toContain('d6/zz.jwt')
  })
})
