import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdir, readFile, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createBackupRestorer, type LicenseBackupError } from '../../src/engine/index.js'
import { exists } from '../reliability/crash-support.js'
import { snapshot } from '../restore/support.js'
import { craftTar, encrypt, sha256 } from '../support/hostile-backup.js'
import { sshKey, TOKEN, v2World, type SshKey, type V2World } from './support.js'
import { readV2, rewriteV2, type ReadV2, type Rewrite } from './tamper.js'

// Issue 11: every consistent deletion, reordering, substitution or rollback of a signed backup is
// refused with BACKUP_UNTRUSTED (or BACKUP_CORRUPT) before anything is written or the service is called;
// the v2 corruption matrix (plain, compressed, encrypted) is refused with BACKUP_CORRUPT.
let w: V2World
let attacker: SshKey
const base: Record<string, { dir: string; read: ReadV2 }> = {}
let n = 0
/** No service listens here: a run that got as far as calling one would fail with SERVICE_UNAVAILABLE. */
const NO_SERVICE = 'http://127.0.0.1:9'

beforeAll(async () => {
  w = await v2World(10, 33)
  attacker = await sshKey(w.root, 'attacker')
  const engine = createBackupRestorer()
  const sign = { key: w.key.text, source: 'the test key' }
  const kinds: Array<[string, Parameters<typeof engine.backup>[0]]> = [
    ['signed', { store: w.source.dir, path: join(w.root, 'base-signed'), sign }],
    [
      'encrypted',
      { store: w.source.dir, path: join(w.root, 'base-encrypted'), sign, encryptTo: [w.recipient] }
    ],
    ['plain', { store: w.source.dir, path: join(w.root, 'base-plain'), compression: 'none' }],
    ['compressed', { store: w.source.dir, path: join(w.root, 'base-compressed') }]
  ]
  for (const [kind, options] of kinds) {
    await engine.backup(options)
    base[kind] = { dir: options.path, read: await readV2(options.path, w.identity) }
  }
})
afterAll(async () => w.close())

async function refused(path: string, code: string, trusted = true): Promise<LicenseBackupError> {
  const store = join(w.root, `target-${++n}`)
  const before = await snapshot(w.source.dir)
  const error = (await createBackupRestorer()
    .restore({
      store,
      path,
      service: { url: NO_SERVICE, token: TOKEN, retry: { maxAttempts: 1 } },
      individualize: true,
      ageIdentity: w.identity,
      trust: { jwksFile: w.jwksFile },
      ...(trusted ? { signers: w.signers, maxAgeMs: 7 * 86_400_000 } : {})
    })
    .then(
      () => undefined,
      (e: unknown) => e
    )) as LicenseBackupError | undefined
  expect(error?.code).toBe(code)
  // Nothing written: the target store was never even created; the source is as it was.
  if (code === 'BACKUP_UNTRUSTED') expect(await exists(store)).toBe(false)
  else expect(Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))).toEqual([])
  expect(await snapshot(w.source.dir)).toEqual(before)
  const verified = await createBackupRestorer()
    .verify({
      path,
      ageIdentity: w.identity,
      ...(trusted ? { signers: w.signers, maxAgeMs: 7 * 86_400_000 } : {})
    })
    .catch((e: LicenseBackupError) => e)
  expect(verified).toMatchObject({ code })
  return error!
}

async function rewritten(kind: string, change: Rewrite): Promise<string> {
  const dir = join(w.root, `case-${++n}`)
  await rewriteV2(dir, base[kind]!.read, { recipient: w.recipient, ...change })
  return dir
}

const dropLast: Rewrite['members'] = members => members.slice(0, -1)

describe('a signed backup changed consistently is BACKUP_UNTRUSTED (signers set)', () => {
  const cases: Array<[string, string, Rewrite]> = [
    [
      'a license deleted, index, counts, digests recomputed, the old signature kept',
      'signed',
      { members: dropLast }
    ],
    [
      'a license deleted (encrypted backup), everything recomputed, the old signature kept',
      'encrypted',
      { members: dropLast }
    ],
    ['a license deleted, re-signed with a key not in allowed_signers', 'signed', { members: dropLast }],
    ['members reordered, re-packed, the old signature kept', 'signed', { members: m => [...m].reverse() }],
    [
      'a license substituted by another file, re-packed',
      'signed',
      { members: m => m.map((x, i) => (i === 0 ? { ...x, data: m[1]!.data } : x)) }
    ],
    ['the restricted list emptied, re-packed', 'signed', { index: i => ({ ...i, restricted: [] }) }],
    ['unsigned (the signature removed)', 'signed', {}]
  ]
  it.each(cases)('%s', async (name, kind, change) => {
    const signature = await readFile(join(base[kind]!.dir, 'manifest.json.sig'), 'utf8')
    const keep = name.includes('old signature kept') ? { keepSignature: signature } : {}
    const sign = name.includes('re-signed') ? { signWith: attacker.text } : {}
    const error = await refused(await rewritten(kind, { ...change, ...keep, ...sign }), 'BACKUP_UNTRUSTED')
    expect(error.message).toContain('manifest.json')
    expect(error.message).toMatch(/not trusted: .*(does not match|does not allow|not signed)/)
  })

  it('the same consistent deletion without signers restores fewer licenses with exit 0 and one warning: what signing stops', async () => {
    const dir = await rewritten('signed', { members: dropLast })
    const events: string[] = []
    const result = await createBackupRestorer(e => {
      if (e.type === 'WARNING') events.push(e.message)
    }).restore({
      store: join(w.root, `target-${++n}`),
      path: dir,
      service: { url: w.server.url, token: TOKEN },
      individualize: true
    })
    expect(result.restored).toBe(base['signed']!.read.members.length - 1)
    expect(events.filter(m => /not authenticated/.test(m))).toHaveLength(1)
  })

  it('a rollback: an older backup, genuinely signed, is refused by max-age', async () => {
    const dir = await rewritten('signed', {
      manifest: m => {
        m.created = new Date(Date.now() - 30 * 86_400_000).toISOString()
      },
      signWith: w.key.text
    })
    expect((await refused(dir, 'BACKUP_UNTRUSTED')).message).toMatch(/max-age/)
  })

  it('a backup dated in the future, genuinely signed, is refused by max-age naming the time and the skew', async () => {
    const created = new Date(Date.now() + 2 * 3_600_000).toISOString()
    const dir = await rewritten('signed', {
      manifest: m => {
        m.created = created
      },
      signWith: w.key.text
    })
    const error = await refused(dir, 'BACKUP_UNTRUSTED')
    expect(error.message).toContain(`it was created ${created}, later than now`)
    expect(error.message).toContain('allowed clock skew (5 minutes)')
    // Without max-age it is read, with a warning naming the time and the skew.
    const warnings: string[] = []
    const verified = await createBackupRestorer(e => {
      if (e.type === 'WARNING') warnings.push(e.message)
    }).verify({ path: dir, ageIdentity: w.identity, signers: w.signers })
    expect(verified.verified).toBe(base['signed']!.read.members.length)
    expect(warnings.filter(m => m.includes(`created ${created}, later than now`))).toEqual([
      expect.stringContaining('allowed clock skew (5 minutes)')
    ])
  })

  it('a backup dated within the allowed clock skew ahead passes max-age without a warning', async () => {
    const dir = await rewritten('signed', {
      manifest: m => {
        m.created = new Date(Date.now() + 60_000).toISOString()
      },
      signWith: w.key.text
    })
    const warnings: string[] = []
    await createBackupRestorer(e => {
      if (e.type === 'WARNING') warnings.push(e.message)
    }).verify({ path: dir, ageIdentity: w.identity, signers: w.signers, maxAgeMs: 86_400_000 })
    expect(warnings.filter(m => m.includes('later than now'))).toEqual([])
  })

  it('a whole other signed backup swapped in for the pack is BACKUP_CORRUPT (digest)', async () => {
    const dir = join(w.root, `case-${++n}`)
    await cp(base['signed']!.dir, dir, { recursive: true })
    const other = await rewritten('signed', { members: dropLast })
    await cp(join(other, 'licenses.tar.gz'), join(dir, 'licenses.tar.gz'))
    await refused(dir, 'BACKUP_CORRUPT')
  })

  it('a signature file with a flipped byte, a signature of the wrong size, a v1 backup: BACKUP_UNTRUSTED', async () => {
    const dir = join(w.root, `case-${++n}`)
    await cp(base['signed']!.dir, dir, { recursive: true })
    const sig = await readFile(join(dir, 'manifest.json.sig'), 'utf8')
    const lines = sig.split('\n')
    lines[3] = lines[3]!.slice(0, 10) + (lines[3]![10] === 'A' ? 'B' : 'A') + lines[3]!.slice(11)
    await writeFile(join(dir, 'manifest.json.sig'), lines.join('\n'))
    await refused(dir, 'BACKUP_UNTRUSTED')
    await writeFile(join(dir, 'manifest.json.sig'), Buffer.alloc(64 * 1024, 0x41))
    await refused(dir, 'BACKUP_UNTRUSTED')
    const v1 = join(w.root, `case-${++n}`)
    await createBackupRestorer().backup({ store: w.source.dir, path: v1, format: 'license-backup/v1' })
    expect((await refused(v1, 'BACKUP_UNTRUSTED')).message).toMatch(/v1 backup, which cannot be signed/)
  })
})

describe('the signers file is read as ssh-keygen reads it (issue 23, ADR 0180)', () => {
  const verifyWith = async (
    lines: string[]
  ): Promise<{ error?: LicenseBackupError; signer?: string; warnings: string[] }> => {
    const file = join(w.root, `signers-${++n}`)
    const [type, blob] = w.key.publicLine.split(' ')
    await writeFile(file, lines.map(line => line.replace('{key}', `${type} ${blob}`)).join('\n'))
    const warnings: string[] = []
    let signer: string | undefined
    const error = await createBackupRestorer(e => {
      if (e.type === 'WARNING') warnings.push(e.message)
      if (e.type === 'BACKUP_OPENED') signer = e.signer
    })
      .verify({ path: base['signed']!.dir, ageIdentity: w.identity, signers: file })
      .then(
        () => undefined,
        (e: LicenseBackupError) => e
      )
    return { ...(error ? { error } : {}), ...(signer ? { signer } : {}), warnings }
  }

  it('namespaces="!license-backup,*" (any namespace but backups) refuses the backup', async () => {
    const { error } = await verifyWith(['nightly@acme namespaces="!license-backup,*" {key}'])
    expect(error?.code).toBe('BACKUP_UNTRUSTED')
    expect(error?.message).toMatch(/its namespaces do not allow license-backup \(line 1\)/)
  })

  it('principals that refuse every identity refuse the backup', async () => {
    const { error } = await verifyWith(['"nightly@acme,!nightly@acme" {key}'])
    expect(error?.message).toMatch(/its principals refuse every identity \(line 1\)/)
  })

  it('a line ssh-keygen cannot read is skipped with a warning naming its line; the next line allows', async () => {
    const { error, signer, warnings } = await verifyWith([
      '# signers',
      'ops@acme bogus-option {key}',
      'nightly@acme namespaces="license-*" {key}'
    ])
    expect(error).toBeUndefined()
    expect(signer).toBe('nightly@acme')
    expect(
      warnings.filter(m => /line 2 is skipped, as ssh-keygen skips it: it has an unknown option/.test(m))
    ).toHaveLength(1)
  })
})

describe('the v2 corruption matrix: BACKUP_CORRUPT before anything is written', () => {
  const kinds = ['plain', 'compressed', 'encrypted'] as const
  const cases: Array<[string, Rewrite]> = [
    [
      'the index missing',
      { index: i => i, members: m => m, manifest: () => undefined, consistentIndex: true }
    ],
    [
      'the index listing a license twice',
      { index: i => ({ ...i, licenses: [...i.licenses, i.licenses[0]!] }) }
    ],
    ['the index out of order', { index: i => ({ ...i, licenses: [...i.licenses].reverse() }) }],
    [
      'the index with a wrong digest',
      {
        index: i => ({
          ...i,
          licenses: i.licenses.map((l, k) => (k === 0 ? { ...l, sha256: '0'.repeat(64) } : l))
        })
      }
    ],
    ['a member after the index', {}],
    [
      'a member named into .license-backup/',
      { members: m => [...m, { name: '.license-backup/machine.json', data: '{}' }] }
    ],
    ['counts.licenses one more', { manifest: m => void (m.counts.licenses += 1) }],
    ['tar_size one less', { manifest: m => void (m.pack.tar_size -= 1) }],
    ['tar_size one more', { manifest: m => void (m.pack.tar_size += 1) }]
  ]
  for (const kind of kinds) {
    it.each(cases)(`${kind}: %s`, async (name, change) => {
      const dir = await rewritten(kind, change)
      if (name === 'the index missing') await dropIndex(dir, kind)
      if (name === 'a member after the index') await memberAfterIndex(dir, kind)
      await refused(dir, 'BACKUP_CORRUPT', false)
    })
    it(`${kind}: a bit flipped in the pack, or the pack truncated (digests stale)`, async () => {
      const dir = join(w.root, `case-${++n}`)
      await cp(base[kind === 'encrypted' ? 'encrypted' : kind]!.dir, dir, { recursive: true })
      const pack = join(dir, base[kind]!.read.manifest.pack.file)
      const bytes = await readFile(pack)
      bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0x10
      await writeFile(pack, bytes)
      await refused(dir, 'BACKUP_CORRUPT', false)
      await truncate(pack, bytes.length - 7)
      await refused(dir, 'BACKUP_CORRUPT', false)
    })
  }

  it('a gzip bomb is stopped at the first byte past the declared tar size', async () => {
    const dir = join(w.root, `case-${++n}`)
    await mkdir(dir)
    const bomb = gzipSync(Buffer.alloc(256 * 1024 * 1024))
    await writeFile(join(dir, 'licenses.tar.gz'), bomb)
    const manifest = { ...base['compressed']!.read.manifest }
    manifest.pack = { file: 'licenses.tar.gz', sha256: sha256(bomb), size: bomb.length, tar_size: 10240 }
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest))
    const error = await refused(dir, 'BACKUP_CORRUPT', false)
    expect(error.message).toMatch(/more than the 10240 bytes its manifest declares/)
  })
})

/** Re-packs without the index member (the rewrite always adds one). */
async function dropIndex(dir: string, kind: string): Promise<void> {
  const read = await readV2(dir, w.identity)
  const tar = craftTar(read.members)
  let pack = read.manifest.compression === 'gzip' ? gzipSync(tar) : tar
  if (kind === 'encrypted') pack = await encrypt(pack, w.recipient)
  await writePack(dir, read, pack, tar.length)
}

/** Re-packs with a license member after the index. */
async function memberAfterIndex(dir: string, kind: string): Promise<void> {
  const read = await readV2(dir, w.identity)
  const last = read.members.at(-1)!
  const tar = craftTar([
    ...read.members.slice(0, -1),
    {
      name: '.license-backup/index.json',
      data: JSON.stringify({ ...read.index, licenses: read.index.licenses.slice(0, -1) })
    },
    last
  ])
  let pack = read.manifest.compression === 'gzip' ? gzipSync(tar) : tar
  if (kind === 'encrypted') pack = await encrypt(pack, w.recipient)
  await writePack(dir, read, pack, tar.length)
}

async function writePack(dir: string, read: ReadV2, pack: Buffer, tarSize: number): Promise<void> {
  await writeFile(join(dir, read.manifest.pack.file), pack)
  const manifest = {
    ...read.manifest,
    pack: { ...read.manifest.pack, sha256: sha256(pack), size: pack.length, tar_size: tarSize }
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest))
}
