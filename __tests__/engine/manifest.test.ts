import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { TOOL, type Manifest } from '../../src/engine/index.js'
import { parseManifest, serializeManifest } from '../../src/engine/format/manifest-io.js'
import { manifestChunks } from '../../src/engine/format/manifest-io.js'

const manifest: Manifest = {
  format: 'license-backup/v1',
  created: '2026-01-01T00:00:00.000Z',
  tool: { name: 'license-backup', version: '0.1.0' },
  source: { store: './licenses', machine: null },
  encryption: null,
  pack: { file: 'licenses.tar', sha256: 'a'.repeat(64), size: 3072 },
  licenses: [{ jti: 'l1', key_id: 'k1', path: 'a.jwt', sha256: 'b'.repeat(64), size: 10 }],
  restricted: [{ jti: 'l2', key_id: 'k2', title: 'Blue Train' }],
  counts: { licenses: 1, restricted: 1, bytes: 10 }
}

/** The reference the streamed serialisation must match byte for byte: the ordered manifest, stringified. */
function reference(m: Manifest): string {
  const ordered = {
    format: m.format,
    created: m.created,
    tool: { name: m.tool.name, version: m.tool.version },
    source: { store: m.source.store, machine: m.source.machine },
    encryption:
      m.encryption === null ? null : { scheme: m.encryption.scheme, recipients: m.encryption.recipients },
    pack: { file: m.pack.file, sha256: m.pack.sha256, size: m.pack.size },
    licenses: m.licenses.map(l => ({
      jti: l.jti,
      key_id: l.key_id,
      path: l.path,
      sha256: l.sha256,
      size: l.size
    })),
    restricted: m.restricted.map(r => ({
      jti: r.jti,
      key_id: r.key_id,
      ...(r.title === undefined ? {} : { title: r.title })
    })),
    counts: { licenses: m.counts.licenses, restricted: m.counts.restricted, bytes: m.counts.bytes }
  }
  return JSON.stringify(ordered, null, 2) + '\n'
}

describe('manifest', () => {
  it('streams exactly the text JSON.stringify gives, in pieces, whatever the lists hold', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      jti: `l-${i}-"quoted"\u00e9\u2028`,
      key_id: `k\\${i % 7}`,
      path: `d${i % 10}/ü-${i}.jwt`,
      sha256: 'c'.repeat(64),
      size: i
    }))
    const cases: Manifest[] = [
      manifest,
      { ...manifest, licenses: [], restricted: [], counts: { licenses: 0, restricted: 0, bytes: 0 } },
      {
        ...manifest,
        source: { store: 'C:\\store\n', machine: 'm-1' },
        encryption: { scheme: 'age', recipients: ['age1a', 'age1b'] },
        pack: { ...manifest.pack, file: 'licenses.tar.age' },
        licenses: many,
        restricted: [
          { jti: 'r1', key_id: 'k1' },
          { jti: 'r2', key_id: 'k2', title: 'Tab\there' }
        ],
        counts: { licenses: many.length, restricted: 2, bytes: many.reduce((sum, l) => sum + l.size, 0) }
      },
      { ...manifest, encryption: { scheme: 'age', recipients: [] } }
    ]
    for (const m of cases) {
      const chunks = [...manifestChunks(m)]
      expect(chunks.join('')).toBe(reference(m))
      expect(serializeManifest(m)).toBe(reference(m))
      if (m.licenses.length > 1000) expect(chunks.length).toBeGreaterThan(3)
    }
  })

  it('serializes with a fixed key order whatever order the object was built in', () => {
    const shuffled = JSON.parse(
      JSON.stringify(
        manifest,
        Object.keys(manifest)
          .reverse()
          .concat(
            'file',
            'sha256',
            'size',
            'jti',
            'key_id',
            'path',
            'title',
            'name',
            'version',
            'store',
            'machine',
            'licenses',
            'restricted',
            'bytes'
          )
      )
    )
    expect(serializeManifest(shuffled)).toBe(serializeManifest(manifest))
    expect(parseManifest(serializeManifest(manifest), 'm.json')).toEqual(manifest)
  })

  it.each([
    ['not JSON', 'nope', 'not JSON'],
    ['another format', JSON.stringify({ ...manifest, format: 'v0' }), 'format'],
    [
      'counts that disagree',
      JSON.stringify({ ...manifest, counts: { ...manifest.counts, licenses: 2 } }),
      'counts.licenses'
    ],
    [
      'a pack name that does not fit the encryption',
      JSON.stringify({ ...manifest, pack: { ...manifest.pack, file: 'licenses.tar.age' } }),
      'pack'
    ]
  ])('rejects %s as BACKUP_CORRUPT naming the file', (_name, text, mention) => {
    expect(() => parseManifest(text, 'backup/manifest.json')).toThrow(
      expect.objectContaining({
        code: 'BACKUP_CORRUPT',
        message: expect.stringMatching(new RegExp(`backup/manifest.json.*${mention}`))
      })
    )
  })

  it("names the tool at package.json's version", () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'))
    expect(TOOL).toEqual({ name: pkg.name, version: pkg.version })
  })
})
