import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { backedUpWorld, type BackedUpWorld, engine, snapshot, TOKEN } from './support.js'

let w: BackedUpWorld
let forging: LicenseServer

beforeAll(async () => {
  w = await backedUpWorld(40)
  // A service that checks licenses with the issuer's keys but re-issues them with a key of its own under
  // the issuer's kid: every claim right, every signature wrong.
  const forger = createIssuer({ kid: w.issuer.kid })
  const issuer: Issuer = { ...w.issuer, sign: (claims, header) => forger.sign(claims, header) }
  forging = await createLicenseServer({ issuer, database: join(w.root, 'forging.db'), tokens: [TOKEN] })
})
afterAll(async () => {
  await forging.close()
  await w.close()
})

describe('restore through a service that answers with badly signed licenses', () => {
  it('fails with SERVICE_ERROR naming the license, and writes nothing into the store', async () => {
    const run = engine()
    const store = join(w.root, 'machine-x')
    const error = (await run.engine
      .restore({
        store,
        path: w.backupPath,
        individualize: true,
        service: { url: forging.url, token: TOKEN },
        trust: { jwksFile: w.jwksFile }
      })
      .catch(err => err)) as LicenseBackupError
    expect(error.code).toBe('SERVICE_ERROR')
    expect(error.message).toContain(forging.url)
    expect(error.message).toMatch(
      /returned a license lic-\d+-[0-9a-f]+ \(key ID [0-9a-f]+\) that fails its check/
    )
    expect(error.message).toContain('signature does not verify')
    expect(run.events.map(e => e.type)).not.toContain('BEGIN')
    const files = Object.keys(await snapshot(store))
    expect(files.filter(f => f.endsWith('.jwt'))).toEqual([])
  })
})
