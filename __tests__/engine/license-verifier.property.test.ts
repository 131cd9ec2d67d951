// Issue 23 item 2 (ADR 0181): one rule chooses the key that verifies a license, and the engine's verifier,
// the verify pool's threads and the license service give the verdict jose's own compactVerify and
// jwtVerify give with a local JWKS, for random key sets: duplicate kids, keys without kids, `alg`s that do
// not fit, EC and OKP keys, `use` and `key_ops`. Where the rule differs from jose by design (Ed25519 and
// EdDSA name one algorithm), jose is given the key set with that difference mapped: each Ed25519-family
// key's `alg` renamed to the header's.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { compactVerify, createLocalJWKSet, jwtVerify, type JWK } from 'jose'
import { TrustedKeys } from '@license-backup/protocol/jws/key-choice'
import { licenseText, pairs, publicJwks, verdicts, type Shape } from './license-keys-support.js'

const ED = ['Ed25519', 'EdDSA']

const keyEntry = fc.record({
  key: fc.nat({ max: pairs.length - 1 }),
  kid: fc.constantFrom('a', 'b', 'c', undefined),
  alg: fc.constantFrom(undefined, 'Ed25519', 'EdDSA', 'ES256'),
  use: fc.constantFrom(undefined, undefined, 'sig', 'enc'),
  keyOps: fc.constantFrom(undefined, undefined, ['verify'], ['sign'])
})
const randomShape = fc.record({
  signer: fc.nat({ max: pairs.length - 1 }),
  alg: fc.constantFrom('Ed25519', 'EdDSA', 'ES256'),
  kid: fc.constantFrom('a', 'b', 'c'),
  tampered: fc.boolean()
})

/**
 * A key set and a license: a random one, one signed by a key of the set under its kid, or that and another
 * key of the same type given the same kid (a rotation done by hand).
 */
const world = fc
  .tuple(fc.array(keyEntry, { minLength: 1, maxLength: 5 }), randomShape, fc.nat(), fc.nat({ max: 2 }))
  .map(([entries, shape, pick, mode]): [KeyEntry[], Shape] => {
    const entry = entries[pick % entries.length]!
    if (mode === 0) return [entries, shape]
    const ed = entry.key < 3
    const alg = ed ? (shape.alg === 'ES256' ? 'Ed25519' : shape.alg) : 'ES256'
    const kid = entry.kid ?? shape.kid
    const signed = { ...shape, signer: entry.key, kid, alg }
    if (mode === 1) return [entries, signed]
    const twin = { key: ed ? (entry.key + 1) % 3 : 3 + ((entry.key - 2) % 2), kid }
    return [[...entries.map(e => (e === entry ? { ...e, kid } : e)), twin], signed]
  })

function jwkOf(entry: KeyEntry): JWK {
  return {
    ...publicJwks[entry.key]!,
    ...(entry.kid === undefined ? {} : { kid: entry.kid }),
    ...(entry.alg === undefined ? {} : { alg: entry.alg }),
    ...(entry.use === undefined ? {} : { use: entry.use }),
    ...(entry.keyOps === undefined ? {} : { key_ops: [...entry.keyOps] })
  }
}
type KeyEntry = { key: number; kid?: string; alg?: string; use?: string; keyOps?: readonly string[] }

async function joseVerdict(jws: string, keys: JWK[], alg: string): Promise<boolean | 'ambiguous'> {
  // The documented mapping: Ed25519 and EdDSA are one algorithm for an Ed25519 key.
  const mapped = keys.map(jwk => (ED.includes(alg) && ED.includes(jwk.alg ?? '') ? { ...jwk, alg } : jwk))
  const set = createLocalJWKSet({ keys: mapped })
  const compact = await compactVerify(jws, set).then(
    () => true,
    (error: { code?: string }) => (error.code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' ? 'ambiguous' : false)
  )
  const jwt = await jwtVerify(jws, set).then(
    () => true,
    (error: { code?: string }) => (error.code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' ? 'ambiguous' : false)
  )
  expect(jwt).toBe(compact)
  return compact
}

describe('one license verifier: engine, pool threads, service and jose agree', () => {
  it('gives every path the same verdict on random key sets', async () => {
    let n = 0
    const seen = new Set<string>()
    await fc.assert(
      fc.asyncProperty(world, async ([entries, shape]) => {
        const keys = entries.map(jwkOf)
        const jws = licenseText(shape, ++n)
        const choice = new TrustedKeys(keys).choose(shape.alg, shape.kid)
        const expected = await joseVerdict(jws, keys, shape.alg)
        if ('refused' in choice && choice.refused === 'ambiguous') expect(expected).toBe('ambiguous')
        const verdict = expected === true
        seen.add(
          verdict
            ? 'accepted'
            : typeof choice === 'object' && 'refused' in choice
              ? choice.refused
              : 'bad signature'
        )

        const { engine, threads, pooledEngine, service } = await verdicts(keys, jws)
        expect({ engine, threads, pooledEngine, service }).toEqual({
          engine: verdict,
          threads: verdict,
          pooledEngine: verdict,
          service: verdict
        })
      }),
      { numRuns: 60 }
    )
    // The runs met every kind of answer: accepted, a bad signature, no key, a key of another type, ambiguous.
    expect([...seen].sort()).toEqual(['accepted', 'ambiguous', 'bad signature', 'no-key', 'wrong-type'])
  })
})
