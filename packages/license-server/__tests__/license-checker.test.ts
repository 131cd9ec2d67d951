// The service's license check remembers texts whose signature verified (ADR 0148), so a restore's
// preview and re-issue check each license once. What it remembers must never let other bytes through.
import { describe, expect, it } from '@jest/globals'
import { createIssuer } from '../../../src/fixtures/issuer.js'
import { licenseChecker } from '../src/reissue.js'

const claims = { jti: 'lic-1', key_id: '6f1c0000aaaabbbbccccddddeeeeffff', rights: { backup: true } }

function flipLast(text: string): string {
  const last = text.at(-2) === 'A' ? 'B' : 'A'
  return `${text.slice(0, -2)}${last}${text.slice(-1)}`
}

describe('the service’s license check, remembering verified texts', () => {
  it('gives the same answer the second time a text comes, from memory', async () => {
    const issuer = createIssuer({ kid: 'remember' })
    const check = licenseChecker(issuer.jwks())
    const jws = issuer.sign(claims)
    const first = await check(jws)
    expect(first).toEqual({ ok: true, claims: expect.objectContaining(claims) })
    expect(await check(jws)).toEqual(first)
  })

  it('refuses a changed signature or payload right after the text it came from was remembered', async () => {
    const issuer = createIssuer({ kid: 'remember' })
    const check = licenseChecker(issuer.jwks())
    const jws = issuer.sign(claims)
    expect((await check(jws)).ok).toBe(true)
    const [header, , signature] = jws.split('.')
    const otherPayload = Buffer.from(
      JSON.stringify({ ...claims, rights: { backup: true, seats: 99 } })
    ).toString('base64url')
    for (const forged of [flipLast(jws), `${header}.${otherPayload}.${signature}`]) {
      expect(await check(forged)).toMatchObject({ ok: false, reason: 'invalid-signature' })
    }
    expect((await check(jws)).ok).toBe(true)
  })

  it('does not remember a text whose signature failed, nor one signed by a key it does not hold', async () => {
    const issuer = createIssuer({ kid: 'remember' })
    const stranger = createIssuer({ kid: 'remember' })
    const check = licenseChecker(issuer.jwks())
    const foreign = stranger.sign(claims)
    for (let i = 0; i < 2; i++) {
      expect(await check(foreign)).toMatchObject({ ok: false, reason: 'invalid-signature' })
      expect(await check(flipLast(issuer.sign(claims)))).toMatchObject({
        ok: false,
        reason: 'invalid-signature'
      })
    }
  })
})

describe('the service’s license check, Ed25519 algorithms', () => {
  it('verifies an Ed25519 license whether its header says Ed25519 or EdDSA (docs/format.md)', async () => {
    const issuer = createIssuer({ kid: 'both-algs' })
    const check = licenseChecker(issuer.jwks())
    for (const alg of ['Ed25519', 'EdDSA']) {
      expect(await check(issuer.sign({ ...claims, jti: `lic-${alg}` }, { alg }))).toMatchObject({ ok: true })
      // Also when the header is not the plain shape the direct path takes (jose decides).
      const unusual = issuer.sign({ ...claims, jti: `lic-${alg}-x` }, { alg, crit: undefined, x5u: 'x' })
      expect(await check(unusual)).toMatchObject({ ok: true })
    }
  })
})
