import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { chmod, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { backup as runBackup } from '../../src/engine/backup/backup.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { readTar } from '../../src/engine/format/tar-reader.js'
import { createBackupRestorer, type BackupOptions, type LicenseBackupError } from '../../src/engine/index.js'
import { generateStore } from '../../src/fixtures/store.js'
import { claims, issuer, listTree, putLicense, recorder, tempDirs, writeJwks } from '../support/engine.js'

/** The one place the version is set; the manifest must carry it. */
const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version

const dirs = tempDirs()
afterEach(async () => {
  jest.useRealTimers()
  await dirs.cleanup()
})

/** Fakes the clock alone: the backup's timers, I/O and workers run as they do. */
function fakeDateOnly(now: string): void {
  jest.useFakeTimers({
    now: Date.parse(now),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout'
    ]
  })
}

async function setup(): Promise<{ root: string; store: string; path: string; jwks: string }> {
  const root = await dirs.make()
  const store = join(root, 'store')
  await mkdir(store)
  return { root, store, path: join(root, 'backup'), jwks: await writeJwks(root) }
}

async function smallStore(store: string): Promise<void> {
  await putLicense(store, 'a/one.jwt', claims({ jti: 'lic-1', key_id: 'k-blue' }))
  await putLicense(store, 'a/two.jwt', claims({ jti: 'lic-2', key_id: 'k-red', rights: { play: true } }))
  await putLicense(
    store,
    'b/three.jwt',
    claims({ jti: 'lic-3', key_id: 'k-green', rights: { backup: false } })
  )
  await putLicense(store, 'b/four.jwt', claims({ jti: 'lic-4', key_id: 'k-blue', exp: 1000 }))
  await writeFile(join(store, 'notes.txt'), 'not a license')
}

async function expectError(
  promise: Promise<unknown>,
  code: string,
  ...mentions: string[]
): Promise<LicenseBackupError> {
  const error = (await promise.then(
    () => {
      throw new Error(`expected ${code}`)
    },
    (caught: unknown) => caught
  )) as LicenseBackupError
  expect(error.code).toBe(code)
  for (const mention of mentions) expect(error.message).toContain(mention)
  return error
}

/** The backup folder's neighbourhood holds nothing but `backup` (no lb-new/lb-old leftovers). */
async function expectNoLeftovers(root: string): Promise<void> {
  const names = await readdir(root)
  expect(names.filter(name => name.includes('.lb-'))).toEqual([])
}

describe('backup', () => {
  it('backs up the permitted licenses, reports restricted ones with titles, and writes a correct v1 manifest when asked for v1', async () => {
    const { root, store, path, jwks } = await setup()
    await smallStore(store)
    const catalog = join(root, 'catalog.csv')
    await writeFile(catalog, 'key_id,title\nk-red,"Blue Train"\nk-blue,Kind of Blue\n')
    const rec = recorder()
    const result = await createBackupRestorer(rec.listener).backup({
      format: 'license-backup/v1',
      store,
      path,
      catalog,
      trust: { jwksFile: jwks }
    })

    const types = rec.types().filter(type => type !== 'LICENSE' && type !== 'PROGRESS')
    expect(types).toEqual(['BEGIN', 'RESTRICTED_LICENSE', 'RESTRICTED_LICENSE', 'END'])
    expect(rec.events.filter(event => event.type === 'RESTRICTED_LICENSE')).toEqual([
      {
        type: 'RESTRICTED_LICENSE',
        keyId: 'k-red',
        licenseId: 'lic-2',
        path: 'a/two.jwt',
        title: 'Blue Train'
      },
      { type: 'RESTRICTED_LICENSE', keyId: 'k-green', licenseId: 'lic-3', path: 'b/three.jwt' }
    ])
    expect(rec.events.filter(event => event.type === 'LICENSE')).toHaveLength(4)

    expect(result.backedUp).toBe(2)
    expect(result.files).toEqual(['licenses.tar', 'manifest.json'])
    expect(await listTree(path)).toEqual(['licenses.tar', 'manifest.json'])
    const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'))
    expect(manifest).toEqual(result.manifest)
    expect(Object.keys(manifest)).toEqual([
      'format',
      'created',
      'tool',
      'source',
      'pattern',
      'encryption',
      'pack',
      'licenses',
      'restricted',
      'counts'
    ])
    expect(manifest.format).toBe('license-backup/v1')
    expect(manifest.pattern).toBe('**/*.jwt')
    expect(manifest.tool).toEqual({ name: 'license-backup', version: packageVersion })
    expect(manifest.source).toEqual({ store, machine: null })
    expect(manifest.encryption).toBeNull()
    const pack = await readFile(join(path, 'licenses.tar'))
    expect(manifest.pack).toEqual({ file: 'licenses.tar', sha256: sha256(pack), size: pack.length })
    const one = await readFile(join(store, 'a/one.jwt'))
    const four = await readFile(join(store, 'b/four.jwt'))
    expect(manifest.licenses).toEqual([
      { jti: 'lic-1', key_id: 'k-blue', path: 'a/one.jwt', sha256: sha256(one), size: one.length },
      { jti: 'lic-4', key_id: 'k-blue', path: 'b/four.jwt', sha256: sha256(four), size: four.length }
    ])
    expect(manifest.restricted).toEqual([
      { jti: 'lic-2', key_id: 'k-red', title: 'Blue Train' },
      { jti: 'lic-3', key_id: 'k-green' }
    ])
    expect(manifest.counts).toEqual({ licenses: 2, restricted: 2, bytes: one.length + four.length })

    // The pack holds exactly the permitted licenses, byte for byte; restricted ones never reach it.
    const members = []
    for await (const member of readTar([pack])) members.push(member)
    expect(members.map(member => member.name)).toEqual(['a/one.jwt', 'b/four.jwt'])
    expect(members[0]!.data.equals(one)).toBe(true)
    expect(pack.includes(await readFile(join(store, 'a/two.jwt')))).toBe(false)
    expect(pack.includes(await readFile(join(store, 'b/three.jwt')))).toBe(false)
    // The lock is released and the state folder it needed is gone again.
    expect(await readdir(store)).toEqual(['a', 'b', 'notes.txt'])
    await expectNoLeftovers(root)
  })

  it('warns once that licenses are not verified when no trust source is set', async () => {
    const { store, path } = await setup()
    await smallStore(store)
    const rec = recorder()
    await createBackupRestorer(rec.listener).backup({ store, path })
    const warnings = rec.events.filter(event => event.type === 'WARNING')
    expect(warnings).toHaveLength(1)
    expect((warnings[0] as { message: string }).message).toMatch(/not verified/)
  })

  // ADR 0245: the pack takes the scan's paths from a spool instead of walking the store again.
  it('packs the licenses the scan found: one added after the scan is left out, one removed fails the run', async () => {
    const { store, path } = await setup()
    await smallStore(store)
    const afterScan = (change: () => void) =>
      recorder(event => {
        if (event.type === 'PROGRESS' && event.phase === 'scan') change()
      })
    const added = afterScan(() =>
      writeFileSync(join(store, 'a/added.jwt'), issuer.sign(claims({ jti: 'lic-new' })))
    )
    const result = await createBackupRestorer(added.listener).backup({
      store,
      path,
      format: 'license-backup/v1'
    })
    const scan = added.events.find(event => event.type === 'PROGRESS' && event.phase === 'scan')
    expect(scan).toMatchObject({ done: 4, total: 4 })
    expect(result.backedUp + result.restricted.length).toBe(4)
    expect(
      result.manifest.format === 'license-backup/v1' && result.manifest.licenses.map(l => l.path)
    ).toEqual(['a/one.jwt', 'b/four.jwt'])

    const removed = afterScan(() => unlinkSync(join(store, 'b/four.jwt')))
    const failure = createBackupRestorer(removed.listener).backup({ store, path, overwrite: true })
    await expect(failure).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringMatching(
        /b\/four\.jwt in the store .* cannot be read \(ENOENT\); it disappeared during the backup/
      )
    })
  })

  it("leaves no spool of the scan's paths behind, and sweeps one a killed run left", async () => {
    const { root, store, path } = await setup()
    await smallStore(store)
    const left = ['backup', 'issuer.jwks.json', 'store']
    await writeFile(`${path}.lb-new-0123456789ab.paths`, 'a/one.jwt\0')
    await createBackupRestorer().backup({ store, path })
    expect((await readdir(root)).sort()).toEqual(left)
    await putLicense(store, 'c/bad.jwt', 'not a license')
    await expect(createBackupRestorer().backup({ store, path, overwrite: true })).rejects.toMatchObject({
      code: 'INVALID_LICENSE'
    })
    expect((await readdir(root)).sort()).toEqual(left)
  })

  it('gives the same pack bytes and the same manifest but `created` for the same store', async () => {
    const { root, store, jwks } = await setup()
    await smallStore(store)
    const engine = createBackupRestorer()
    fakeDateOnly('2026-11-30T10:00:00Z')
    const first = await engine.backup({ store, path: join(root, 'one'), trust: { jwksFile: jwks } })
    jest.setSystemTime(Date.parse('2026-11-30T10:00:01Z'))
    const second = await engine.backup({ store, path: join(root, 'two'), trust: { jwksFile: jwks } })
    expect(
      (await readFile(join(root, 'one', 'licenses.tar.gz'))).equals(
        await readFile(join(root, 'two', 'licenses.tar.gz'))
      )
    ).toBe(true)
    const [a, b] = await Promise.all(
      ['one', 'two'].map(async name => readFile(join(root, name, 'manifest.json'), 'utf8'))
    )
    expect([first.manifest.created, second.manifest.created]).toEqual([
      '2026-11-30T10:00:00.000Z',
      '2026-11-30T10:00:01.000Z'
    ])
    const withoutCreated = (text: string): string => text.replace(/"created": "[^"]*"/, '')
    expect(withoutCreated(a!)).toBe(withoutCreated(b!))
  })

  it('fails with BACKUP_EXISTS naming the path and the overwrite setting, leaving the backup as it was', async () => {
    const { store, path } = await setup()
    await smallStore(store)
    const engine = createBackupRestorer()
    await engine.backup({ store, path })
    const before = await readFile(join(path, 'manifest.json'))
    await expectError(engine.backup({ store, path }), 'BACKUP_EXISTS', path, 'overwrite')
    expect((await readFile(join(path, 'manifest.json'))).equals(before)).toBe(true)
  })

  it('replaces an existing backup when overwrite is on', async () => {
    const { root, store, path } = await setup()
    await smallStore(store)
    const engine = createBackupRestorer()
    await engine.backup({ store, path })
    await putLicense(store, 'c/five.jwt', claims({ jti: 'lic-5', key_id: 'k-new' }))
    const result = await engine.backup({ store, path, overwrite: true })
    expect(result.backedUp).toBe(3)
    const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'))
    expect(manifest.counts).toEqual({ licenses: 3, restricted: 2 })
    expect(await listTree(path)).toEqual(['licenses.tar.gz', 'manifest.json'])
    await expectNoLeftovers(root)
  })

  it('replaces an encrypted backup with a plain one without leaving the old pack behind', async () => {
    const { store, path } = await setup()
    await smallStore(store)
    const engine = createBackupRestorer()
    await engine.backup({
      store,
      path,
      encryptTo: ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p']
    })
    await engine.backup({ store, path, overwrite: true })
    expect(await listTree(path)).toEqual(['licenses.tar.gz', 'manifest.json'])
  })

  it('sweeps leftovers of an interrupted run, and puts back a parked old backup when the path is missing', async () => {
    const { root, store, path } = await setup()
    await smallStore(store)
    const engine = createBackupRestorer()
    await engine.backup({ store, path })
    // A crash between the two renames of a swap: the old backup parked, nothing at the path, a build beside.
    const { rename } = await import('node:fs/promises')
    await rename(path, `${path}.lb-old-abc123`)
    await mkdir(`${path}.lb-new-def456`)
    await writeFile(join(`${path}.lb-new-def456`, 'licenses.tar.gz'), 'partial')
    await expectError(engine.backup({ store, path }), 'BACKUP_EXISTS', path)
    expect(await listTree(path)).toEqual(['licenses.tar.gz', 'manifest.json'])
    await expectNoLeftovers(root)
  })

  it('refuses to write into a folder that holds other files', async () => {
    const { store, path } = await setup()
    await smallStore(store)
    await mkdir(path)
    await writeFile(join(path, 'precious.txt'), 'mine')
    await expectError(
      createBackupRestorer().backup({ store, path, overwrite: true }),
      'CONFIG_INVALID',
      path,
      'precious.txt'
    )
    expect(await readFile(join(path, 'precious.txt'), 'utf8')).toBe('mine')
  })

  describe('bad input', () => {
    const cases: Array<[string, string | (() => string), string, string[]]> = [
      ['not a JWS', 'hello world', 'INVALID_LICENSE', ['bad.jwt', 'compact JWS']],
      ['bad base64', 'eyJhbGciOiJFZDI1NTE5In0.not*base64.c2ln', 'INVALID_LICENSE', ['bad.jwt', 'base64url']],
      [
        'a payload that is not an object',
        () => `${b64({ alg: 'Ed25519', kid: 'test-key-1' })}.${b64([1, 2])}.c2ln`,
        'INVALID_LICENSE',
        ['bad.jwt', 'not a JSON object']
      ],
      [
        'a missing jti',
        () => issuer.sign(claims({ jti: undefined })),
        'INVALID_LICENSE',
        ['bad.jwt', 'jti', '6f1c0000']
      ],
      [
        'a missing key_id',
        () => issuer.sign(claims({ jti: 'lic-9', key_id: undefined })),
        'INVALID_LICENSE',
        ['bad.jwt', 'key_id', 'lic-9']
      ],
      [
        'a bad signature',
        () => {
          const [h, p] = issuer.sign(claims({ jti: 'lic-9' })).split('.')
          return `${h}.${p}.${Buffer.alloc(64, 7).toString('base64url')}`
        },
        'INVALID_LICENSE',
        ['bad.jwt', 'signature', 'lic-9', '6f1c0000']
      ],
      [
        'an unknown kid',
        () => issuer.sign(claims({ jti: 'lic-9' }), { kid: 'who-is-this' }),
        'INVALID_LICENSE',
        ['bad.jwt', 'who-is-this', 'lic-9']
      ]
    ]
    it.each(cases)('fails on %s with the file and IDs named', async (_name, content, code, mentions) => {
      const { root, store, path, jwks } = await setup()
      await smallStore(store)
      await putLicense(store, 'z/bad.jwt', typeof content === 'function' ? content() : content)
      const error = await expectError(
        createBackupRestorer().backup({ store, path, trust: { jwksFile: jwks } }),
        code,
        'z/bad.jwt',
        ...mentions
      )
      expect(error.subject.file).toBe('z/bad.jwt')
      await expect(readdir(path)).rejects.toThrow()
      await expectNoLeftovers(root)
    })

    it('fails on a duplicate jti, naming both files', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      await putLicense(store, 'c/copy.jwt', claims({ jti: 'lic-1', key_id: 'k-blue' }))
      await expectError(
        createBackupRestorer().backup({ store, path }),
        'INVALID_LICENSE',
        'a/one.jwt',
        'c/copy.jwt',
        'lic-1'
      )
    })

    it('fails on a file over 1 MiB, naming it', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      await putLicense(store, 'huge.jwt', 'x'.repeat(1024 * 1024 + 1))
      await expectError(
        createBackupRestorer().backup({ store, path }),
        'INVALID_LICENSE',
        'huge.jwt',
        '1048576'
      )
    })

    it('fails on an unreadable file, naming it (an injected EACCES: the tests run as root, who reads anything)', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      const { openSync } = await import('node:fs')
      const fileSystem = {
        openSync: ((file: Parameters<typeof openSync>[0], ...rest: [never]) => {
          if (String(file).endsWith('two.jwt'))
            throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
          return openSync(file, ...rest)
        }) as typeof openSync
      }
      await expectError(
        runBackup({ store, path }, {}, () => {}, { fileSystem }),
        'IO_ERROR',
        'a/two.jwt',
        'EACCES',
        'read access'
      )
    })

    it('fails on a file that disappears between the walk and the read, naming it (real fs)', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      const rec = recorder(event => {
        // The walk has listed b/ by the time it packs b/four.jwt; b/three.jwt comes after it.
        if (event.type === 'LICENSE' && event.path === 'b/four.jwt') unlinkSync(join(store, 'b/three.jwt'))
      })
      await expectError(
        createBackupRestorer(rec.listener).backup({ store, path }),
        'IO_ERROR',
        'b/three.jwt',
        'ENOENT'
      )
    })

    it('fails on a symlink in the store that matches the pattern, naming it', async () => {
      const { root, store, path } = await setup()
      await smallStore(store)
      await writeFile(join(root, 'outside.jwt'), issuer.sign(claims({ jti: 'lic-out' })))
      await symlink(join(root, 'outside.jwt'), join(store, 'a/link.jwt'))
      await expectError(createBackupRestorer().backup({ store, path }), 'STORE_INVALID', 'a/link.jwt', 'link')
    })

    it('fails on an empty store', async () => {
      const { store, path } = await setup()
      await writeFile(join(store, 'readme.txt'), 'nothing here')
      await expectError(createBackupRestorer().backup({ store, path }), 'STORE_INVALID', store, 'no licenses')
      expect(await readdir(store)).toEqual(['readme.txt'])
    })

    it('fails on a missing store', async () => {
      const { root, path } = await setup()
      const store = join(root, 'nope')
      await expectError(
        createBackupRestorer().backup({ store, path }),
        'STORE_INVALID',
        store,
        'does not exist'
      )
    })

    it('fails on a backup path inside the store, and on one that holds the store', async () => {
      const { root, store } = await setup()
      await smallStore(store)
      await expectError(
        createBackupRestorer().backup({ store, path: join(store, 'backup') }),
        'CONFIG_INVALID',
        join(store, 'backup'),
        'inside the store'
      )
      await expectError(
        createBackupRestorer().backup({ store, path: root, overwrite: true }),
        'CONFIG_INVALID',
        root,
        'holds the store'
      )
    })

    it('fails on a catalog with a bad row, naming the file and line', async () => {
      const { root, store, path } = await setup()
      await smallStore(store)
      const catalog = join(root, 'catalog.csv')
      await writeFile(catalog, 'key_id,title\nk-red,Blue Train\nk-blue\n')
      await expectError(
        createBackupRestorer().backup({ store, path, catalog }),
        'CONFIG_INVALID',
        catalog,
        'line 3'
      )
    })

    it('fails on an age recipient that is not one, before touching anything', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      await expectError(
        createBackupRestorer().backup({ store, path, encryptTo: ['age1nope'] }),
        'CONFIG_INVALID',
        'age1nope'
      )
    })
  })

  describe('the store lock', () => {
    it('is BUSY while a live process holds the lock', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      await mkdir(join(store, '.license-backup'))
      // pid 1 is alive on any host running these tests.
      await writeFile(
        join(store, '.license-backup', 'lock'),
        JSON.stringify({ pid: 1, host: hostname(), started: 'x' })
      )
      await expectError(createBackupRestorer().backup({ store, path }), 'BUSY', store, 'pid 1')
      await expect(readdir(path)).rejects.toThrow()
    })

    it('takes over a stale lock whose process is gone, and releases it after', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      await mkdir(join(store, '.license-backup'))
      const lock = join(store, '.license-backup', 'lock')
      await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: 'x' }))
      const result = await createBackupRestorer().backup({ store, path })
      expect(result.backedUp).toBe(2)
      expect(await readdir(join(store, '.license-backup'))).toEqual([])
    })

    it('is held for the whole run and released after a failure', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      let seenDuringRun = false
      const rec = recorder(event => {
        if (event.type === 'BEGIN') {
          void readFile(join(store, '.license-backup', 'lock'), 'utf8').then(text => {
            seenDuringRun = JSON.parse(text).pid === process.pid
          })
        }
      })
      await putLicense(store, 'zz.jwt', 'garbage')
      await expectError(
        createBackupRestorer(rec.listener).backup({ store, path }),
        'INVALID_LICENSE',
        'zz.jwt'
      )
      expect(seenDuringRun).toBe(true)
      await expect(readdir(join(store, '.license-backup'))).rejects.toThrow()
    })
  })

  describe('cancellation commits nothing', () => {
    type Trigger = (event: EngineEvent, count: number) => boolean
    const phases: Array<[string, Trigger, boolean]> = [
      ['before the walk', event => event.type === 'BEGIN', false],
      ['during the read', (event, count) => event.type === 'LICENSE' && count === 3, false],
      ['during the pack write (encrypted)', (event, count) => event.type === 'LICENSE' && count === 5, true],
      ['before the manifest commit', event => event.type === 'PROGRESS' && event.phase === 'commit', false]
    ]
    it.each(phases)('%s', async (_name, trigger, encrypted) => {
      const { root, store, path } = await setup()
      await generateStore(store, issuer, { count: 40, seed: 7 })
      const engine = createBackupRestorer()
      await engine.backup({ store, path })
      const before = await Promise.all(
        ['manifest.json', 'licenses.tar.gz'].map(name => readFile(join(path, name)))
      )
      const controller = new AbortController()
      let count = 0
      const rec = recorder(event => {
        if (event.type === 'LICENSE') count++
        if (trigger(event, count)) controller.abort()
      })
      const options: BackupOptions = {
        store,
        path,
        overwrite: true,
        ...(encrypted
          ? { encryptTo: ['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'] }
          : {})
      }
      await expectError(
        createBackupRestorer(rec.listener).backup(options, { signal: controller.signal }),
        'CANCELLED',
        'cancelled'
      )
      expect(controller.signal.aborted).toBe(true)
      expect(rec.types()).not.toContain('END')
      const after = await Promise.all(
        ['manifest.json', 'licenses.tar.gz'].map(name => readFile(join(path, name)))
      )
      expect(after[0]!.equals(before[0]!)).toBe(true)
      expect(after[1]!.equals(before[1]!)).toBe(true)
      expect(await listTree(path)).toEqual(['licenses.tar.gz', 'manifest.json'])
      await expectNoLeftovers(root)
      await expect(readdir(join(store, '.license-backup'))).rejects.toThrow()
    })

    it('throws CANCELLED at once for a signal aborted before the call', async () => {
      const { store, path } = await setup()
      await smallStore(store)
      await expectError(
        createBackupRestorer().backup({ store, path }, { signal: AbortSignal.abort() }),
        'CANCELLED'
      )
      await expect(readdir(path)).rejects.toThrow()
    })
  })

  it('backs up a store with a read-only file and an odd but legal name', async () => {
    const { store, path } = await setup()
    await putLicense(store, 'ü/naïve name.jwt', claims({ jti: 'lic-u' }))
    await chmod(join(store, 'ü/naïve name.jwt'), 0o400)
    const result = await createBackupRestorer().backup({ store, path, format: 'license-backup/v1' })
    expect(
      result.manifest.format === 'license-backup/v1' && result.manifest.licenses.map(l => l.path)
    ).toEqual(['ü/naïve name.jwt'])
    await rm(join(store, 'ü'), { recursive: true })
  })
})

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
