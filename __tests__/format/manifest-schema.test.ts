import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateIdentity, identityToRecipient } from 'age-encryption'
import schema from '../../schema/manifest.schema.json' with { type: 'json' }
import { createBackupRestorer } from '../../src/engine/index.js'
import { parseManifest } from '../../src/engine/format/manifest-io.js'
import { parseManifestV2 } from '../../src/engine/format/manifest-v2.js'
import { parseIndex } from '../../src/engine/format/pack-index.js'
import { parseAnyManifest } from '../../src/engine/format/any-manifest.js'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { generateStore } from '../../src/fixtures/store.js'

// Issue 16: the manifest (v1, v2) and a v2 pack's index are checked against the published
// schema/manifest.schema.json, and a refusal names the file and the field and says what to do.
let root: string
const written: Record<string, unknown> = {}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-schema-'))
  const store = await generateStore(join(root, 'store'), createIssuer({ kid: 'schema' }), {
    count: 6,
    seed: 3
  })
  const recipient = await identityToRecipient(await generateIdentity())
  const engine = createBackupRestorer()
  const backups: Record<string, Parameters<typeof engine.backup>[0]> = {
    v1: { store: store.dir, path: join(root, 'v1'), format: 'license-backup/v1' },
    'v1 encrypted': {
      store: store.dir,
      path: join(root, 'v1e'),
      format: 'license-backup/v1',
      encryptTo: [recipient]
    },
    v2: { store: store.dir, path: join(root, 'v2'), origin: { host: 'ci-7' } },
    'v2 encrypted, uncompressed': {
      store: store.dir,
      path: join(root, 'v2e'),
      encryptTo: [recipient],
      compression: 'none'
    }
  }
  for (const [name, options] of Object.entries(backups)) {
    await engine.backup(options)
    written[name] = JSON.parse(await readFile(join(options.path, 'manifest.json'), 'utf8'))
  }
})
afterAll(async () => rm(root, { recursive: true, force: true }))

// A parsed manifest, edited field by field as a hostile writer would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any

const problem = /Restore from another backup: this one is damaged, or was not written by license-backup\.$/

describe('schema/manifest.schema.json', () => {
  it('is a valid JSON Schema that any validator accepts every manifest this tool writes with', () => {
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema)
    expect(Object.keys(written)).toHaveLength(4)
    for (const [name, manifest] of Object.entries(written)) {
      expect([name, validate(manifest), validate.errors ?? []]).toEqual([name, true, []])
    }
    expect(validate({ ...(written['v2'] as object), compression: 'zstd' })).toBe(false)
    expect(validate({ format: 'license-backup/v3' })).toBe(false)
  })

  it.each([
    ['v1', (m: Loose) => (m.licenses[1].sha256 = 'ABC'), 'licenses[1].sha256 must be a SHA-256 digest'],
    ['v1', (m: Loose) => delete m.pack.size, 'pack.size is missing'],
    ['v1', (m: Loose) => (m.restricted = {}), 'restricted must be array, not object'],
    ['v1', (m: Loose) => (m.counts.bytes = -1), 'counts.bytes must be a whole number, 0 or more'],
    ['v1', (m: Loose) => (m.counts.bytes += 1), 'counts.bytes does not match the sizes listed'],
    [
      'v1',
      (m: Loose) => (m.pack.file = 'licenses.tar.age'),
      'pack.file is "licenses.tar.age", where it must be "licenses.tar"'
    ],
    [
      'v1 encrypted',
      (m: Loose) => (m.encryption.scheme = 'gpg'),
      'encryption.scheme is "gpg", where it must be "age"'
    ],
    [
      'v2',
      (m: Loose) => (m.pack.file = 'licenses.tar'),
      'pack.file is "licenses.tar", where it must be "licenses.tar.gz"'
    ],
    ['v2', (m: Loose) => (m.created = 'yesterday'), 'created must be a time (RFC 3339)'],
    [
      'v2',
      (m: Loose) => (m.origin.host = 'x'.repeat(1025)),
      'origin.host must be a string of at most 1024 characters'
    ],
    ['v2', (m: Loose) => (m.compression = 'zstd'), 'compression is "zstd", not one of "gzip", "none"'],
    ['v2', (m: Loose) => delete m.pack.tar_size, 'pack.tar_size is missing'],
    [
      'v2 encrypted, uncompressed',
      (m: Loose) => (m.pack.file = 'licenses.tar.gz.age'),
      'where it must be "licenses.tar.age"'
    ]
  ])(
    'a %s manifest changed is BACKUP_CORRUPT naming the file and the field: %#',
    (name, change, expected) => {
      const manifest = structuredClone(written[name]) as Record<string, unknown>
      change(manifest)
      const text = JSON.stringify(manifest)
      expect(() => parseAnyManifest(text, 'backup/manifest.json')).toThrow(
        expect.objectContaining({ code: 'BACKUP_CORRUPT', subject: { file: 'backup/manifest.json' } })
      )
      try {
        parseAnyManifest(text, 'backup/manifest.json')
      } catch (error) {
        const message = (error as Error).message
        expect(message).toContain(
          `backup/manifest.json is not a valid license-backup/${name.slice(0, 2)} manifest: `
        )
        expect(message).toContain(expected)
        expect(message).toMatch(problem)
      }
    }
  )

  it('each parser checks its own part: v1, v2, the pack index', () => {
    expect(() => parseManifest(JSON.stringify(written['v2']), 'm.json')).toThrow(
      /format is "license-backup\/v2\.1", where it must be "license-backup\/v1"/
    )
    expect(() => parseManifestV2(written['v1'] as Record<string, unknown>, 'm.json')).toThrow(
      /not a valid license-backup\/v2 manifest/
    )
    const index = { licenses: [], restricted: [{ jti: 'r', key_id: 'k', title: 7 }] }
    expect(() => parseIndex(Buffer.from(JSON.stringify(index)), 'pack:.license-backup/index.json')).toThrow(
      expect.objectContaining({
        code: 'BACKUP_CORRUPT',
        message: expect.stringMatching(
          /^pack:\.license-backup\/index\.json is not a valid pack index: restricted\[0\]\.title must be string, not number\. Restore/
        )
      })
    )
  })

  it('a hostile manifest of many bad entries costs one error, not one an entry', () => {
    const m = structuredClone(written['v1']) as { licenses: unknown[]; counts: { licenses: number } }
    m.licenses = Array.from({ length: 200_000 }, () => ({ jti: 1 }))
    m.counts.licenses = m.licenses.length
    expect(() => parseManifest(JSON.stringify(m), 'm.json')).toThrow(
      /licenses\[0\]\.key_id is missing|licenses\[0\]\.jti must be string/
    )
  })
})
