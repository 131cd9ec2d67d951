import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer, type LicenseBackupError } from '../../src/engine/index.js'
import { parseLicense } from '../../src/engine/licenses/license.js'
import type { Manifest } from '../../src/engine/format/manifest.js'
import { restoreDirs } from '../../src/engine/restore/commit.js'
import {
  readBackup,
  writeHostileBackup,
  type HostileBackup,
  type ReadBackup
} from '../support/hostile-backup.js'
import { faultWorld, type FaultWorld } from './fault-world.js'
import { snapshot } from './support.js'

// Issue 10 items 1 and 2 (docs/names.md): every target path is checked against the store before anything is
// written; only members matching the restore's pattern are written; never over another license. Each
// refusal: its code, a message naming the backup's member and the store's path, the store byte-for-byte
// as it was, no journal, no staging, no new machine key, and the service never asked.
let w: FaultWorld
let real: ReadBackup
let n = 0

beforeAll(async () => {
  w = await faultWorld(4, 'license-backup/v1')
  real = await readBackup(w.backup)
})
afterAll(async () => w.close())

const license = (i = 0): Buffer => real.members[i]!.data
const jtiOf = (i: number): string => parseLicense(license(i).toString('utf8'), 'test').jti
/** A license of the backup's issuer that the backup does not hold. */
const fresh = (): Buffer => {
  const claims = parseLicense(license(0).toString('utf8'), 'test').claims
  return Buffer.from(w.issuer.sign({ ...claims, jti: `fresh-${++n}` }))
}
/** The backup's real members, in their order: they come before the clashing one, so a late clash would have moved them in. */
const realMembers = (): HostileBackup['members'] => real.members.map(m => ({ name: m.name, data: m.data }))

async function caseFolder(
  store: 'template' | 'empty' = 'template'
): Promise<{ backup: string; store: string }> {
  const dir = join(w.root, 'targets-case', `case-${++n}`)
  const at = { backup: join(dir, 'backup'), store: join(dir, 'store') }
  if (store === 'template') await cp(w.template, at.store, { recursive: true })
  else await mkdir(at.store, { recursive: true })
  return at
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false
  )
}

async function expectRefused(
  at: { backup: string; store: string },
  code: string,
  names: string[],
  options: { pattern?: string; outside?: string } = {}
): Promise<LicenseBackupError> {
  const before = await snapshot(at.store)
  const outside = options.outside ? await snapshot(options.outside) : undefined
  w.proxy.requests.length = 0
  const { error } = await w.restore(at.store, {
    path: at.backup,
    ...(options.pattern ? { pattern: options.pattern } : {})
  })
  expect(error?.code).toBe(code)
  for (const name of names) expect(error?.message).toContain(name)
  expect(await snapshot(at.store)).toEqual(before)
  const dirs = restoreDirs(at.store)
  expect(await exists(dirs.journal)).toBe(false)
  expect(await exists(dirs.staging)).toBe(false)
  if (options.outside) expect(await snapshot(options.outside)).toEqual(outside)
  expect(w.proxy.requests.filter(r => r.path.startsWith('/v1/'))).toEqual([])
  return error!
}

describe('item 1: a clash with the store is refused before anything is written', () => {
  it('a member where the store has a folder (mine ↔ mine/), the members before it not moved in', async () => {
    const at = await caseFolder()
    await mkdir(join(at.store, 'mine'))
    await writeFile(join(at.store, 'mine', 'notes.txt'), 'the user’s own')
    await writeHostileBackup(at.backup, { members: [...realMembers(), { name: 'mine', data: fresh() }] })
    const error = await expectRefused(at, 'STORE_INVALID', ['"mine"', 'a folder where the license goes'], {
      pattern: '**'
    })
    expect(error.message).toMatch(/move .*mine out of the way/)
    for (const member of real.members) expect(await exists(join(at.store, member.name))).toBe(false)
  })

  it('a member under a folder that is a file of the store (own.jwt/x.jwt ↔ own.jwt)', async () => {
    const at = await caseFolder()
    await writeFile(join(at.store, 'own.jwt'), license(1))
    await writeHostileBackup(at.backup, {
      members: [...realMembers(), { name: 'own.jwt/x.jwt', data: fresh() }]
    })
    await expectRefused(at, 'STORE_INVALID', [
      '"own.jwt/x.jwt"',
      'the store has "own.jwt"',
      'a file where its folder goes'
    ])
  })

  it('a member where the store has a folder of the same name (mine.jwt ↔ mine.jwt/)', async () => {
    const at = await caseFolder()
    await mkdir(join(at.store, 'mine.jwt'))
    await writeHostileBackup(at.backup, { members: [...realMembers(), { name: 'mine.jwt', data: fresh() }] })
    await expectRefused(at, 'STORE_INVALID', ['"mine.jwt"', 'a folder where the license goes'])
  })

  it('a member the store spells differently (Mine.jwt ↔ mine.jwt): the same name on case-insensitive file systems', async () => {
    const at = await caseFolder()
    await writeFile(join(at.store, 'mine.jwt'), license(0))
    await writeHostileBackup(at.backup, { members: [{ name: 'Mine.jwt', data: license(0) }] })
    await expectRefused(at, 'STORE_INVALID', ['"Mine.jwt"', 'the store has "mine.jwt"', 'ignore case'])
  })

  it('a member under a folder that is a link out of the store: nothing written through it', async () => {
    const at = await caseFolder()
    const elsewhere = join(at.store, '..', 'elsewhere')
    await mkdir(elsewhere)
    await writeFile(join(elsewhere, 'keep.txt'), 'outside')
    await symlink(elsewhere, join(at.store, 'linked'))
    await writeHostileBackup(at.backup, { members: [{ name: 'linked/x.jwt', data: license(0) }] })
    await expectRefused(at, 'STORE_INVALID', ['"linked/x.jwt"', 'the store has "linked"', 'link'], {
      outside: elsewhere
    })
  })

  it('a fresh store: the refusal comes before the machine key is created', async () => {
    const at = await caseFolder('empty')
    await mkdir(join(at.store, 'mine.jwt'))
    await writeHostileBackup(at.backup, { members: [{ name: 'mine.jwt', data: license(0) }] })
    await expectRefused(at, 'STORE_INVALID', ['"mine.jwt"'])
    expect(await exists(join(at.store, '.license-backup', 'machine.json'))).toBe(false)
  })
})

describe('item 1: a journal an earlier version left for such a clash does not wedge the store', () => {
  it('recovery moves in what it can, leaves out the blocked paths with a warning, and the run goes on', async () => {
    const at = await caseFolder()
    await mkdir(join(at.store, 'mine.jwt'))
    await writeFile(join(at.store, 'own.jwt'), 'the user’s own')
    // What such a version left: the staging and the journal, past the commit point.
    const dirs = restoreDirs(at.store)
    const staged = { 'early.jwt': license(2), 'mine.jwt': license(0), 'own.jwt/x.jwt': license(1) }
    for (const [path, data] of Object.entries(staged)) {
      await mkdir(join(dirs.staging, path, '..'), { recursive: true })
      await writeFile(join(dirs.staging, path), data)
    }
    await writeFile(dirs.journal, JSON.stringify({ id: 'old', paths: Object.keys(staged) }))

    const { error, events, result } = await w.restore(at.store)
    expect(error).toBeUndefined()
    expect(result).toMatchObject({ restored: real.members.length })
    const warnings = events.flatMap(e => (e.type === 'WARNING' ? [e.message] : []))
    expect(warnings.join('\n')).toMatch(/2 restored license\(s\) could not be moved into the store/)
    expect(warnings.join('\n')).toContain('"mine.jwt" (in the way: "mine.jwt")')
    expect(warnings.join('\n')).toContain('"own.jwt/x.jwt" (in the way: "own.jwt")')
    expect(await readFile(join(at.store, 'early.jwt'))).toEqual(license(2))
    expect(await readFile(join(at.store, 'own.jwt'), 'utf8')).toBe('the user’s own')
    expect((await stat(join(at.store, 'mine.jwt'))).isDirectory()).toBe(true)
    expect(await exists(dirs.journal)).toBe(false)
    expect(await exists(dirs.staging)).toBe(false)
    // And the next run is an ordinary one.
    const again = await w.restore(at.store)
    expect(again.error).toBeUndefined()
    // No warning but the one every restore without `signers` gives (docs/format.md).
    const others = again.events.filter(e => e.type === 'WARNING' && !/not authenticated/.test(e.message))
    expect(others).toEqual([])
  })
})

describe('item 2: never over another license', () => {
  it('a member over a file holding another license (another jti) is refused, naming both IDs and the path', async () => {
    const at = await caseFolder()
    await writeFile(join(at.store, 'keep.jwt'), license(1))
    const mine = fresh()
    const mineJti = parseLicense(mine.toString('utf8'), 'test').jti
    await writeHostileBackup(at.backup, { members: [...realMembers(), { name: 'keep.jwt', data: mine }] })
    await expectRefused(at, 'STORE_INVALID', [
      '"keep.jwt"',
      jtiOf(1),
      mineJti,
      'never replaces another license'
    ])
  })

  it('a member over a file that is not a license is refused', async () => {
    const at = await caseFolder()
    await writeFile(join(at.store, 'token.jwt'), 'eyJhbGciOiJub25lIn0.e30.')
    await writeHostileBackup(at.backup, { members: [{ name: 'token.jwt', data: license(0) }] })
    await expectRefused(at, 'STORE_INVALID', ['"token.jwt"', 'a file that is not a license'])
  })

  it('a member over the same license (same jti, not bound here yet) replaces it with the one bound here', async () => {
    const at = await caseFolder()
    const member = real.members[0]!
    await mkdir(join(at.store, member.name, '..'), { recursive: true })
    await writeFile(join(at.store, member.name), member.data)
    const { error, result } = await w.restore(at.store)
    expect(error).toBeUndefined()
    expect(result).toMatchObject({ restored: real.members.length })
    const held = parseLicense(await readFile(join(at.store, member.name), 'utf8'), member.name)
    expect(held.jti).toBe(jtiOf(0))
    expect(held.claims.cnf?.jkt).toBeDefined()
  })
})

describe("item 2: only members matching the restore's pattern", () => {
  const outsiders = (): HostileBackup['members'] => [
    { name: real.members[0]!.name, data: license(0) },
    { name: 'package.json', data: license(1) },
    { name: '.git/config', data: license(2) },
    { name: '.github/workflows/ci.yml', data: license(3) }
  ]
  const recording =
    (pattern: string) =>
    (manifest: Manifest): Manifest => ({ ...manifest, pattern })

  it('a backup recording no pattern: members outside the default **/*.jwt are CONFIG_INVALID', async () => {
    const at = await caseFolder()
    await writeHostileBackup(at.backup, { members: outsiders() })
    await expectRefused(at, 'CONFIG_INVALID', ['"package.json"', '"**/*.jwt"', 'the default pattern'])
  })

  it('members outside the pattern the backup records are BACKUP_CORRUPT', async () => {
    const at = await caseFolder()
    await writeHostileBackup(at.backup, { members: outsiders(), manifest: recording('**/*.jwt') })
    await expectRefused(at, 'BACKUP_CORRUPT', ['"package.json"', '"**/*.jwt"', 'the backup records'])
  })

  it("the restore's own pattern comes first: a backup recording ** is refused by it", async () => {
    const at = await caseFolder()
    await writeHostileBackup(at.backup, { members: outsiders(), manifest: recording('**') })
    await expectRefused(at, 'CONFIG_INVALID', ['"package.json"', "the restore's pattern option"], {
      pattern: '**/*.jwt'
    })
  })

  it('the recorded pattern is read: a member in a subfolder of a backup recording *.jwt is refused', async () => {
    const at = await caseFolder()
    await writeHostileBackup(at.backup, {
      members: [{ name: 'sub/x.jwt', data: license(0) }],
      manifest: recording('*.jwt')
    })
    await expectRefused(at, 'BACKUP_CORRUPT', ['"sub/x.jwt"', '"*.jwt"'])
  })

  it('a backup records the pattern it was made with, and a restore uses it', async () => {
    expect(real.manifest.pattern).toBe('**/*.jwt')
    const store = join(w.root, 'lic-store')
    for (const member of real.members) {
      const file = join(store, member.name.replace(/\.jwt$/, '.lic'))
      await mkdir(join(file, '..'), { recursive: true })
      await writeFile(file, member.data)
    }
    const backup = join(w.root, 'lic-backup')
    await createBackupRestorer().backup({
      store,
      path: backup,
      pattern: '**/*.lic',
      trust: { jwksFile: w.jwksFile },
      format: 'license-backup/v1'
    })
    expect((await readBackup(backup)).manifest.pattern).toBe('**/*.lic')
    const target = await w.target('lic')
    const { error, result } = await w.restore(target, { path: backup })
    expect(error).toBeUndefined()
    expect(result).toMatchObject({ restored: real.members.length })
    const restored = await readdir(target, { recursive: true })
    expect(restored.filter(name => name.endsWith('.lic'))).toHaveLength(real.members.length)
  })
})
