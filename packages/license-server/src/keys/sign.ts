import { createPublicKey, sign, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'

/** A key the service signs licenses with: Ed25519, named by its `kid`. */
export interface SigningKey {
  kid: string
  privateKey: KeyObject
  /** The public half as published (`kid`, `alg: Ed25519`, `use: sig`). */
  publicJwk: JWK
  /** A compact JWS of `claims`, header `{alg: Ed25519, typ: JWT, kid}` unless `header` says otherwise. */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): string
}

/** The signing key of an Ed25519 private key. Signs with node:crypto directly (ADR 0052). */
export function signingKey(kid: string, privateKey: KeyObject): SigningKey {
  const publicJwk: JWK = {
    ...(createPublicKey(privateKey).export({ format: 'jwk' }) as JWK),
    kid,
    alg: 'Ed25519',
    use: 'sig'
  }
  return {
    kid,
    privateKey,
    publicJwk,
    sign: (claims, header = {}) =>
      signCompact({ alg: 'Ed25519', typ: 'JWT', kid, ...header }, claims, privateKey)
  }
}

export function signCompact(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: KeyObject
): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const signature = sign(null, Buffer.from(signingInput), key)
  return `${signingInput}.${signature.toString('base64url')}`
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url')
}
