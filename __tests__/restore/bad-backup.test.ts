import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { generateX25519Identity } from 'age-encryption'
import { cp, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Manifest } from '../../src/engine/format/manifest.js'
import { serializeManifest } from '../../src/engine/format/manifest-io.js'
import {
  readBackup,
  repack,
  sha256,
  TYPE,
  writeHostileBackup,
  type CraftedMember,
  type ReadBackup
} from '../support/hostile-backup.js'
import { registerSecret } from '../support/secret-scan.js'
import { faultWorld, type FaultWorld } from './fault-world.js'
import { snapshot } from './support.js'

// Issue 4: a bad backup is refused before anything is written. Each case: its code, a message that names
// the member or file, the target store (holding an identity and licenses) byte-for-byte unchanged, and
// nothing written beside the backup and the store.
let w: FaultWorld
let plain: ReadBackup
let n = 0

beforeAll(async () => {
  w = await faultWorld(6, 'license-backup/v1')
  plain = await readBackup(w.backup)
})
afterAll(async () => w.close())

async function folder(): Promise<string> {
  return join(w.root, 'bad', `case-${++n}`)
}

async function expectRefused(
  backup: string,
  code: string,
  names: string,
  options: { ageIdentity?: string } = {}
): Promise<string> {
  const store = await w.target('bad')
  const before = await snapshot(store)
  const rootBefore = (await readdir(w.root)).sort()
  const { error } = await w.restore(store, { path: backup, ...options })
  expect(error?.code).toBe(code)
  expect(error?.message).toContain(names)
  expect(await snapshot(store)).toEqual(before)
  expect((await readdir(w.root)).sort()).toEqual(rootBefore)
  // Refused before the service was asked anything.
  expect(w.proxy.requests.filter(r => r.path.startsWith('/v1/'))).toEqual([])
  return error?.message ?? ''
}

/** A real license's bytes, to put in crafted members. */
function licenseBytes(i = 0): Buffer {
  return plain.members[i]!.data
}

describe('restore refuses a bad backup and touches nothing', () => {
  it('a tampered pack (stale digest) is BACKUP_CORRUPT naming the pack', async () => {
    const dir = await folder()
    await cp(w.backup, dir, { recursive: true })
    const pack = await readFile(join(dir, 'licenses.tar'))
    pack[700] = pack[700]! ^ 0x01
    await writeFile(join(dir, 'licenses.tar'), pack)
    expect(await expectRefused(dir, 'BACKUP_CORRUPT', 'licenses.tar')).toMatch(/SHA-256/)
  })

  it('a tampered member with the pack digest recomputed is BACKUP_CORRUPT naming the member', async () => {
    const dir = await folder()
    const name = plain.members[1]!.name
    await repack(dir, plain, {
      members: members =>
        members.map(m =>
          m.name === name
            ? { ...m, data: Buffer.from(String(m.data).replace(/.$/, c => (c === 'A' ? 'B' : 'A'))) }
            : m
        )
    })
    await expectRefused(dir, 'BACKUP_CORRUPT', name)
  })

  it('a truncated age file (digest recomputed) is BACKUP_CORRUPT naming licenses.tar.age', async () => {
    const dir = await folder()
    await cp(w.encrypted, dir, { recursive: true })
    const file = join(dir, 'licenses.tar.age')
    const pack = (await readFile(file)).subarray(0, 400)
    await writeFile(file, pack)
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest
    manifest.pack = { ...manifest.pack, sha256: sha256(pack), size: pack.length }
    await writeFile(join(dir, 'manifest.json'), serializeManifest(manifest))
    await expectRefused(dir, 'BACKUP_CORRUPT', 'licenses.tar.age', { ageIdentity: w.identity })
  })

  it('the wrong age identity is CONFIG_INVALID naming the encrypted pack', async () => {
    const other = await generateX25519Identity()
    registerSecret(other)
    const message = await expectRefused(w.encrypted, 'CONFIG_INVALID', 'licenses.tar.age', {
      ageIdentity: other
    })
    expect(message).toMatch(/not encrypted to the given age identity/)
  })

  it('a manifest of another format version is BACKUP_CORRUPT naming manifest.json', async () => {
    const dir = await folder()
    await cp(w.backup, dir, { recursive: true })
    const text = await readFile(join(dir, 'manifest.json'), 'utf8')
    await writeFile(join(dir, 'manifest.json'), text.replace('license-backup/v1', 'license-backup/v2'))
    expect(await expectRefused(dir, 'BACKUP_CORRUPT', 'manifest.json')).toContain('license-backup/v2')
  })

  it.each([['../x'], ['/etc/x']])(
    'a member named %s is BACKUP_CORRUPT naming it; nothing is written there',
    async name => {
      const dir = await folder()
      await writeHostileBackup(dir, { members: [{ name, data: licenseBytes() }] })
      await expectRefused(dir, 'BACKUP_CORRUPT', JSON.stringify(name))
      await expect(readFile(join(w.root, 'targets', 'x'))).rejects.toThrow()
      await expect(readFile(join(w.root, 'x'))).rejects.toThrow()
    }
  )

  it.each([
    ['symlink', TYPE.symlink],
    ['hard link', TYPE.hardLink]
  ])('a %s member is BACKUP_CORRUPT naming it', async (_kind, type) => {
    const dir = await folder()
    const name = 'collection-00/00/link.jwt'
    await writeHostileBackup(dir, {
      members: [
        { name: plain.members[0]!.name, data: licenseBytes() },
        { name, type, linkName: '/etc/passwd' }
      ],
      licenses: [plain.manifest.licenses.find(l => l.path === plain.members[0]!.name)!, entryOf(name)]
    })
    const message = await expectRefused(dir, 'BACKUP_CORRUPT', name)
    expect(message).toMatch(/link/)
  })

  it('a member missing from the manifest is BACKUP_CORRUPT naming it', async () => {
    const dir = await folder()
    const extra: CraftedMember = { name: 'collection-00/00/unlisted.jwt', data: licenseBytes(2) }
    await repack(dir, plain, { members: members => [...members, extra] })
    expect(await expectRefused(dir, 'BACKUP_CORRUPT', extra.name)).toMatch(/not listed in the manifest/)
  })

  it('two members whose names differ only by case are BACKUP_CORRUPT naming them', async () => {
    const dir = await folder()
    await writeHostileBackup(dir, {
      members: [
        { name: 'collection-00/Lic.jwt', data: licenseBytes(0) },
        { name: 'collection-00/lic.jwt', data: licenseBytes(1) }
      ]
    })
    expect(await expectRefused(dir, 'BACKUP_CORRUPT', 'collection-00/lic.jwt')).toMatch(/case/)
  })

  it('the same member twice (listed once) is BACKUP_CORRUPT naming it', async () => {
    const dir = await folder()
    const first = plain.members[0]!
    await repack(dir, plain, { members: members => [...members, { name: first.name, data: first.data }] })
    expect(await expectRefused(dir, 'BACKUP_CORRUPT', first.name)).toMatch(/twice/)
  })
})

function entryOf(path: string) {
  return { jti: `link-${path}`, key_id: 'k', path, sha256: sha256(Buffer.alloc(0)), size: 0 }
}
