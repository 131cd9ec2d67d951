// Issue 23 item 2 (ADR 0181): the engine, the verify pool's threads and the license service choose a
// license's key by one rule. Before it, two keys under one kid gave three answers, and the service refused
// an EdDSA license whose key said Ed25519.
import { describe, expect, it } from '@jest/globals'
import { licenseText, publicJwks, verdicts } from './license-keys-support.js'

const all = (verdict: boolean): Record<string, boolean> => ({
  engine: verdict,
  threads: verdict,
  pooledEngine: verdict,
  service: verdict
})

describe('one key choice for every license check', () => {
  it('two keys under one kid (a rotation done by hand) are refused as ambiguous everywhere', async () => {
    const keys = [
      { ...publicJwks[1]!, kid: 'rotated' },
      { ...publicJwks[0]!, kid: 'rotated' }
    ]
    const found = await verdicts(
      keys,
      licenseText({ signer: 0, alg: 'Ed25519', kid: 'rotated', tampered: false }, 1)
    )
    expect(found).toMatchObject(all(false))
    expect(found.message).toMatch(
      /2 keys in the JWKS have the kid "rotated" and fit its alg Ed25519; a key ID must name one key/
    )
  })

  it('an Ed25519 license verifies whether its header or its key says Ed25519 or EdDSA', async () => {
    for (const keyAlg of [undefined, 'Ed25519', 'EdDSA']) {
      for (const alg of ['Ed25519', 'EdDSA']) {
        const keys = [{ ...publicJwks[0]!, kid: 'ed', ...(keyAlg ? { alg: keyAlg } : {}) }]
        const found = await verdicts(keys, licenseText({ signer: 0, alg, kid: 'ed', tampered: false }, 2))
        expect({ keyAlg, alg, ...found }).toEqual({ keyAlg, alg, ...all(true) })
      }
    }
  })

  it('a key of another type under the kid, or a key for encryption, verifies nothing', async () => {
    const license = licenseText({ signer: 0, alg: 'Ed25519', kid: 'ed', tampered: false }, 3)
    for (const key of [
      { ...publicJwks[3]!, kid: 'ed' },
      { ...publicJwks[0]!, kid: 'ed', use: 'enc' },
      { ...publicJwks[0]!, kid: 'ed', alg: 'ES256' }
    ]) {
      expect(await verdicts([key], license)).toMatchObject(all(false))
    }
  })
})
