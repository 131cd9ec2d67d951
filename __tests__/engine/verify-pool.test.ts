import { describe, expect, it } from '@jest/globals'
import { generateKeyPairSync, createPublicKey, sign } from 'node:crypto'
import type { JWK } from 'jose'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { MessageChannel } from 'node:worker_threads'
import { VerifyPool, type SignatureCheck } from '../../src/engine/verify-pool/pool.js'
import { keySlots, serve } from '../../src/engine/verify-pool/verify-worker.js'

function split(jws: string): { signingInput: string; signature: string; kid: string; alg: string } {
  const [h, p, s] = jws.split('.') as [string, string, string]
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { kid: string; alg: string }
  return { signingInput: `${h}.${p}`, signature: s, kid: header.kid, alg: header.alg }
}

describe('VerifyPool', () => {
  it('accepts good Ed25519 and ES256 signatures and rejects bad ones, on this thread and then on worker threads', async () => {
    const issuer = createIssuer({ kid: 'ed' })
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const ecJwk = { ...(createPublicKey(ec.privateKey).export({ format: 'jwk' }) as JWK), kid: 'ec' }
    const pool = new VerifyPool([issuer.publicJwk, ecJwk], 2)
    try {
      const good = Array.from({ length: 300 }, (_, i) => split(issuer.sign({ jti: `l${i}` })))
      const ecInput = 'eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0'
      const ecSig = sign('sha256', Buffer.from(ecInput), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })
      const ecCheck: SignatureCheck = {
        kid: 'ec',
        alg: 'ES256',
        signingInput: ecInput,
        signature: ecSig.toString('base64url')
      }
      const first = good[0]!
      const checks: SignatureCheck[] = [
        ...good,
        ecCheck,
        { ...first, signingInput: first.signingInput + 'x' },
        { ...first, kid: 'unknown' },
        { ...first, alg: 'ES256' },
        { ...ecCheck, alg: 'EdDSA' }
      ]
      const results = await Promise.all(checks.map(c => pool.verify(c)))
      expect(results.slice(0, 301).every(Boolean)).toBe(true)
      expect(results.slice(301)).toEqual([false, false, false, false])
    } finally {
      await pool.close()
    }
  })

  it('checks a small store on this thread alone, bad signatures failing there too', async () => {
    const issuer = createIssuer({ kid: 'ed' })
    const pool = new VerifyPool([issuer.publicJwk], 2)
    try {
      const good = split(issuer.sign({ jti: 'one' }))
      const checks = [
        good,
        { ...good, signature: good.signature.replace(/^./, c => (c === 'A' ? 'B' : 'A')) }
      ]
      expect(await Promise.all(checks.map(c => pool.verify(c)))).toEqual([true, false])
    } finally {
      await pool.close()
    }
  })
})

describe('the verify worker (verify-worker.ts, on this thread)', () => {
  it('answers a packed batch: the signature of a known key passes, a key Node cannot import fails', async () => {
    const issuer = createIssuer({ kid: 'ed' })
    const broken = { kty: 'OKP', crv: 'Ed25519', x: 'not-a-key', kid: 'broken' } as JWK
    expect(keySlots([issuer.publicJwk, broken])[1]).toBeUndefined()
    const { port1, port2 } = new MessageChannel()
    serve(port2, {
      verifyPool: true,
      keys: [issuer.publicJwk, broken],
      algorithms: ['Ed25519', 'EdDSA', 'ES256']
    })
    const check = split(issuer.sign({ jti: 'one' }))
    const text = (check.signingInput + check.signature).repeat(4)
    const lengths = [check.signingInput.length, check.signature.length]
    // Slot 0 with EdDSA; the broken key's slot; no key (-1); an algorithm code the worker does not know.
    const meta = new Int32Array([0, 1, ...lengths, 1, 1, ...lengths, -1, 1, ...lengths, 0, 3, ...lengths])
    const answer = new Promise<{ id: number; results: Uint8Array }>(done => port1.once('message', done))
    port1.postMessage({ id: 7, meta, text })
    try {
      expect(await answer).toEqual({ id: 7, results: new Uint8Array([1, 0, 0, 0]) })
    } finally {
      port1.close()
    }
  })
})
