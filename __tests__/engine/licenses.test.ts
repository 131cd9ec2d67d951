import { afterEach, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { type LicenseBackupError } from '../../src/engine/index.js'
import { parseLicense } from '../../src/engine/licenses/license.js'
import { createVerifier, keySetVerifier } from '../../src/engine/licenses/verifier.js'
import { createIssuer, signCompact } from '../../src/fixtures/issuer.js'
import { claims, issuer, tempDirs } from '../support/engine.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

function caught(run: () => unknown): LicenseBackupError {
  try {
    run()
  } catch (error) {
    return error as LicenseBackupError
  }
  throw new Error('expected an error')
}

describe('parseLicense', () => {
  it('reads the header and claims, and whether the license is restricted', () => {
    const license = parseLicense(
      issuer.sign(claims({ sub: 'user-1', cnf: { jkt: 'abc' }, exp: 5 })) + '\n',
      'x.jwt'
    )
    expect(license).toMatchObject({
      file: 'x.jwt',
      jti: 'lic-1',
      keyId: '6f1c0000aaaabbbbccccddddeeeeffff',
      restricted: false
    })
    expect(license.header).toMatchObject({ alg: 'Ed25519', kid: 'test-key-1' })
    expect(license.text.endsWith('\n')).toBe(false)
  })

  it.each([
    [{ play: true }, true],
    [{ backup: false }, true],
    [{ backup: true }, false]
  ])('rights %j → restricted %s (absent means false)', (rights, restricted) => {
    expect(parseLicense(issuer.sign(claims({ rights })), 'x.jwt').restricted).toBe(restricted)
  })

  it.each([
    ['two parts', 'abc.def', 'compact JWS'],
    ['an unknown alg', () => signCompact({ alg: 'HS256', kid: 'k' }, claims(), issuer.privateKey), 'alg'],
    ['no kid', () => signCompact({ alg: 'Ed25519' }, claims(), issuer.privateKey), 'kid'],
    [
      'a header that is not JSON',
      `${Buffer.from('nope').toString('base64url')}.e30.c2ln`,
      'header is not base64url-encoded JSON'
    ],
    ['iss not a URL', () => issuer.sign(claims({ iss: 'not a url' })), 'iss'],
    ['iat missing', () => issuer.sign(claims({ iat: undefined })), 'iat'],
    ['exp not a number', () => issuer.sign(claims({ exp: 'soon' })), 'exp'],
    ['sub not a string', () => issuer.sign(claims({ sub: 5 })), 'sub'],
    ['rights missing', () => issuer.sign(claims({ rights: undefined })), 'rights'],
    [
      'rights.backup not a boolean',
      () => issuer.sign(claims({ rights: { backup: 'yes' } })),
      'rights.backup'
    ],
    ['cnf.jkt not a string', () => issuer.sign(claims({ cnf: { jkt: 1 } })), 'cnf.jkt']
  ])('rejects %s with INVALID_LICENSE naming the file', (_name, text, mention) => {
    const error = caught(() => parseLicense(typeof text === 'function' ? text() : text, 'dir/f.jwt'))
    expect(error.code).toBe('INVALID_LICENSE')
    expect(error.message).toContain('dir/f.jwt')
    expect(error.message).toContain(mention)
    expect(error.message).toMatch(/Replace it|move it out/)
  })

  it('names the key ID and license ID once they are known', () => {
    const error = caught(() => parseLicense(issuer.sign(claims({ jti: 'lic-77', iat: 'x' })), 'f.jwt'))
    expect(error.message).toContain('key ID 6f1c0000aaaabbbbccccddddeeeeffff')
    expect(error.message).toContain('license ID lic-77')
    expect(error.subject).toMatchObject({
      file: 'f.jwt',
      keyId: '6f1c0000aaaabbbbccccddddeeeeffff',
      licenseId: 'lic-77'
    })
  })
})

describe('createVerifier', () => {
  it('verifies Ed25519, EdDSA (Ed25519 key) and ES256 licenses from a JWKS file; expired ones too', async () => {
    const dir = await dirs.make()
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const ecJwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256' }
    const file = join(dir, 'jwks.json')
    await writeFile(file, JSON.stringify({ keys: [issuer.publicJwk, ecJwk] }))
    const verifier = await createVerifier({ jwksFile: file })
    expect(verifier.verifying).toBe(true)
    await verifier.verify(parseLicense(issuer.sign(claims({ exp: 1 })), 'a.jwt'))
    await verifier.verify(parseLicense(issuer.sign(claims(), { alg: 'EdDSA' }), 'b.jwt'))
    const { sign } = await import('node:crypto')
    const input = `${b64({ alg: 'ES256', kid: 'ec-1' })}.${b64(claims())}`
    const signature = sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })
    await verifier.verify(parseLicense(`${input}.${signature.toString('base64url')}`, 'c.jwt'))
  })

  it('rejects a license signed by another key holding the same kid', async () => {
    const impostor = createIssuer({ kid: 'test-key-1' })
    const verifier = keySetVerifier(issuer.jwks(), 'issuer.jwks.json')
    await expect(verifier.verify(parseLicense(impostor.sign(claims()), 'x.jwt'))).rejects.toMatchObject({
      code: 'INVALID_LICENSE',
      message: expect.stringContaining('x.jwt')
    })
  })

  it('rejects an alg that does not fit the key', async () => {
    const verifier = keySetVerifier(issuer.jwks(), 'issuer.jwks.json')
    const text = `${b64({ alg: 'ES256', kid: 'test-key-1' })}.${b64(claims())}.${Buffer.alloc(64).toString('base64url')}`
    await expect(verifier.verify(parseLicense(text, 'x.jwt'))).rejects.toMatchObject({
      code: 'INVALID_LICENSE',
      message: expect.stringContaining('does not match key "test-key-1"')
    })
  })

  it('checks nothing without a trust source', async () => {
    const verifier = await createVerifier(undefined)
    expect(verifier.verifying).toBe(false)
    await verifier.verify(parseLicense(createIssuer({ kid: 'other' }).sign(claims()), 'x.jwt'))
  })

  describe('remote JWKS', () => {
    let server: Server | undefined
    afterEach(() => new Promise<void>(resolve => (server ? server.close(() => resolve()) : resolve())))

    async function serve(
      handler: Parameters<typeof createServer>[1]
    ): Promise<{ url: string; hits: () => number }> {
      let hits = 0
      server = createServer((request, response) => {
        hits++
        handler!(request, response)
      })
      await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits }
    }

    it("fetches the service's /.well-known/jwks.json once per verifier", async () => {
      const { url, hits } = await serve((request, response) => {
        expect(request.url).toBe('/base/.well-known/jwks.json')
        response.setHeader('content-type', 'application/json')
        response.end(JSON.stringify(issuer.jwks()))
      })
      const verifier = await createVerifier({ serviceUrl: `${url}/base/` })
      for (let i = 0; i < 3; i++)
        await verifier.verify(parseLicense(issuer.sign(claims({ jti: `l${i}` })), `${i}.jwt`))
      expect(hits()).toBe(1)
    })

    it('is SERVICE_UNAVAILABLE naming the URL on a 503, and on a timeout', async () => {
      const { url } = await serve((request, response) => {
        if (request.url === '/slow') return
        response.statusCode = 503
        response.end()
      })
      await expect(createVerifier({ jwksUrl: `${url}/down` })).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining(`${url}/down`)
      })
      await expect(createVerifier({ jwksUrl: `${url}/slow` }, { timeoutMs: 200 })).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining('timed out')
      })
    })

    it('is CONFIG_INVALID for a document that is not a JWKS', async () => {
      const { url } = await serve((_request, response) => response.end('{"nokeys": true}'))
      await expect(createVerifier({ jwksUrl: url })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(url)
      })
    })
  })

  it('is CONFIG_INVALID naming a JWKS file that is missing', async () => {
    await expect(createVerifier({ jwksFile: '/nonexistent/jwks.json' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('/nonexistent/jwks.json')
    })
  })
})

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
