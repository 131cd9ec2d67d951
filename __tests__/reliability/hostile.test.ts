import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { cp, mkdir, open, readdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MAX_MANIFEST_BYTES } from '../../src/engine/restore/manifest-bounds.js'
import { faultWorld, type FaultWorld } from '../restore/fault-world.js'
import { snapshot } from '../restore/support.js'
import {
  entryFor,
  readBackup,
  sha256,
  TYPE,
  writeHostileBackup,
  type HostileBackup,
  type ReadBackup
} from '../support/hostile-backup.js'
import { itOnPosix } from '../support/platform.js'

// Issue 7, docs/format.md: restore treats a backup as hostile input. Each crafted backup is refused with its code
// before anything is written: the target store is byte-for-byte as it was, and nothing appears anywhere
// in the case's private temp folder (nor at the absolute path a member names).
let w: FaultWorld
let real: ReadBackup
let n = 0

beforeAll(async () => {
  w = await faultWorld(4, 'license-backup/v1')
  real = await readBackup(w.backup)
})
afterAll(async () => w.close())

const GiB = 1024 ** 3
const license = (i = 0): Buffer => real.members[i]!.data

/** A private folder per case, holding the backup and the target store. */
async function caseFolder(): Promise<{ dir: string; backup: string; store: string }> {
  const dir = join(w.root, 'hostile', `case-${++n}`)
  await mkdir(dir, { recursive: true })
  const store = join(dir, 'store')
  await cp(w.template, store, { recursive: true })
  return { dir, backup: join(dir, 'backup'), store }
}

async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort()
}

async function expectRefused(
  at: { dir: string; backup: string; store: string },
  code: string,
  names: RegExp | string
): Promise<void> {
  const before = await snapshot(at.store)
  const files = await tree(at.dir)
  w.proxy.requests.length = 0
  const { error } = await w.restore(at.store, { path: at.backup })
  expect(error?.code).toBe(code)
  if (typeof names === 'string') expect(error?.message).toContain(names)
  else expect(error?.message).toMatch(names)
  expect(await snapshot(at.store)).toEqual(before)
  expect(await tree(at.dir)).toEqual(files)
  expect(w.proxy.requests.filter(r => r.path.startsWith('/v1/'))).toEqual([])
}

async function refuses(spec: HostileBackup, names: RegExp | string, code = 'BACKUP_CORRUPT'): Promise<void> {
  const at = await caseFolder()
  await writeHostileBackup(at.backup, spec)
  await expectRefused(at, code, names)
}

describe('hostile backups are refused, nothing written', () => {
  it.each([
    ['../x'],
    ['a/../../x'],
    ['collection-00/../../../../../tmp/lb-hostile-escape'],
    ['./x'],
    ['a//x']
  ])('path traversal: a member named %s', async name => {
    await refuses({ members: [{ name, data: license() }] }, JSON.stringify(name))
    // Listed in the manifest (its entry check refuses it), and listed under a safe name (the member check must).
    await refuses(
      { members: [{ name, data: license() }], licenses: [entryFor('x.jwt', license())] },
      `member ${JSON.stringify(name)}`
    )
    await expect(stat('/tmp/lb-hostile-escape')).rejects.toThrow()
  })

  it.each([['/etc/x'], ['/tmp/lb-hostile-absolute'], ['C:\\x'], ['.license-backup/machine.json']])(
    'absolute or reserved name: a member named %s',
    async name => {
      await refuses({ members: [{ name, data: license() }] }, JSON.stringify(name))
      // Listed in the manifest (its entry check refuses it), and listed under a safe name (the member check must).
      await refuses(
        { members: [{ name, data: license() }], licenses: [entryFor('x.jwt', license())] },
        `member ${JSON.stringify(name)}`
      )
      await expect(stat('/tmp/lb-hostile-absolute')).rejects.toThrow()
      await expect(stat('/etc/x')).rejects.toThrow()
    }
  )

  it('a pax path record that escapes (the ustar name looks harmless)', async () => {
    await refuses(
      { members: [{ name: 'harmless.jwt', data: license(), pax: { path: '../../pax-escape.jwt' } }] },
      'pax-escape.jwt'
    )
  })

  it.each([
    ['symbolic link', TYPE.symlink],
    ['hard link', TYPE.hardLink],
    ['character device', TYPE.charDevice],
    ['block device', TYPE.blockDevice],
    ['directory', TYPE.directory],
    ['FIFO', TYPE.fifo]
  ])('a %s member, listed in the manifest', async (kind, type) => {
    const name = 'collection-00/odd.jwt'
    await refuses(
      {
        members: [
          { name: real.members[0]!.name, data: license() },
          { name, type, linkName: '../../../etc/passwd' }
        ],
        licenses: [real.manifest.licenses.find(l => l.path === real.members[0]!.name)!, entryFor(name, '')]
      },
      new RegExp(`${name}.*${kind}`)
    )
  })

  it.each([
    ['exactly', 'collection-00/dup.jwt', 'collection-00/dup.jwt'],
    ['by case', 'collection-00/dup.jwt', 'Collection-00/DUP.jwt']
  ])('duplicate member names (%s), the manifest listing one', async (_how, first, second) => {
    await refuses(
      {
        members: [
          { name: first, data: license(0) },
          { name: second, data: license(0) }
        ],
        licenses: [entryFor(first, license(0))]
      },
      JSON.stringify(second)
    )
  })

  it('duplicate names by case, both listed in the manifest', async () => {
    await refuses(
      {
        members: [
          { name: 'c/lic.jwt', data: license(0) },
          { name: 'C/LIC.jwt', data: license(1) }
        ]
      },
      /C\/LIC\.jwt.*twice/
    )
  })

  it('tar bomb: a header declaring 8 GiB (octal) is refused before any data is read', async () => {
    const name = 'collection-00/bomb.jwt'
    await refuses(
      {
        members: [{ name, declaredSize: 8 * GiB - 1 }],
        licenses: [{ ...entryFor(name, license()), size: 1000 }]
      },
      /bomb\.jwt.*over the .*cap/
    )
  })

  it('tar bomb: a base-256 size of 8 GiB is refused', async () => {
    const field = Buffer.alloc(12)
    field[0] = 0x80
    field.writeBigUInt64BE(BigInt(8 * GiB), 4)
    await refuses(
      { members: [{ name: 'bomb.jwt', sizeField: field }], licenses: [entryFor('bomb.jwt', license())] },
      /size/
    )
  })

  it('tar bomb: a pax size of 8 GiB is refused', async () => {
    await refuses(
      {
        members: [{ name: 'bomb.jwt', data: license(), pax: { size: String(8 * GiB) } }],
        licenses: [entryFor('bomb.jwt', license())]
      },
      /bomb\.jwt.*over the .*cap/
    )
  })

  it('a declared size past the data (the archive ends first) is refused as truncated', async () => {
    await refuses(
      {
        members: [{ name: 'short.jwt', data: license(), declaredSize: 4096 }],
        licenses: [{ ...entryFor('short.jwt', license()), size: 4096 }],
        end: false
      },
      /short\.jwt.*truncated/
    )
  })

  it('a manifest entry declaring a license over the size cap is refused', async () => {
    await refuses(
      {
        members: [{ name: 'a.jwt', data: license() }],
        licenses: [{ ...entryFor('a.jwt', license()), size: 8 * GiB }]
      },
      /a\.jwt.*over the .*cap/
    )
  })

  it('a manifest over the size cap (a sparse file) is refused before it is read', async () => {
    const at = await caseFolder()
    await writeHostileBackup(at.backup, { members: [{ name: 'a.jwt', data: license() }] })
    const manifest = join(at.backup, 'manifest.json')
    await truncate(manifest, MAX_MANIFEST_BYTES + 1)
    await expectRefused(at, 'BACKUP_CORRUPT', /manifest\.json.*over the .*cap/)
  })

  it.each([
    ['100k unclosed [', '['.repeat(100_000)],
    [
      '100k nested [] in licenses',
      `{"format":"license-backup/v1","licenses":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    ],
    ['100k nested objects', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`]
  ])('a deeply nested manifest (%s) is refused', async (_what, text) => {
    await refuses({ members: [{ name: 'a.jwt', data: license() }], manifest: () => text }, 'manifest.json')
  })

  it.each([
    ['the manifest is a symlink', 'manifest.json', /manifest\.json is not a regular file/],
    ['the pack is a symlink', 'licenses.tar', /licenses\.tar is not a regular file/]
  ])('%s (to /etc/passwd) is refused', async (_what, file, message) => {
    const at = await caseFolder()
    await writeHostileBackup(at.backup, { members: [{ name: 'a.jwt', data: license() }] })
    const target = join(at.backup, file)
    const { rm } = await import('node:fs/promises')
    await rm(target)
    await symlink('/etc/passwd', target)
    await expectRefused(at, 'BACKUP_CORRUPT', message)
  })

  itOnPosix('Windows has no FIFOs')('a manifest that is a FIFO is refused without opening it', async () => {
    const at = await caseFolder()
    await mkdir(at.backup, { recursive: true })
    execFileSync('mkfifo', [join(at.backup, 'manifest.json')])
    await expectRefused(at, 'BACKUP_CORRUPT', /manifest\.json is not a regular file/)
  })

  it('a stale pack digest is refused before the crafted members are read', async () => {
    await refuses(
      { members: [{ name: 'a.jwt', data: license(), type: TYPE.symlink }], staleDigest: true },
      /SHA-256 of licenses\.tar/
    )
  })
})

describe("member names under the store's one name rule (issue 10, docs/names.md)", () => {
  it.each([
    ['.LICENSE-BACKUP/machine.json'],
    ['LICENS~1/machine.json'],
    ['.license-backup./machine.json'],
    ['.license-backup /machine.json'],
    ['.license\u200c-backup/machine.json'],
    ['.licen\u017fe-backup/machine.json'],
    ['CON.jwt'],
    ['collection-00/lpt1.jwt'],
    ['collection-00/nul.tar.jwt'],
    ['a:b.jwt'],
    ['a.jwt:stream'],
    ['trailing-dot.jwt.'],
    ['trailing-space.jwt '],
    ['collection-00/LICENS~1.JWT'],
    ['bell\u0007.jwt'],
    ['next-line\u0085.jwt']
  ])('a member named %j is refused', async name => {
    await refuses({ members: [{ name, data: license() }] }, JSON.stringify(name))
  })

  it.each([
    ['NFC and NFD', 'caf\u00e9.jwt', 'cafe\u0301.jwt'],
    ['long s', 'licen\u017fe.jwt', 'license.jwt'],
    ['dotless i', 'l\u0131cense.jwt', 'license.jwt'],
    ['sharp s', 'stra\u00dfe.jwt', 'strasse.jwt'],
    ['capital sharp s', 'STRA\u1e9eE.jwt', 'strasse.jwt'],
    ['Kelvin sign', '\u212aey.jwt', 'key.jwt'],
    ['an invisible joiner', 'lic\u200dense.jwt', 'license.jwt'],
    ['folder case', 'Collection/a.jwt', 'collection/a.jwt']
  ])('two members that are the same name (%s) are refused', async (_how, first, second) => {
    await refuses(
      {
        members: [
          { name: first, data: license(0) },
          { name: second, data: license(1) }
        ]
      },
      /listed twice/
    )
  })
})

describe('a downloaded backup folder is read no further than manifest + pack', () => {
  itOnPosix('Windows has no FIFOs')(
    'extra files beside the backup (a FIFO, an 8 GiB sparse file, a stray license) are never opened',
    async () => {
      const at = await caseFolder()
      await cp(w.backup, at.backup, { recursive: true })
      // Opening the FIFO for reading would block the restore; reading the sparse file would take minutes.
      execFileSync('mkfifo', [join(at.backup, 'extra.fifo')])
      const huge = await open(join(at.backup, 'huge.bin'), 'w')
      await huge.truncate(8 * GiB)
      await huge.close()
      await writeFile(join(at.backup, 'stray.jwt'), 'not a license')
      await mkdir(join(at.backup, 'licenses'), { recursive: true })
      await writeFile(join(at.backup, 'licenses', 'evil.jwt'), license(1))
      const { error, result } = await w.restore(at.store, { path: at.backup })
      expect(error).toBeUndefined()
      expect(result).toMatchObject({ restored: real.members.length })
      expect(await stat(join(at.store, 'stray.jwt')).catch(() => undefined)).toBeUndefined()
      expect(await stat(join(at.store, 'licenses')).catch(() => undefined)).toBeUndefined()
      const restored = await readdir(at.store, { recursive: true })
      for (const member of real.members) expect(restored).toContain(member.name)
      expect(sha256(await readFile(join(at.backup, 'licenses.tar')))).toBe(real.manifest.pack.sha256)
    }
  )
})
