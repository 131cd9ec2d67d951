// Keys the service owns (issue 22, item 3): `license-server key …`, a 0600 file or an environment variable,
// a JWKS with the current and previous keys, rotation with a grace period, trusted issuer keys, and
// Ed25519 licenses whose header says EdDSA.
import { describe, expect, it } from '@jest/globals'
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JWK } from 'jose'
import { generateKeyPairSync } from 'node:crypto'
import { chmod, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createIssuer } from '../../../src/fixtures/issuer.js'
import { runCli, UsageError } from '../src/cli.js'
import { readKeyRing } from '../src/keys/key-file.js'
import { createLicenseServer, type LicenseServer } from '../src/license-server.js'
import {
  call,
  claimsOf,
  license,
  machine,
  openSession,
  restoreOn,
  serversClosedAfterEach,
  sessionBody,
  tempDir,
  TOKEN
} from '../../../__tests__/support/service.js'
import { storageEngines } from '../../../__tests__/support/storage-engines.js'

const { running } = serversClosedAfterEach()
const DAY = 86_400_000

/** Runs one command in this process; returns what it printed, parsed. */
async function cli(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<Record<string, unknown>> {
  const lines: string[] = []
  await runCli(argv, env, line => lines.push(line))
  return JSON.parse(lines.join('\n')) as Record<string, unknown>
}

type Listed = { current: string; keys: Array<{ kid: string; state: string; public_jwk: JWK }> }

async function jwksOf(server: LicenseServer): Promise<JWK[]> {
  return ((await call(server.url, 'GET', '/.well-known/jwks.json', { token: null })).json as { keys: JWK[] })
    .keys
}

/** Whether a copy verifies with the service's published JWKS, as a client with that trust source checks. */
async function verifiesWith(jwks: JWK[], jws: string): Promise<boolean> {
  return compactVerify(jws, createLocalJWKSet({ keys: jwks })).then(
    () => true,
    () => false
  )
}

describe('license-server key', () => {
  it('generates a 0600 key file, refuses to overwrite it, lists public keys only, rotates and imports', async () => {
    const dir = await tempDir()
    const file = join(dir, 'keys.json')
    const generated = (await cli({}, 'key', 'generate', '--signing-keys', file, '--kid', 'k1')) as Listed
    expect(generated).toMatchObject({ current: 'k1', keys: [{ kid: 'k1', state: 'current' }] })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    await expect(cli({}, 'key', 'generate', '--signing-keys', file)).rejects.toThrow(/already exists/)
    const rotated = (await cli(
      { LICENSE_SERVER_SIGNING_KEYS_FILE: file },
      'key',
      'rotate',
      '--kid',
      'k2',
      '--grace',
      '7d'
    )) as Listed & { keys: Array<{ expires_at?: string }> }
    expect(rotated.current).toBe('k2')
    expect(rotated.keys.map(k => [k.kid, k.state])).toEqual([
      ['k1', 'previous'],
      ['k2', 'current']
    ])
    const retiredFor = Date.parse(rotated.keys[0]?.expires_at ?? '') - Date.now()
    expect(retiredFor).toBeGreaterThan(7 * DAY - 60_000)
    expect(retiredFor).toBeLessThanOrEqual(7 * DAY)
    const pem = join(dir, 'vendor.pem')
    await writeFile(pem, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }))
    const imported = (await cli({}, 'key', 'import', pem, '--kid', 'k3', '--signing-keys', file)) as Listed
    expect(imported.keys.map(k => [k.kid, k.state])).toEqual([
      ['k1', 'previous'],
      ['k2', 'previous'],
      ['k3', 'current']
    ])
    const garbage = join(dir, 'garbage.json')
    await writeFile(garbage, '{"d": "c2VjcmV0LW1hdGVyaWFs"')
    const refused = await cli({}, 'key', 'import', garbage, '--signing-keys', file).catch((e: Error) => e)
    expect(refused).toBeInstanceOf(UsageError)
    expect((refused as Error).message).toMatch(/is not an Ed25519 private key .*neither PEM nor JSON/)
    expect((refused as Error).message).not.toContain('c2VjcmV0')
    const listed = await cli({}, 'key', 'list', '--signing-keys', file)
    expect(listed).toEqual(imported)
    expect(JSON.stringify(listed)).not.toMatch(/"d"/)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    await chmod(file, 0o644)
    await expect(cli({}, 'key', 'list', '--signing-keys', file)).rejects.toThrow(
      new UsageError(
        `The signing key file ${file} may be read by others (mode 644); run "chmod 600 ${file}".`
      )
    )
  })

  it('serves with keys and trusted issuers from the environment; an EdDSA license of the issuer restores', async () => {
    const dir = await tempDir()
    const file = join(dir, 'keys.json')
    await cli({}, 'key', 'generate', '--signing-keys', file, '--kid', 'service-1')
    const vendor = createIssuer({ kid: 'vendor-1' })
    const env = {
      LICENSE_SERVER_SIGNING_KEYS: await readFile(file, 'utf8'),
      LICENSE_SERVER_TRUSTED_ISSUERS: JSON.stringify(vendor.jwks())
    }
    const lines: string[] = []
    const stop = await runCli(
      ['serve', '--database', join(dir, 'db.sqlite'), '--port', '0', '--rate-limit', 'off'],
      env,
      line => lines.push(line)
    )
    try {
      const url = lines[0] as string
      const keys = (
        (await call(url, 'GET', '/.well-known/jwks.json', { token: null })).json as { keys: JWK[] }
      ).keys
      expect(keys.map(k => k.kid).sort()).toEqual(['service-1', 'vendor-1'])
      expect(JSON.stringify(keys)).not.toMatch(/"d"/)
      await runCli(
        ['tenant', 'add', 'acme', '--any-licensee', '--database', join(dir, 'db.sqlite')],
        {},
        () => {}
      )
      const { token } = await cli(
        {},
        'token',
        'issue',
        'acme',
        '--role',
        'restore',
        '--database',
        join(dir, 'db.sqlite')
      )
      const signed = {
        Ed25519: license(vendor, 'lic-ed25519'),
        EdDSA: vendor.sign({ ...claimsOf(license(vendor, 'lic-eddsa')) }, { alg: 'EdDSA' }),
        stranger: license(createIssuer({ kid: 'vendor-1' }), 'lic-stranger')
      }
      const session = await openSession(url, await machine(1), token as string)
      const { results } = await call(url, 'POST', `/v1/sessions/${session}/restore`, {
        token: token as string,
        body: { licenses: Object.values(signed) },
        headers: { 'idempotency-key': 'k' }
      }).then(r => r.json as { results: Array<{ status: string; reason?: string; license?: string }> })
      expect(results.map(r => r.reason ?? r.status)).toEqual(['restored', 'restored', 'invalid-signature'])
      // Copies are signed by the service's key, and verify with the JWKS it publishes.
      for (const copy of results.slice(0, 2)) {
        expect(decodeProtectedHeader(copy.license as string).kid).toBe('service-1')
        expect(await verifiesWith(keys, copy.license as string)).toBe(true)
      }
    } finally {
      await stop?.()
    }
  })

  it('refuses a trusted issuers JWKS holding a private key, naming the variable', async () => {
    const dir = await tempDir()
    const file = join(dir, 'keys.json')
    await cli({}, 'key', 'generate', '--signing-keys', file)
    const leaked = { keys: [createIssuer().privateKey.export({ format: 'jwk' })] }
    await expect(
      runCli(
        ['serve', '--signing-keys', file, '--database', ':memory:', '--port', '0'],
        {
          LICENSE_SERVER_TRUSTED_ISSUERS: JSON.stringify({ keys: [{ ...leaked.keys[0], kid: 'oops' }] })
        },
        () => {}
      )
    ).rejects.toThrow(
      new UsageError(
        "LICENSE_SERVER_TRUSTED_ISSUERS: key oops holds a private key (d); give the issuer's public keys only."
      )
    )
  })
})

describe.each(storageEngines('keys'))('key rotation against the real service on %s', (_name, newDatabase) => {
  it('a copy signed before a rotation still verifies and restores; past the grace period it does not', async () => {
    const dir = await tempDir()
    const file = join(dir, 'keys.json')
    await cli({}, 'key', 'generate', '--signing-keys', file, '--kid', 'old')
    const vendor = createIssuer({ kid: 'vendor' })
    const database = await newDatabase()
    let now = Date.now()
    const serve = async (): Promise<LicenseServer> => {
      const server = await createLicenseServer({
        issuer: await readKeyRing(file),
        trustedIssuers: vendor.jwks(),
        database,
        tokens: [TOKEN],
        now: () => now
      })
      running.push(server)
      return server
    }
    const restoreOnto = async (server: LicenseServer, seed: number, jws: string) => {
      const opened = await call(server.url, 'POST', '/v1/sessions', {
        body: await sessionBody(await machine(seed), server.url, now)
      })
      return (await restoreOn(server.url, (opened.json as { id: string }).id, [jws])).results[0]
    }

    let server = await serve()
    const before = await restoreOnto(server, 1, license(vendor, 'lic-1'))
    const copy = before?.license as string
    expect(decodeProtectedHeader(copy).kid).toBe('old')

    await cli({}, 'key', 'rotate', '--signing-keys', file, '--kid', 'new', '--grace', '1d')
    await server.close()
    running.splice(running.indexOf(server), 1)
    server = await serve()
    await server.store.addTenant('operator', { operator: true })
    const admin = (await server.store.issueToken('operator', 'admin', 'keys')).token
    const states = async (): Promise<string[][]> =>
      ((await call(server.url, 'GET', '/v1/admin/keys', { token: admin })).json as Listed).keys.map(k => [
        k.kid,
        k.state
      ])
    expect(await states()).toEqual([
      ['old', 'previous'],
      ['new', 'current']
    ])
    const published = await jwksOf(server)
    expect(published.map(k => k.kid).sort()).toEqual(['new', 'old', 'vendor'])
    expect(await verifiesWith(published, copy)).toBe(true)
    const again = await restoreOnto(server, 2, copy)
    expect(again?.status).toBe('restored')
    expect(decodeProtectedHeader(again?.license as string).kid).toBe('new')

    now = Date.now() + DAY + 1000 // the rotation (at the real clock) plus its grace period, passed
    expect(await states()).toEqual([
      ['old', 'expired'],
      ['new', 'current']
    ])
    const later = await jwksOf(server)
    expect(later.map(k => k.kid).sort()).toEqual(['new', 'vendor'])
    expect(await verifiesWith(later, copy)).toBe(false)
    expect(await restoreOnto(server, 3, copy)).toMatchObject({
      status: 'refused',
      reason: 'invalid-signature'
    })
    // The copy signed after the rotation, and the vendor's own license, still restore.
    expect((await restoreOnto(server, 3, again?.license as string))?.status).toBe('restored')
    expect((await restoreOnto(server, 4, license(vendor, 'lic-1')))?.status).toBe('restored')
  })
})
