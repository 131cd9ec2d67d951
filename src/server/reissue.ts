import { compactVerify, createLocalJWKSet } from 'jose'
import type { Issuer } from '../fixtures/issuer.js'

export type Claims = Record<string, unknown> & {
  jti: string
  key_id: string
  rights: Record<string, unknown>
}

export type Checked =
  | { ok: true; claims: Claims }
  | { ok: false; jti: string | undefined; reason: 'invalid-signature' | 'invalid-license'; why: string }

/** Verifies a license against the issuer's keys and checks the claims re-issue needs. */
export function licenseChecker(issuer: Issuer): (jws: string) => Promise<Checked> {
  const keys = createLocalJWKSet(issuer.jwks())
  return async jws => {
    const jti = unverifiedJti(jws)
    let payload: Uint8Array
    try {
      ;({ payload } = await compactVerify(jws, keys, { algorithms: ['Ed25519', 'EdDSA', 'ES256'] }))
    } catch (error) {
      return { ok: false, jti, reason: 'invalid-signature', why: (error as Error).message }
    }
    let claims: Record<string, unknown>
    try {
      claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>
    } catch {
      return { ok: false, jti, reason: 'invalid-license', why: 'the payload is not JSON' }
    }
    if (typeof claims['jti'] !== 'string' || claims['jti'] === '') {
      return { ok: false, jti, reason: 'invalid-license', why: 'jti is missing' }
    }
    if (typeof claims['key_id'] !== 'string') {
      return { ok: false, jti, reason: 'invalid-license', why: 'key_id is missing' }
    }
    const rights = claims['rights']
    if (rights === null || typeof rights !== 'object' || Array.isArray(rights)) {
      return { ok: false, jti, reason: 'invalid-license', why: 'rights is missing' }
    }
    return { ok: true, claims: claims as Claims }
  }
}

/**
 * The license re-issued for `machineId`: every claim kept (`iat` too) and `cnf.jkt` set. Ed25519
 * signatures are deterministic, so the same license and machine always give the same bytes, which is
 * what lets an idempotent replay be byte-for-byte the first answer.
 */
export function reissue(issuer: Issuer, claims: Claims, machineId: string): string {
  const cnf = claims['cnf'] !== null && typeof claims['cnf'] === 'object' ? (claims['cnf'] as object) : {}
  return issuer.sign({ ...claims, cnf: { ...cnf, jkt: machineId } })
}

/** The `cnf.jkt` a license is bound to, if any. */
export function boundMachine(claims: Claims): string | undefined {
  const cnf = claims['cnf'] as { jkt?: unknown } | undefined
  return typeof cnf?.jkt === 'string' ? cnf.jkt : undefined
}

/** The jti of a license that failed verification, read without trusting it, to label the refusal. */
function unverifiedJti(jws: string): string | undefined {
  const payload = jws.split('.')[1]
  if (payload === undefined) return undefined
  try {
    const jti = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti?: unknown }).jti
    return typeof jti === 'string' ? jti : undefined
  } catch {
    return undefined
  }
}
