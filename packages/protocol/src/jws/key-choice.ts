import type { KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import { importPublicKey, JWS_ALGORITHMS, type JwsAlgorithm } from './signature.ts'

/**
 * Which trusted key verifies a JWS, decided once for the engine, the verify pool and the license service
 * (ADR 0181). The candidates for a header `{alg, kid}` are the keys that
 * - have that `kid` (a JWS without a string `kid` has none);
 * - are of `alg`'s type: OKP Ed25519 for `Ed25519` and `EdDSA`, EC P-256 for `ES256`;
 * - have no `alg`, or `alg`'s own, where `Ed25519` and `EdDSA` are the same algorithm;
 * - have no `use` or `use: "sig"`, no `key_ops` or ones that include `verify`, no `ext` or a boolean one
 *   (as jose's local JWKS reads them).
 * Exactly one candidate verifies; none is "no key", several are "ambiguous" and refused (jose refuses
 * them too, with JWKSMultipleMatchingKeys), so a key ID names one key or nothing. A candidate Node cannot
 * read as a public key is "unusable".
 */
export type KeyChoice =
  | { key: KeyObject; jwk: JWK; index: number }
  | { refused: 'unsupported-alg' | 'no-key' | 'wrong-type' | 'ambiguous' | 'unusable'; candidates: number }

export class TrustedKeys {
  /** Choices by `alg` and `kid`, for the kids the set holds (so it never grows past 3 a key). */
  private readonly chosen = new Map<string, KeyChoice>()
  private readonly kids: Set<unknown>
  readonly keys: readonly JWK[]

  // No parameter property: a read pool's thread runs this file by stripping its types (ADR 0217).
  constructor(keys: readonly JWK[]) {
    this.keys = keys
    this.kids = new Set(keys.map(key => key.kid))
  }

  choose(alg: unknown, kid: unknown): KeyChoice {
    if (typeof kid !== 'string' || !this.kids.has(kid)) return { refused: 'no-key', candidates: 0 }
    const memo = `${String(alg)}\u0000${kid}`
    let choice = this.chosen.get(memo)
    if (choice === undefined) {
      choice = this.decide(alg, kid)
      this.chosen.set(memo, choice)
    }
    return choice
  }

  private decide(alg: unknown, kid: string): KeyChoice {
    if (!(JWS_ALGORITHMS as readonly unknown[]).includes(alg))
      return { refused: 'unsupported-alg', candidates: 0 }
    const candidates = this.keys.flatMap((jwk, index) =>
      usable(jwk, alg as JwsAlgorithm, kid) ? [index] : []
    )
    if (candidates.length > 1) return { refused: 'ambiguous', candidates: candidates.length }
    const index = candidates[0]
    if (index === undefined) return { refused: 'wrong-type', candidates: 0 }
    const jwk = this.keys[index]!
    const key = importPublicKey(jwk)
    return key ? { key, jwk, index } : { refused: 'unusable', candidates: 1 }
  }
}

function usable(jwk: JWK, alg: JwsAlgorithm, kid: string): boolean {
  if (jwk.kid !== kid) return false
  const ed = alg !== 'ES256'
  const typeFits = ed ? jwk.kty === 'OKP' && jwk.crv === 'Ed25519' : jwk.kty === 'EC' && jwk.crv === 'P-256'
  const algFits =
    jwk.alg === undefined || jwk.alg === alg || (ed && (jwk.alg === 'Ed25519' || jwk.alg === 'EdDSA'))
  const ops = jwk.key_ops as unknown
  const opsFit =
    ops === undefined ||
    (Array.isArray(ops) &&
      ops.every((op, i) => typeof op === 'string' && ops.indexOf(op) === i) &&
      ops.includes('verify'))
  return (
    typeFits &&
    algFits &&
    opsFit &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    (jwk.ext === undefined || typeof jwk.ext === 'boolean')
  )
}
