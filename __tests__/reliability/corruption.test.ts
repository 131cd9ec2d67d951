import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { generateX25519Identity } from 'age-encryption'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Manifest } from '../../src/engine/format/manifest.js'
import { encrypt, readBackup, repack, sha256, type ReadBackup } from '../support/hostile-backup.js'
import { registerSecret } from '../support/secret-scan.js'
import { faultWorld, type FaultWorld } from '../restore/fault-world.js'
import { snapshot } from '../restore/support.js'

// Issue 7, docs/format.md: every corruption of a real backup, plain or age-encrypted, is detected before the
// store is touched: BACKUP_CORRUPT (CONFIG_INVALID for identity problems), the store byte-for-byte as it
// was, the service never asked. Member-level changes are re-packed with a recomputed digest, so the member
// checks, not the pack digest, must catch them.
let w: FaultWorld
let other: string
const base: Record<Kind, ReadBackup> = {} as Record<Kind, ReadBackup>
let n = 0

type Kind = 'plain' | 'encrypted'

interface Case {
  /** Writes the corrupted backup into `dir` from the real one at `from`. */
  make(dir: string, from: string, original: ReadBackup, kind: Kind): Promise<void>
  code?: string
  identity?: (kind: Kind) => Promise<string | undefined>
}

beforeAll(async () => {
  w = await faultWorld(6, 'license-backup/v1')
  other = join(w.root, 'held-backup')
  base.plain = await readBackup(w.backup)
  base.encrypted = await readBackup(w.encrypted, w.identity)
})
afterAll(async () => w.close())

const packName = (kind: Kind): string => (kind === 'plain' ? 'licenses.tar' : 'licenses.tar.age')

async function copy(dir: string, from: string): Promise<void> {
  await cp(from, dir, { recursive: true })
}

/** Flips one bit of the pack at `at` (negative: from the end); the manifest keeps the old digest. */
function flipPack(at: number): Case['make'] {
  return async (dir, from, _o, kind) => {
    await copy(dir, from)
    const file = join(dir, packName(kind))
    const bytes = await readFile(file)
    const i = at < 0 ? bytes.length + at : at
    bytes[i] = bytes[i]! ^ 0x04
    await writeFile(file, bytes)
  }
}

/** Flips one bit of manifest.json at the first occurrence of `marker` (plus `shift`). */
function flipManifest(marker: string, shift = 0): Case['make'] {
  return async (dir, from) => {
    await copy(dir, from)
    const file = join(dir, 'manifest.json')
    const bytes = await readFile(file)
    const i = bytes.indexOf(marker) + shift
    if (i < shift) throw new Error(`marker ${marker} not in the manifest`)
    bytes[i] = bytes[i]! ^ 0x01
    await writeFile(file, bytes)
  }
}

/** Edits the manifest as JSON (any value allowed), keeping the pack as it is. */
function editManifest(edit: (m: Manifest) => void): Case['make'] {
  return async (dir, from) => {
    await copy(dir, from)
    const file = join(dir, 'manifest.json')
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Manifest
    edit(manifest)
    await writeFile(file, JSON.stringify(manifest, null, 2))
  }
}

/** Edits one license entry and keeps counts.bytes agreeing, so the member check must catch it. */
function editEntry(edit: (entry: Manifest['licenses'][number]) => void): Case['make'] {
  return editManifest(m => {
    edit(m.licenses[1]!)
    m.counts.bytes = m.licenses.reduce((sum, l) => sum + l.size, 0)
  })
}

function repacked(change: Parameters<typeof repack>[2]): Case['make'] {
  return (dir, _from, original) => repack(dir, original, { recipient: w.recipient, ...change })
}

const flipLast = (data: Buffer | string | undefined): Buffer => {
  const bytes = Buffer.from(data ?? '')
  bytes[bytes.length - 3] = bytes[bytes.length - 3]! === 0x41 ? 0x42 : 0x41
  return bytes
}

const cases: Array<[string, Case]> = [
  ['pack: a bit flipped in the first header', { make: flipPack(10) }],
  ['pack: a bit flipped in the header checksum area', { make: flipPack(150) }],
  ['pack: a bit flipped in the first data block', { make: flipPack(600) }],
  ['pack: a bit flipped in the end-of-archive zeros', { make: flipPack(-5) }],
  ['pack: a bit flipped in the middle', { make: flipPack(1500) }],
  [
    'pack: truncated (manifest digest stale)',
    {
      make: async (dir, from, _o, kind) => {
        await copy(dir, from)
        const file = join(dir, packName(kind))
        await writeFile(file, (await readFile(file)).subarray(0, 1000))
      }
    }
  ],
  [
    'pack: truncated, digest recomputed (the tar or age reader must catch it)',
    {
      make: async (dir, from, _o, kind) => {
        await copy(dir, from)
        const file = join(dir, packName(kind))
        const cut = (await readFile(file)).subarray(0, 1300)
        await writeFile(file, cut)
        const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest
        manifest.pack.sha256 = sha256(cut)
        manifest.pack.size = cut.length
        await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest))
      }
    }
  ],
  ['manifest: a bit flipped in "format"', { make: flipManifest('license-backup/v1', 3) }],
  ['manifest: a bit flipped in the first brace', { make: flipManifest('{') }],
  ['manifest: a bit flipped in pack.file', { make: flipManifest('"file": "licenses', 10) }],
  ['manifest: a bit flipped in pack.sha256', { make: flipManifest('"sha256": "', 14) }],
  ['manifest: a bit flipped in pack.size', { make: flipManifest('"size": ', 8) }],
  ['manifest: a bit flipped in a license path', { make: flipManifest('"path": "', 12) }],
  ['manifest: a bit flipped in a license jti', { make: flipManifest('"jti": "', 10) }],
  ['manifest: a bit flipped in counts', { make: flipManifest('"licenses": 6') }],
  [
    'manifest: format of another version',
    { make: editManifest(m => void (m.format = 'license-backup/v2' as 'license-backup/v1')) }
  ],
  [
    'manifest: pack.file names another file',
    { make: editManifest(m => void (m.pack.file = 'other.tar' as 'licenses.tar')) }
  ],
  [
    'manifest: pack.sha256 of other bytes',
    { make: editManifest(m => void (m.pack.sha256 = sha256(Buffer.from('x')))) }
  ],
  ['manifest: pack.size one more', { make: editManifest(m => void (m.pack.size += 1)) }],
  [
    'manifest: pack.size as a string',
    { make: editManifest(m => void ((m.pack as { size: unknown }).size = '9')) }
  ],
  [
    'manifest: a license sha256 of other bytes',
    { make: editEntry(e => void (e.sha256 = sha256(Buffer.from('y')))) }
  ],
  ['manifest: a license size one less', { make: editEntry(e => void (e.size -= 1)) }],
  [
    'manifest: a license path renamed',
    { make: editEntry(e => void (e.path = e.path.replace('.jwt', '-x.jwt'))) }
  ],
  ['manifest: a license path with ..', { make: editEntry(e => void (e.path = `../${e.path}`)) }],
  [
    'manifest: a license jti of another license',
    { make: editEntry(e => void (e.jti = 'lic-somebody-else')) }
  ],
  ['manifest: a license key_id of another key', { make: editEntry(e => void (e.key_id = 'f'.repeat(32))) }],
  [
    'manifest: a license entry dropped',
    { make: editManifest(m => void (m.licenses.pop(), (m.counts.licenses -= 1))) }
  ],
  ['manifest: counts.licenses one more', { make: editManifest(m => void (m.counts.licenses += 1)) }],
  ['manifest: counts.restricted one more', { make: editManifest(m => void (m.counts.restricted += 1)) }],
  ['manifest: counts.bytes one more', { make: editManifest(m => void (m.counts.bytes += 1)) }],
  [
    'manifest: encryption switched',
    {
      make: editManifest(m => {
        m.encryption = m.encryption ? null : { scheme: 'age', recipients: [w.recipient] }
      })
    }
  ],
  ['members: one deleted (re-packed)', { make: repacked({ members: ms => ms.slice(1) }) }],
  [
    'members: one added (re-packed)',
    { make: repacked({ members: ms => [...ms, { name: 'collection-00/extra.jwt', data: ms[0]!.data }] }) }
  ],
  [
    'members: two swapped (data exchanged, re-packed)',
    {
      make: repacked({
        members: ms => ms.map((m, i) => ({ ...m, data: ms[i === 0 ? 1 : i === 1 ? 0 : i]!.data }))
      })
    }
  ],
  [
    'members: one renamed (re-packed)',
    { make: repacked({ members: ms => ms.map((m, i) => (i === 2 ? { ...m, name: `${m.name}.old` } : m)) }) }
  ],
  [
    'members: one byte of a license changed (re-packed)',
    { make: repacked({ members: ms => ms.map((m, i) => (i === 3 ? { ...m, data: flipLast(m.data) } : m)) }) }
  ],
  [
    'members: a copy of one under a name that differs only by case (re-packed, manifest lists both)',
    {
      make: repacked({
        members: ms => [...ms, { ...ms[0]!, name: ms[0]!.name.toUpperCase() }],
        licenses: ls => {
          const first = ls.find(l => l.path === base.plain.members[0]!.name)!
          return [...ls, { ...first, jti: `${first.jti}-copy`, path: first.path.toUpperCase() }]
        }
      })
    }
  ],
  ["pair: this manifest with another backup's pack", { make: pairWithForeign(false) }],
  ["pair: another backup's pack with its digest put in this manifest", { make: pairWithForeign(true) }]
]

/** Puts another backup's pack (encrypted to the same recipient when needed) beside this manifest. */
function pairWithForeign(recompute: boolean): Case['make'] {
  return async (dir, from, _o, kind) => {
    await copy(dir, from)
    const foreign = await readBackup(other)
    const pack = kind === 'plain' ? foreign.pack : await encrypt(foreign.tar, w.recipient)
    await writeFile(join(dir, packName(kind)), pack)
    if (!recompute) return
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest
    manifest.pack.sha256 = sha256(pack)
    manifest.pack.size = pack.length
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest))
  }
}

const identityCases: Array<[string, Case]> = [
  [
    'identity: none given for an encrypted pack',
    { make: copy, code: 'CONFIG_INVALID', identity: async () => undefined }
  ],
  [
    'identity: another X25519 identity',
    {
      make: copy,
      code: 'CONFIG_INVALID',
      identity: async () => {
        const id = await generateX25519Identity()
        registerSecret(id)
        return id
      }
    }
  ],
  [
    'identity: not an age identity',
    { make: copy, code: 'CONFIG_INVALID', identity: async () => 'AGE-PLUGIN-NOPE-1XYZ' }
  ]
]

async function expectDetected(kind: Kind, testCase: Case): Promise<void> {
  const from = kind === 'plain' ? w.backup : w.encrypted
  const dir = join(w.root, 'corrupt', `${kind}-${++n}`)
  await testCase.make(dir, from, base[kind], kind)
  const store = await w.target('corrupt')
  const before = await snapshot(store)
  const identity = testCase.identity ? await testCase.identity(kind) : w.identity
  w.proxy.requests.length = 0
  const { error } = await w.restore(store, { path: dir, ...(identity ? { ageIdentity: identity } : {}) })
  expect(error?.code).toBe(testCase.code ?? 'BACKUP_CORRUPT')
  expect(error?.message).toContain(dir)
  expect(await snapshot(store)).toEqual(before)
  expect(w.proxy.requests.filter(r => r.path.startsWith('/v1/'))).toEqual([])
}

describe('corruption matrix: detected before the store is touched', () => {
  it('the untouched backups restore (the matrix starts from sound backups)', async () => {
    for (const [path, identity] of [
      [w.backup, undefined],
      [w.encrypted, w.identity]
    ] as const) {
      const store = await w.target('sound')
      const { error } = await w.restore(store, { path, ...(identity ? { ageIdentity: identity } : {}) })
      expect(error).toBeUndefined()
    }
  })

  it.each(cases)('plain: %s', async (_name, testCase) => expectDetected('plain', testCase))
  it.each(cases)('encrypted: %s', async (_name, testCase) => expectDetected('encrypted', testCase))
  it.each(identityCases)('encrypted: %s', async (_name, testCase) => expectDetected('encrypted', testCase))
})
