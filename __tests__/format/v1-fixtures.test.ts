import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBackupRestorer } from '../../src/engine/index.js'
import { loadIssuer } from '../../src/fixtures/issuer.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { snapshot } from '../restore/support.js'
import { registerSecret } from '../support/secret-scan.js'

// Issue 11: real license-backup/v1 backups written by the v1 writer, committed byte for byte, keep
// verifying and restoring whatever the writer becomes. If a test here fails, v1 backups in the field no
// longer restore: fix the reader, never the fixtures.
const FIXTURES = join('__tests__', 'fixtures', 'v1')
const TOKEN = 'v1-fixture-token-2e8a51'
registerSecret(TOKEN)
let root: string
let server: LicenseServer
let identity: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-v1-fixtures-'))
  server = await createLicenseServer({
    issuer: await loadIssuer(join(FIXTURES, 'issuer.json')),
    database: join(root, 'state.db'),
    tokens: [TOKEN]
  })
  identity = (await readFile(join(FIXTURES, 'age-identity.txt'), 'utf8'))
    .split('\n')
    .find(line => line.startsWith('AGE-SECRET-KEY-1'))!
  registerSecret(identity)
})
afterAll(async () => {
  await server.close()
  await rm(root, { recursive: true, force: true })
})

describe('v1 backups written by the v1 writer', () => {
  it('are still the bytes that were committed', async () => {
    const sums = (await readFile(join(FIXTURES, 'SHA256SUMS'), 'utf8')).trim().split('\n')
    expect(sums).toHaveLength(4)
    for (const line of sums) {
      const [sum, file] = line.split(/\s+/)
      const actual = createHash('sha256')
        .update(await readFile(join(FIXTURES, file!)))
        .digest('hex')
      expect(`${actual} ${file}`).toBe(`${sum} ${file}`)
    }
  })

  it.each([
    ['plain', false],
    ['encrypted', true]
  ])('%s: verifies, every license signature checked, nothing written', async (kind, encrypted) => {
    const before = await snapshot(FIXTURES)
    const events: string[] = []
    const result = await createBackupRestorer(e => events.push(e.type)).verify({
      path: join(FIXTURES, kind),
      trust: { jwksFile: join(FIXTURES, 'issuer.jwks.json') },
      ...(encrypted ? { ageIdentity: identity } : {})
    })
    expect(result).toMatchObject({
      format: 'license-backup/v1',
      verified: 8,
      restricted: 4,
      signaturesChecked: true
    })
    expect(events.filter(t => t === 'BEGIN' || t === 'END')).toEqual(['BEGIN', 'END'])
    expect(await snapshot(FIXTURES)).toEqual(before)
  })

  it.each([
    ['plain', false],
    ['encrypted', true]
  ])('%s: restores through the reference service into an empty store', async (kind, encrypted) => {
    const store = join(root, `store-${kind}`)
    const result = await createBackupRestorer().restore({
      store,
      path: join(FIXTURES, kind),
      service: { url: server.url, token: TOKEN },
      individualize: true,
      trust: { jwksFile: join(FIXTURES, 'issuer.jwks.json') },
      ...(encrypted ? { ageIdentity: identity } : {})
    })
    expect(result.restored).toBe(8)
    const manifest = JSON.parse(await readFile(join(FIXTURES, kind, 'manifest.json'), 'utf8')) as {
      licenses: Array<{ path: string }>
    }
    const restored = Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))
    expect(restored.sort()).toEqual(manifest.licenses.map(l => l.path).sort())
  })

  it('a restore with signers refuses them (v1 cannot be signed), before creating the store', async () => {
    const store = join(root, 'store-signers')
    await expect(
      createBackupRestorer().restore({
        store,
        path: join(FIXTURES, 'plain'),
        service: { url: server.url, token: TOKEN },
        signers: join(FIXTURES, 'SHA256SUMS')
      })
    ).rejects.toMatchObject({ code: 'BACKUP_UNTRUSTED' })
    expect(await snapshot(store)).toEqual({})
  })
})
