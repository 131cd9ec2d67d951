import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBackupRestorer } from '../../src/engine/index.js'
import { loadIssuer } from '../../src/fixtures/issuer.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { exec } from '../support/engine.js'
import { snapshot } from '../restore/support.js'
import { registerSecret } from '../support/secret-scan.js'

// Issue 27: real license-backup/v2 backups written by the first v2 writer (an index that lists every
// license), committed byte for byte, keep verifying and restoring now that a backup writes the index as a
// summary (v2.1, ADR 0225). If a test here fails, v2 backups in the field no longer restore: fix the
// reader, never the fixtures.
const FIXTURES = join('__tests__', 'fixtures', 'v2')
const V1 = join('__tests__', 'fixtures', 'v1')
const TOKEN = 'v2-fixture-token-7d03c4'
registerSecret(TOKEN)
const KINDS = [
  ['gzip', 'licenses.tar.gz', false],
  ['encrypted', 'licenses.tar.gz.age', true],
  ['none', 'licenses.tar', false]
] as const
let root: string
let server: LicenseServer
let identity: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-v2-fixtures-'))
  server = await createLicenseServer({
    issuer: await loadIssuer(join(V1, 'issuer.json')),
    database: join(root, 'state.db'),
    tokens: [TOKEN]
  })
  identity = (await readFile(join(V1, 'age-identity.txt'), 'utf8'))
    .split('\n')
    .find(line => line.startsWith('AGE-SECRET-KEY-1'))!
  registerSecret(identity)
})
afterAll(async () => {
  await server.close()
  await rm(root, { recursive: true, force: true })
})

/** The license members of a fixture's unencrypted pack, as `tar` lists them. */
async function listed(kind: 'gzip' | 'none', pack: string): Promise<string[]> {
  const { stdout } = await exec('tar', [kind === 'gzip' ? '-tzf' : '-tf', join(FIXTURES, kind, pack)])
  return stdout.trim().split('\n')
}

describe('v2 backups written by the first v2 writer (an index line a license)', () => {
  it('are still the bytes that were committed, with an index that lists every license', async () => {
    const sums = (await readFile(join(FIXTURES, 'SHA256SUMS'), 'utf8')).trim().split('\n')
    expect(sums).toHaveLength(7)
    for (const line of sums) {
      const [sum, file] = line.split(/\s+/)
      const actual = createHash('sha256')
        .update(await readFile(join(FIXTURES, file!)))
        .digest('hex')
      expect(`${actual} ${file}`).toBe(`${sum} ${file}`)
    }
    const { stdout } = await exec('tar', [
      '-xzOf',
      join(FIXTURES, 'gzip', 'licenses.tar.gz'),
      '.license-backup/index.json'
    ])
    const index = JSON.parse(stdout) as { licenses: Array<{ sha256: string }> }
    expect(index.licenses).toHaveLength(10)
    expect(index.licenses[0]!.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it.each(KINDS)(
    '%s: verifies, every license signature checked, nothing written',
    async (kind, _, encrypted) => {
      const before = await snapshot(FIXTURES)
      const result = await createBackupRestorer().verify({
        path: join(FIXTURES, kind),
        trust: { jwksFile: join(V1, 'issuer.jwks.json') },
        ...(encrypted ? { ageIdentity: identity } : {})
      })
      expect(result).toMatchObject({
        format: 'license-backup/v2',
        verified: 10,
        restricted: 2,
        signaturesChecked: true
      })
      expect(await snapshot(FIXTURES)).toEqual(before)
    }
  )

  it.each(KINDS)(
    '%s: restores through the reference service into an empty store',
    async (kind, pack, encrypted) => {
      const store = join(root, `store-${kind}`)
      const result = await createBackupRestorer().restore({
        store,
        path: join(FIXTURES, kind),
        service: { url: server.url, token: TOKEN },
        individualize: true,
        trust: { jwksFile: join(V1, 'issuer.jwks.json') },
        ...(encrypted ? { ageIdentity: identity } : {})
      })
      expect(result.restored).toBe(10)
      const members = await listed(
        kind === 'none' ? 'none' : 'gzip',
        kind === 'none' ? pack : 'licenses.tar.gz'
      )
      const restored = Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))
      expect(restored.sort()).toEqual(members.filter(m => m.endsWith('.jwt')).sort())
    }
  )
})
