import { compactVerify, createLocalJWKSet, type JWK } from 'jose'
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'
import type { SigningKey } from './keys/sign.js'

export type Claims = Record<string, unknown> & {
  jti: string
  key_id: string
  rights: Record<string, unknown>
}

export type Checked =
  | { ok: true; claims: Claims }
  | { ok: false; jti: string | undefined; reason: 'invalid-signature' | 'invalid-license'; why: string }

/**
 * How many license texts the checker remembers as verified (ADR 0148): a restore's preview and its
 * re-issue send the same texts, and a signature check costs ~150 µs where a digest costs ~1. About 10 MB
 * at most; past it the oldest is forgotten and checked again if it comes back.
 */
const REMEMBERED = 100_000

/**
 * Verifies a license against trusted public keys and checks the claims re-issue needs. The common case (an
 * Ed25519 license with the `kid` of one of the Ed25519 keys and a plain header) is checked with
 * node:crypto directly; anything else goes through jose, with the same outcome (ADR 0052).
 */
export function licenseChecker(jwks: { keys: readonly JWK[] }): (jws: string) => Promise<Checked> {
  // An Ed25519 key verifies `alg: Ed25519` (RFC 9864) and `alg: EdDSA` (older issuers) alike
  // (docs/format.md), whichever of the two its JWK names; jose would otherwise match only the named one.
  const all = jwks.keys.map(eitherEd25519Alg)
  const keys = createLocalJWKSet({ keys: all })
  // The keys jose would pick for each alg and kid (jwks/local.js: same kid, a matching `alg` when the
  // key has one, `use` sig); only a kid with exactly one such Ed25519 key takes the direct path.
  const ed25519 = new Map<string, KeyObject>()
  for (const alg of ['Ed25519', 'EdDSA']) {
    for (const jwk of all) {
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.kid !== 'string') continue
      const usable = (k: JWK): boolean =>
        k.kid === jwk.kid &&
        (k.alg === undefined || k.alg === alg) &&
        (k.use === undefined || k.use === 'sig') &&
        k.key_ops === undefined &&
        k.ext === undefined
      if (!usable(jwk) || all.filter(usable).length !== 1) continue
      ed25519.set(
        `${alg}\u0000${jwk.kid}`,
        createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string }, format: 'jwk' })
      )
    }
  }
  const viaJose = async (jws: string): Promise<Checked> => {
    let payload: Uint8Array
    try {
      ;({ payload } = await compactVerify(jws, keys, { algorithms: ['Ed25519', 'EdDSA', 'ES256'] }))
    } catch (error) {
      return {
        ok: false,
        jti: unverifiedJti(jws),
        reason: 'invalid-signature',
        why: (error as Error).message
      }
    }
    return claimsOf(jws, Buffer.from(payload).toString('utf8'))
  }
  // Digests of texts whose Ed25519 signature verified with the issuer's keys, which never change while
  // the service runs; oldest first. A verdict about the bytes alone: tenants and revocation are checked
  // on every request.
  const verified = new Set<string>()
  return async jws => {
    const digest = createHash('sha256').update(jws).digest('base64')
    if (verified.has(digest)) return claimsOf(jws, payloadOf(jws))
    const fast = quickVerify(jws, ed25519)
    if (fast === undefined) return viaJose(jws)
    if (fast === false) {
      return {
        ok: false,
        jti: unverifiedJti(jws),
        reason: 'invalid-signature',
        why: 'signature verification failed'
      }
    }
    verified.add(digest)
    if (verified.size > REMEMBERED) verified.delete(verified.values().next().value as string)
    return claimsOf(jws, fast)
  }
}

function eitherEd25519Alg(jwk: JWK): JWK {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || (jwk.alg !== 'Ed25519' && jwk.alg !== 'EdDSA')) return jwk
  const { alg: _named, ...rest } = jwk
  return rest
}

/** The payload (text) of a compact JWS already verified. */
function payloadOf(jws: string): string {
  return Buffer.from(jws.slice(jws.indexOf('.') + 1, jws.lastIndexOf('.')), 'base64url').toString('utf8')
}

const PLAIN_HEADER = new Set(['alg', 'typ', 'kid', 'cty'])
const BASE64URL = /^[A-Za-z0-9_-]+$/

/**
 * The payload (text) of an Ed25519 JWS whose signature verifies with the issuer key its `kid` names; false
 * when that signature does not verify; undefined when the JWS is not of that plain shape (jose decides).
 */
function quickVerify(jws: string, keys: Map<string, KeyObject>): string | false | undefined {
  const first = jws.indexOf('.')
  const last = jws.lastIndexOf('.')
  if (first <= 0 || last === first || jws.indexOf('.', first + 1) !== last) return undefined
  const [h, p, s] = [jws.slice(0, first), jws.slice(first + 1, last), jws.slice(last + 1)]
  if (!BASE64URL.test(h) || !BASE64URL.test(p) || !BASE64URL.test(s)) return undefined
  let header: Record<string, unknown>
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return undefined
  if (!Object.keys(header).every(name => PLAIN_HEADER.has(name))) return undefined
  if (header['alg'] !== 'Ed25519' && header['alg'] !== 'EdDSA') return undefined
  const key =
    typeof header['kid'] === 'string' ? keys.get(`${header['alg']}\u0000${header['kid']}`) : undefined
  if (!key) return undefined
  const signature = Buffer.from(s, 'base64url')
  if (signature.length !== 64) return false
  if (!verify(null, Buffer.from(jws.slice(0, last), 'latin1'), key, signature)) return false
  return Buffer.from(p, 'base64url').toString('utf8')
}

/** The claims re-issue needs, from a payload whose signature is verified. */
function claimsOf(jws: string, payload: string): Checked {
  let claims: Record<string, unknown>
  try {
    claims = JSON.parse(payload) as Record<string, unknown>
  } catch {
    return { ok: false, jti: unverifiedJti(jws), reason: 'invalid-license', why: 'the payload is not JSON' }
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    return {
      ok: false,
      jti: unverifiedJti(jws),
      reason: 'invalid-license',
      why: 'the payload is not an object'
    }
  }
  if (typeof claims['jti'] !== 'string' || claims['jti'] === '') {
    return { ok: false, jti: unverifiedJti(jws), reason: 'invalid-license', why: 'jti is missing' }
  }
  if (typeof claims['key_id'] !== 'string') {
    return { ok: false, jti: claims['jti'], reason: 'invalid-license', why: 'key_id is missing' }
  }
  const rights = claims['rights']
  if (rights === null || typeof rights !== 'object' || Array.isArray(rights)) {
    return { ok: false, jti: claims['jti'], reason: 'invalid-license', why: 'rights is missing' }
  }
  return { ok: true, claims: claims as Claims }
}

/**
 * The license re-issued for `machineId`: every claim kept (`iat` too) and `cnf.jkt` set; with `leaseExp`, a
 * lease copy (ADR 0160): `exp` is the lease's end and the claim `lease` keeps the license's own end
 * (`{"license_exp": …}`, or `{}` when the license never ends). Ed25519 signatures are deterministic, so
 * the same license, machine and lease always give the same bytes, which is what lets an idempotent replay
 * be byte-for-byte the first answer.
 */
export function reissue(key: SigningKey, claims: Claims, machineId: string, leaseExp?: number): string {
  const cnf = claims['cnf'] !== null && typeof claims['cnf'] === 'object' ? (claims['cnf'] as object) : {}
  if (leaseExp === undefined) return key.sign({ ...claims, cnf: { ...cnf, jkt: machineId } })
  const own = licenseExpOf(claims)
  const lease = own === undefined ? {} : { license_exp: own }
  return key.sign({ ...claims, exp: leaseExp, lease, cnf: { ...cnf, jkt: machineId } })
}

/** Whether a license is a copy the service leased (it carries the `lease` claim). */
export function isLeaseCopy(claims: Claims): boolean {
  const lease = claims['lease']
  return lease !== null && typeof lease === 'object' && !Array.isArray(lease)
}

/**
 * The license's own end, seconds: a lease copy's `lease.license_exp` (its `exp` is only the lease's), else
 * its `exp`; undefined when it never ends.
 */
export function licenseExpOf(claims: Claims): number | undefined {
  const own = isLeaseCopy(claims) ? (claims['lease'] as { license_exp?: unknown }).license_exp : claims['exp']
  return typeof own === 'number' ? own : undefined
}

/** The `cnf.jkt` a license is bound to, if any. */
export function boundMachine(claims: Claims): string | undefined {
  const cnf = claims['cnf'] as { jkt?: unknown } | undefined
  return typeof cnf?.jkt === 'string' ? cnf.jkt : undefined
}

/** The machine a license counts as its own: a license's `cnf.jkt`, never a lease copy's. */
export function originMachine(claims: Claims): string | undefined {
  return isLeaseCopy(claims) ? undefined : boundMachine(claims)
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
