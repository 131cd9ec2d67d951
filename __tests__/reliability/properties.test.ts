import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { stringify } from 'yaml'
import { loadSteps } from '../../src/action/steps/load.js'
import { createBackupRestorer, LicenseBackupError, type Manifest } from '../../src/engine/index.js'
import { parseManifest } from '../../src/engine/format/manifest-io.js'
import { readTar } from '../../src/engine/format/tar-reader.js'
import { parseLicense } from '../../src/engine/licenses/license.js'
import { createVerifier, type LicenseVerifier } from '../../src/engine/licenses/verifier.js'
import { verifyBackup } from '../../src/engine/restore/verify-backup.js'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { readBackup, sha256, type ReadBackup } from '../support/hostile-backup.js'
import { registerSecret } from '../support/secret-scan.js'

// Issue 7: properties over arbitrary input. Parsers fail only with LicenseBackupError; backup then restore
// gives back the same licenses; no change to a backup goes unnoticed; restricted licenses never reach one.
const TOKEN = 'property-test-token-41c9'
registerSecret(TOKEN)
const issuer = createIssuer({ kid: 'property-issuer' })
let root: string
let jwksFile: string
let server: LicenseServer
let verifier: LicenseVerifier
let run = 0

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-properties-'))
  jwksFile = join(root, 'issuer.jwks.json')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  server = await createLicenseServer({ issuer, database: join(root, 'state.db'), tokens: [TOKEN] })
  verifier = await createVerifier({ jwksFile })
})
afterAll(async () => {
  await verifier.close()
  await server.close()
  await rm(root, { recursive: true, force: true })
})

/** Runs `f`; anything thrown must be a LicenseBackupError. */
async function onlyOurErrors(f: () => unknown): Promise<void> {
  try {
    await f()
  } catch (error) {
    if (!(error instanceof LicenseBackupError)) throw error
  }
}

/** A string with a few characters inserted, deleted or replaced. */
function mutated(valid: string): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.string({ maxLength: 3 }))
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map(edits => {
    let text = valid
    for (const [at, kind, chars] of edits) {
      const i = at % (text.length + 1)
      if (kind === 'insert') text = text.slice(0, i) + chars + text.slice(i)
      if (kind === 'delete') text = text.slice(0, i) + text.slice(i + 1)
      if (kind === 'replace') text = text.slice(0, i) + chars + text.slice(i + chars.length)
    }
    return text
  })
}

const VALID_STEPS = `version: 1
store: ./licenses
catalog: ./catalog.csv
trust: { jwks: ./issuer.jwks.json }
service: { url: https://lms.example.com, token-env: LMS_TOKEN }
steps:
  - backup:
      path: ./backup
      overwrite: false
      on-restricted: warn
      artifact: { name: license-backup, retention-days: 30 }
  - restore:
      path: ./backup
      from-artifact: { name: license-backup, workflow: nightly.yml }
      individualize: true
      identity-env: AGE_IDENTITY
`

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')

describe('parsers fail only with LicenseBackupError', () => {
  it('the steps file parser: arbitrary text, JSON-ish values, mutated valid files, arbitrary values in a valid shape', async () => {
    const anyValue = fc.jsonValue({ maxDepth: 3 })
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      anyValue.map(v => JSON.stringify(v) ?? ''),
      anyValue.map(v => stringify(v)),
      mutated(VALID_STEPS),
      fc
        .record({
          version: fc.oneof(fc.constant(1), anyValue),
          store: anyValue,
          step: anyValue,
          kind: fc.constantFrom('backup', 'restore')
        })
        .map(({ version, store, step, kind }) =>
          stringify({
            version,
            store,
            service: { url: 'https://x.example', 'token-env': 'T' },
            steps: [{ [kind]: step }]
          })
        ),
      fc.constant(
        'a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
      )
    )
    await fc.assert(
      fc.asyncProperty(text, async inline =>
        onlyOurErrors(() => loadSteps({ config: join(root, 'none.yml'), inline }))
      ),
      {
        numRuns: 300
      }
    )
  })

  it('parseLicense: arbitrary text, three base64url parts of arbitrary JSON, mutated valid licenses', async () => {
    const valid = issuer.sign({ jti: 'p-1', key_id: 'k', iss: issuer.iss, iat: 1, rights: { backup: true } })
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .tuple(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }), fc.string())
        .map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`),
      fc
        .record(
          { alg: fc.constantFrom('Ed25519', 'EdDSA', 'ES256', 'none'), kid: fc.string() },
          { requiredKeys: [] }
        )
        .chain(header =>
          fc
            .dictionary(
              fc.constantFrom('jti', 'key_id', 'iss', 'iat', 'nbf', 'exp', 'sub', 'rights', 'cnf'),
              fc.jsonValue({ maxDepth: 2 })
            )
            .map(claims => `${b64(header)}.${b64(claims)}.c2ln`)
        ),
      mutated(valid)
    )
    await fc.assert(
      fc.asyncProperty(text, async jws =>
        onlyOurErrors(() => {
          const license = parseLicense(jws, 'prop.jwt')
          expect(typeof license.jti).toBe('string')
        })
      ),
      { numRuns: 500 }
    )
  })

  it('parseManifest: arbitrary text, JSON-ish values, a valid manifest with any field replaced', async () => {
    const valid: Manifest = {
      format: 'license-backup/v1',
      created: '2026-01-01T00:00:00.000Z',
      tool: { name: 'license-backup', version: '1' },
      source: { store: 's', machine: null },
      encryption: null,
      pack: { file: 'licenses.tar', sha256: 'a'.repeat(64), size: 10 },
      licenses: [{ jti: 'j', key_id: 'k', path: 'a.jwt', sha256: 'b'.repeat(64), size: 10 }],
      restricted: [{ jti: 'r', key_id: 'k', title: 't' }],
      counts: { licenses: 1, restricted: 1, bytes: 10 }
    }
    const paths: string[][] = [
      ['format'],
      ['created'],
      ['tool'],
      ['tool', 'name'],
      ['source'],
      ['source', 'machine'],
      ['encryption'],
      ['pack'],
      ['pack', 'file'],
      ['pack', 'size'],
      ['licenses'],
      ['licenses', '0'],
      ['licenses', '0', 'size'],
      ['licenses', '0', 'path'],
      ['restricted'],
      ['restricted', '0', 'title'],
      ['counts'],
      ['counts', 'bytes']
    ]
    const replaced = fc
      .tuple(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }))
      .map(([path, value]) => {
        const copy = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>
        let at = copy
        for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>
        at[path[path.length - 1]!] = value
        return JSON.stringify(copy)
      })
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.jsonValue({ maxDepth: 4 }).map(v => JSON.stringify(v) ?? ''),
      replaced,
      mutated(JSON.stringify(valid))
    )
    await fc.assert(
      fc.asyncProperty(text, async t => onlyOurErrors(() => parseManifest(t, 'manifest.json'))),
      {
        numRuns: 500
      }
    )
  })
})

interface Spec {
  path: string
  backup: boolean | undefined
  other: Record<string, unknown>
}

/** Arbitrary small stores: distinct lower-case paths, any `rights.backup` (true, false, absent), other rights. */
const stores = fc.uniqueArray(
  fc.record({
    path: fc
      .tuple(
        fc.array(fc.stringMatching(/^[a-z0-9_-]{1,6}$/), { maxLength: 2 }),
        fc.stringMatching(/^[a-z0-9._-]{1,8}$/)
      )
      .map(([dirs, name]) => [...dirs, `${name}.jwt`].join('/')),
    backup: fc.constantFrom(true, true, false, undefined),
    other: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })
  }),
  { minLength: 1, maxLength: 6, selector: s => s.path }
)

async function writeStore(
  specs: Spec[]
): Promise<{ dir: string; jtis: Map<string, Spec & { jti: string }> }> {
  const n = ++run
  const dir = join(root, `store-${n}`)
  const jtis = new Map<string, Spec & { jti: string }>()
  for (const [i, spec] of specs.entries()) {
    const jti = `prop-${n}-${i}`
    const rights: Record<string, unknown> = { ...spec.other }
    delete rights['backup']
    if (spec.backup !== undefined) rights['backup'] = spec.backup
    const file = join(dir, spec.path)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(
      file,
      issuer.sign({ jti, key_id: `key-${i % 3}`, iss: issuer.iss, iat: 1_767_225_600, rights })
    )
    jtis.set(jti, { ...spec, jti })
  }
  return { dir, jtis }
}

const claimsOf = (text: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(text.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>

describe('backup and restore properties', () => {
  it('backup then restore gives back the same licenses (jti, key_id, rights per path); restricted ones never reach the backup', async () => {
    const engine = createBackupRestorer()
    await fc.assert(
      fc.asyncProperty(stores, async specs => {
        const { dir, jtis } = await writeStore(specs)
        const backup = `${dir}-backup`
        const result = await engine
          .backup({ store: dir, path: backup, trust: { jwksFile }, format: 'license-backup/v1' })
          .catch((error: LicenseBackupError) => error)
        const allowed = [...jtis.values()].filter(s => s.backup === true)
        const restricted = [...jtis.values()].filter(s => s.backup !== true)
        if (allowed.length === 0) {
          // Nothing to back up is still a backup (empty pack) or a clear refusal, never a restricted license.
          if (result instanceof LicenseBackupError) return
        }
        if (result instanceof LicenseBackupError) throw result
        const read = await readBackup(backup)
        const inPack = read.members.map(m => claimsOf(m.data.toString()).jti)
        for (const spec of restricted) {
          expect(inPack).not.toContain(spec.jti)
          expect(read.manifest.licenses.map(l => l.jti)).not.toContain(spec.jti)
          expect(read.pack.includes(spec.jti)).toBe(false)
        }
        expect(read.manifest.restricted.map(r => r.jti).sort()).toEqual(restricted.map(s => s.jti).sort())
        if (allowed.length === 0) return
        const target = `${dir}-restored`
        await engine.restore({
          store: target,
          path: backup,
          individualize: true,
          service: { url: server.url, token: TOKEN },
          trust: { jwksFile }
        })
        for (const spec of allowed) {
          const original = claimsOf(await readFile(join(dir, spec.path), 'utf8'))
          const restored = claimsOf(await readFile(join(target, spec.path), 'utf8'))
          expect([restored['jti'], restored['key_id'], restored['rights']]).toEqual([
            original['jti'],
            original['key_id'],
            original['rights']
          ])
        }
        for (const spec of restricted) await expect(readFile(join(target, spec.path))).rejects.toThrow()
      }),
      { numRuns: 12 }
    )
  })
})

describe('no change to a backup goes unnoticed', () => {
  let plain: string
  let original: ReadBackup

  beforeAll(async () => {
    const { dir } = await writeStore(
      ['a/one.jwt', 'a/two.jwt', 'b/three.jwt', 'four.jwt'].map(path => ({
        path,
        backup: true,
        other: { play: true }
      }))
    )
    plain = `${dir}-backup`
    await createBackupRestorer().backup({
      store: dir,
      path: plain,
      trust: { jwksFile },
      format: 'license-backup/v1'
    })
    original = await readBackup(plain)
  })

  async function flipped(
    file: 'pack' | 'manifest',
    at: number,
    mask: number,
    recompute: boolean
  ): Promise<string> {
    const dir = join(root, `flip-${++run}`)
    await cp(plain, dir, { recursive: true })
    const name = file === 'pack' ? 'licenses.tar' : 'manifest.json'
    const bytes = await readFile(join(dir, name))
    bytes[at % bytes.length] = bytes[at % bytes.length]! ^ mask
    await writeFile(join(dir, name), bytes)
    if (recompute) {
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest
      manifest.pack.sha256 = sha256(bytes)
      await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest))
    }
    return dir
  }

  async function outcome(dir: string): Promise<LicenseBackupError | undefined> {
    try {
      const verified = await verifyBackup(dir, { verifier })
      for await (const _ of verified.licenses()) void _
      return undefined
    } catch (error) {
      if (error instanceof LicenseBackupError) return error
      throw error
    }
  }

  const flip = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }))

  it('a flipped byte anywhere in the pack fails verification (BACKUP_CORRUPT)', async () => {
    await fc.assert(
      fc.asyncProperty(flip, async ([at, mask]) => {
        expect((await outcome(await flipped('pack', at, mask, false)))?.code).toBe('BACKUP_CORRUPT')
      }),
      { numRuns: 40 }
    )
  })

  it('a flipped byte in the pack with its digest recomputed is caught, or changes nothing a restore reads', async () => {
    await fc.assert(
      fc.asyncProperty(flip, async ([at, mask]) => {
        const dir = await flipped('pack', at, mask, true)
        const error = await outcome(dir)
        if (error) return expect(error.code).toBe('BACKUP_CORRUPT')
        // Undetected: only bytes no reader uses changed (block padding, a checksum's terminator).
        const members: Array<[string, string]> = []
        for await (const m of readTar([await readFile(join(dir, 'licenses.tar'))]))
          members.push([m.name, sha256(m.data)])
        expect(members).toEqual(original.members.map(m => [m.name, sha256(m.data)]))
      }),
      { numRuns: 60 }
    )
  })

  it('a flipped byte in the manifest is caught, or changes no field that decides what is restored', async () => {
    const decisive = (m: Manifest): unknown => [m.format, m.encryption, m.pack, m.licenses, m.counts]
    await fc.assert(
      fc.asyncProperty(flip, async ([at, mask]) => {
        const dir = await flipped('manifest', at, mask, false)
        const error = await outcome(dir)
        if (error) return expect(['BACKUP_CORRUPT', 'CONFIG_INVALID']).toContain(error.code)
        // Undetected: a descriptive field (created, tool, source, a restricted title) or JSON whitespace.
        const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest
        expect(decisive(manifest)).toEqual(decisive(original.manifest))
      }),
      { numRuns: 80 }
    )
  })
})
