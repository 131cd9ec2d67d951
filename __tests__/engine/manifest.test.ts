import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parseManifest, serializeManifest, TOOL, type Manifest } from '../../src/engine/index.js'

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

describe('manifest', () => {
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
