// The one signature check of a license (ADR 0181), by the engine, the verify pool's threads and the
// license service. It imports nothing of the project and only `node:` modules, and uses no TypeScript
// Node cannot strip, so the verify worker, which Node runs from its TypeScript source in the tests (ADR
// 0140), can import it as `@license-backup/protocol/jws/signature`.
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'

/** The JWS algorithms a license may use (docs/format.md); `EdDSA` is Ed25519 by its older name. */
export const JWS_ALGORITHMS = ['Ed25519', 'EdDSA', 'ES256'] as const
export type JwsAlgorithm = (typeof JWS_ALGORITHMS)[number]

/** The public key of a JWK, or undefined when Node cannot read it or it holds a private part. */
export function importPublicKey(jwk: JWK): KeyObject | undefined {
  if (jwk.d !== undefined) return undefined
  try {
    return createPublicKey({ key: jwk as never, format: 'jwk' })
  } catch {
    return undefined
  }
}

/**
 * Whether `signature` is `key`'s signature of `data` by `alg`: Ed25519 (64 bytes) for `Ed25519` and
 * `EdDSA`, ECDSA P-256 with SHA-256 in the JWS form (r ‖ s, 64 bytes) for `ES256`. Any other algorithm,
 * key type or a malformed signature is a failed check.
 */
export function verifySignature(key: KeyObject, alg: string, data: Buffer, signature: Buffer): boolean {
  if (signature.length !== 64) return false
  try {
    if (alg === 'Ed25519' || alg === 'EdDSA')
      return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, signature)
    if (alg === 'ES256')
      return (
        key.asymmetricKeyType === 'ec' &&
        key.asymmetricKeyDetails?.namedCurve === 'prime256v1' &&
        verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
      )
  } catch {
    // A signature OpenSSL cannot even parse is a failed check.
  }
  return false
}
