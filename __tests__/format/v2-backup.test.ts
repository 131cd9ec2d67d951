import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer, type ManifestV2 } from '../../src/engine/index.js'
import { exec, listTree, recorder } from '../support/engine.js'
import { snapshot } from '../restore/support.js'
import { itWithTools } from '../support/tools.js'
import { TOKEN, v2World, type V2World } from './support.js'

// Issue 11: what a backup writes now, opened by the standard tools, restored and verified.
let w: V2World
beforeAll(async () => {
  w = await v2World()
})
afterAll(async () => w.close())

const engine = createBackupRestorer()
let n = 0
const fresh = (label: string): string => join(w.root, `${label}-${++n}`)

describe('format v2: what a backup writes', () => {
  it('writes license-backup/v2.1: a gzipped tar with its index last, a manifest with counts and no per-license data', async () => {
    const path = fresh('plain')
    const result = await engine.backup({
      store: w.source.dir,
      path,
      catalog: join(w.root, 'catalog.csv'),
      origin: { host: 'ci-7' }
    })
    expect(await listTree(path)).toEqual(['licenses.tar.gz', 'manifest.json'])
    const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8')) as ManifestV2
    expect(Object.keys(manifest)).toEqual([
      'format',
      'created',
      'tool',
      'origin',
      'pattern',
      'encryption',
      'compression',
      'pack',
      'counts'
    ])
    expect(manifest).toMatchObject({
      format: 'license-backup/v2.1',
      origin: { host: 'ci-7' },
      pattern: '**/*.jwt',
      encryption: null,
      compression: 'gzip',
      pack: { file: 'licenses.tar.gz', size: result.packSize },
      counts: { licenses: result.backedUp, restricted: result.restricted.length }
    })
    const permitted = w.source.licenses.filter(l => !l.restricted)
    expect(result.backedUp).toBe(permitted.length)
    // The standard tools: tar lists the licenses in path order and the index last; sha256sum agrees.
    const { stdout: listed } = await exec('tar', ['-tzf', join(path, 'licenses.tar.gz')])
    expect(listed.trim().split('\n')).toEqual([
      ...permitted.map(l => l.path).sort(),
      '.license-backup/index.json'
    ])
    const { stdout: sum } = await exec('sha256sum', [join(path, 'licenses.tar.gz')])
    expect(sum.split(' ')[0]).toBe(manifest.pack.sha256)
    const { stdout: tarSize } = await exec('sh', [
      '-c',
      'gzip -dc "$1" | wc -c',
      'sh',
      join(path, 'licenses.tar.gz')
    ])
    expect(Number(tarSize.trim())).toBe(manifest.pack.tar_size)
    const { stdout: index } = await exec('tar', [
      '-xzOf',
      join(path, 'licenses.tar.gz'),
      '.license-backup/index.json'
    ])
    // The index (v2.1, ADR 0225): the licenses' count and one SHA-256 over their entries in pack order,
    // which the files tar extracts give again (docs/format.md).
    const parsed = JSON.parse(index) as {
      licenses: { count: number; sha256: string }
      restricted: { title?: string }[]
    }
    const out = fresh('extracted')
    await mkdir(out)
    await exec('tar', ['-xzf', join(path, 'licenses.tar.gz'), '-C', out])
    const lines = await Promise.all(
      permitted
        .map(l => l.path)
        .sort()
        .map(async name => {
          const data = await readFile(join(out, name))
          const claims = JSON.parse(Buffer.from(data.toString().split('.')[1]!, 'base64url').toString()) as {
            jti: string
            key_id: string
          }
          const sum = createHash('sha256').update(data).digest('hex')
          return `${JSON.stringify([claims.jti, claims.key_id, name, sum, data.length])}\n`
        })
    )
    expect(parsed.licenses).toEqual({
      count: permitted.length,
      sha256: createHash('sha256').update(lines.join('')).digest('hex')
    })
    expect(parsed.restricted).toHaveLength(w.source.licenses.length - permitted.length)
  })

  it('is deterministic: the same store gives the same pack bytes, the gzip header has no name and a zero mtime', async () => {
    const a = await engine.backup({ store: w.source.dir, path: fresh('det') })
    const b = await engine.backup({ store: w.source.dir, path: fresh('det') })
    expect(a.manifest.pack.sha256).toBe(b.manifest.pack.sha256)
    const pack = await readFile(join(a.path, 'licenses.tar.gz'))
    // ID1 ID2 CM=8 FLG=0 (no name, no comment) MTIME=0 … OS=3.
    expect([...pack.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])
  })

  it('costs at most 1.2× tar -czf of the same licenses: the index adds no bytes a license (issue 27)', async () => {
    const path = fresh('size')
    const result = await engine.backup({ store: w.source.dir, path })
    const list = join(w.root, `members-${n}.txt`)
    const permitted = w.source.licenses.filter(l => !l.restricted).map(l => l.path)
    await writeFile(list, `${permitted.sort().join('\n')}\n`)
    const tarGz = join(w.root, `same-licenses-${n}.tar.gz`)
    await exec('tar', ['-czf', tarGz, '-C', w.source.dir, '-T', list])
    const baseline = (await readFile(tarGz)).length
    expect(result.packSize / baseline).toBeLessThanOrEqual(1.2)
  })

  itWithTools('the recipe of docs/format.md', ['jq'])(
    "docs/format.md's recipe recomputes the index's summary from the pack's files with tar, sha256sum and jq",
    async () => {
      const path = fresh('recipe')
      const result = await engine.backup({ store: w.source.dir, path })
      const doc = await readFile(join('docs', 'format.md'), 'utf8')
      const recipe = /```sh\n(# the index's licenses summary[^`]*)```/.exec(doc)![1]!
      const { stdout } = await exec('sh', ['-c', recipe], { cwd: path })
      const [computed, digest, count] = stdout.trim().split('\n')
      expect(computed).toBe(`${digest}  -`)
      expect(digest).toMatch(/^[0-9a-f]{64}$/)
      expect(Number(count)).toBe(result.backedUp)
    }
  )

  it('keeps a plain tar with compression: none (tar -tf opens it)', async () => {
    const path = fresh('none')
    const result = await engine.backup({ store: w.source.dir, path, compression: 'none' })
    expect(await listTree(path)).toEqual(['licenses.tar', 'manifest.json'])
    const { stdout } = await exec('tar', ['-tf', join(path, 'licenses.tar')])
    expect(stdout.trim().split('\n')).toHaveLength(result.backedUp + 1)
    expect((await engine.verify({ path, trust: { jwksFile: w.jwksFile } })).verified).toBe(result.backedUp)
  })

  const itWithAge = itWithTools('the age CLI interoperability test of format v2', ['age'])
  itWithAge(
    'compresses before it encrypts: `age -d -i key | tar -tz` opens it, and its plaintext files name no license',
    async () => {
      const path = fresh('enc')
      const result = await engine.backup({
        store: w.source.dir,
        path,
        encryptTo: [w.recipient],
        catalog: join(w.root, 'catalog.csv'),
        sign: { key: w.key.text, source: 'the test key' }
      })
      expect(await listTree(path)).toEqual(['licenses.tar.gz.age', 'manifest.json', 'manifest.json.sig'])
      const { stdout } = await exec('sh', [
        '-c',
        'age -d -i "$1" "$2" | tar -tz',
        'sh',
        w.identityFile,
        join(path, 'licenses.tar.gz.age')
      ])
      expect(stdout.trim().split('\n')).toHaveLength(result.backedUp + 1)
      // Smaller than the plain tar it holds: compression happened before encryption.
      expect(result.packSize).toBeLessThan((result.manifest as ManifestV2).pack.tar_size / 3)
      const plaintext = Buffer.concat([
        await readFile(join(path, 'manifest.json')),
        await readFile(join(path, 'manifest.json.sig'))
      ]).toString('latin1')
      for (const license of w.source.licenses) {
        for (const secret of [license.jti, license.keyId, license.path, license.title])
          expect(plaintext).not.toContain(secret)
      }
      const pack = (await readFile(join(path, 'licenses.tar.gz.age'))).toString('latin1')
      for (const license of w.source.licenses) expect(pack).not.toContain(license.jti)
    }
  )
})

describe('format v2: restore and verify', () => {
  it('restores a signed, encrypted v2 backup with signers, and never writes the index member into the store', async () => {
    const path = fresh('signed')
    await engine.backup({
      store: w.source.dir,
      path,
      encryptTo: [w.recipient],
      sign: { key: w.key.text, source: 'the test key' }
    })
    const target = fresh('target')
    const events = recorder()
    const restorer = createBackupRestorer(events.listener)
    const result = await restorer.restore({
      store: target,
      path,
      service: { url: w.server.url, token: TOKEN },
      individualize: true,
      ageIdentity: w.identity,
      signers: w.signers,
      trust: { jwksFile: w.jwksFile }
    })
    const permitted = w.source.licenses.filter(l => !l.restricted)
    expect(result.restored).toBe(permitted.length)
    const files = Object.keys(await snapshot(target))
    expect(files.filter(f => f.endsWith('.jwt')).sort()).toEqual(permitted.map(l => l.path).sort())
    expect(files.some(f => f.includes('index.json'))).toBe(false)
    const opened = events.events.find(e => e.type === 'BACKUP_OPENED')
    expect(opened).toMatchObject({ format: 'license-backup/v2.1', signer: 'nightly@acme' })
    expect(events.events.filter(e => e.type === 'WARNING')).toEqual([])
  })

  it('restores an unsigned v2 backup without signers with one warning that it is not authenticated', async () => {
    const path = fresh('unsigned')
    await engine.backup({ store: w.source.dir, path })
    const events = recorder()
    await createBackupRestorer(events.listener).restore({
      store: fresh('target'),
      path,
      service: { url: w.server.url, token: TOKEN },
      individualize: true
    })
    const warnings = events.events
      .filter(e => e.type === 'WARNING')
      .map(e => (e as { message: string }).message)
    expect(warnings.filter(m => /not authenticated/.test(m))).toHaveLength(1)
  })

  it('verify checks everything and writes nothing: BEGIN, END, the origin and the signer', async () => {
    const path = fresh('verify')
    await engine.backup({
      store: w.source.dir,
      path,
      encryptTo: [w.recipient],
      sign: { key: w.key.text, source: 'the test key' },
      origin: {
        repository: 'acme/licenses',
        workflow: 'nightly.yml',
        ref: 'main',
        sha: '1a2b3c4d5e6f',
        run_id: '4242',
        run_attempt: '1',
        job: 'backup',
        event: 'schedule'
      }
    })
    const before = await snapshot(w.root)
    const events = recorder()
    const result = await createBackupRestorer(events.listener).verify({
      path,
      ageIdentity: w.identity,
      signers: w.signers,
      trust: { jwksFile: w.jwksFile }
    })
    expect(result).toMatchObject({
      format: 'license-backup/v2.1',
      verified: w.source.licenses.filter(l => !l.restricted).length,
      signer: 'nightly@acme',
      signaturesChecked: true
    })
    expect(result.origin).toBe(
      'backup of acme/licenses, nightly.yml on main at 1a2b3c4, run 4242, less than an hour old'
    )
    expect(events.types().filter(t => t === 'BEGIN' || t === 'END')).toEqual(['BEGIN', 'END'])
    expect(await snapshot(w.root)).toEqual(before)
  })

  it('keeps restoring v1 backups written today with format: license-backup/v1', async () => {
    const path = fresh('v1')
    const made = await engine.backup({ store: w.source.dir, path, format: 'license-backup/v1' })
    expect(made.manifest.format).toBe('license-backup/v1')
    expect(await listTree(path)).toEqual(['licenses.tar', 'manifest.json'])
    expect((await engine.verify({ path })).verified).toBe(made.backedUp)
    await expect(
      engine.backup({
        store: w.source.dir,
        path: fresh('v1'),
        format: 'license-backup/v1',
        compression: 'gzip'
      })
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })

  it('overwrites a v2 backup only with overwrite on (a v2 folder is recognised as a backup)', async () => {
    const path = fresh('over')
    await engine.backup({ store: w.source.dir, path })
    await expect(engine.backup({ store: w.source.dir, path })).rejects.toMatchObject({
      code: 'BACKUP_EXISTS'
    })
    await engine.backup({
      store: w.source.dir,
      path,
      overwrite: true,
      sign: { key: w.key.text, source: 'k' }
    })
    expect((await readdir(path)).sort()).toEqual(['licenses.tar.gz', 'manifest.json', 'manifest.json.sig'])
    await rm(path, { recursive: true })
    await mkdir(path)
    await writeFile(join(path, 'notes.txt'), 'mine')
    await expect(engine.backup({ store: w.source.dir, path })).rejects.toMatchObject({
      code: 'CONFIG_INVALID'
    })
    expect(await readFile(join(path, 'notes.txt'), 'utf8')).toBe('mine')
  })
})
