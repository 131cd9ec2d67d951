import { compactVerify, type JWK } from 'jose'
import { createHash, type KeyObject } from 'node:crypto'
import { TrustedKeys } from '@license-backup/protocol/jws/key-choice'
import { verifySignature } from '@license-backup/protocol/jws/signature'
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
 * A session's part in the check (ADR 0221): whether the session verified these bytes before, and where the
 * check notes a text that verified now (a preview's, kept for the same session's re-issue).
 */
export interface SessionMemo {
  known(digest: string): boolean
  verified(digest: string): void
}

/** The license check: a compact JWS, with the session's memo when the request belongs to one. */
export type LicenseCheck = (jws: string, session?: SessionMemo) => Promise<Checked>

/**
 * Verifies a license against trusted public keys and checks the claims re-issue needs. The key is the one
 * @license-backup/protocol's jws/key-choice.ts chooses (ADR 0181), as the engine and its verify pool choose
 * it. A plain header (`alg`, `kid`, `typ`, `cty`) is checked with node:crypto directly; anything else goes
 * through jose with that key, which checks the header's other parameters (ADR 0052).
 */
export function licenseChecker(jwks: { keys: readonly JWK[] }): LicenseCheck {
  const trusted = new TrustedKeys(jwks.keys)
  const refused = (jws: string, why: string): Checked => ({
    ok: false,
    jti: unverifiedJti(jws),
    reason: 'invalid-signature',
    why
  })
  // Digests of texts whose signature verified with the trusted keys, which never change while the
  // service runs; oldest first. A verdict about the bytes alone: tenants and revocation are checked on
  // every request.
  const verified = new Set<string>()
  return async (jws, session) => {
    const digest = createHash('sha256').update(jws).digest('base64')
    if (verified.has(digest) || session?.known(digest) === true) {
      session?.verified(digest)
      return claimsOf(jws, payloadOf(jws))
    }
    const parts = compactParts(jws)
    if (parts === undefined) return refused(jws, 'it is not a compact JWS')
    const choice = trusted.choose(parts.header['alg'], parts.header['kid'])
    if (!('key' in choice)) return refused(jws, `no key verifies it (${choice.refused})`)
    const payload = await verifiedPayload(jws, parts, choice.key)
    if (payload === undefined) return refused(jws, 'signature verification failed')
    verified.add(digest)
    if (verified.size > REMEMBERED) verified.delete(verified.values().next().value as string)
    session?.verified(digest)
    return claimsOf(jws, payload)
  }
}

/** The payload (text) of a compact JWS already verified. */
function payloadOf(jws: string): string {
  return Buffer.from(jws.slice(jws.indexOf('.') + 1, jws.lastIndexOf('.')), 'base64url').toString('utf8')
}

const PLAIN_HEADER = new Set(['alg', 'typ', 'kid', 'cty'])
const BASE64URL = /^[A-Za-z0-9_-]+$/

interface CompactParts {
  header: Record<string, unknown>
  payload: string
  signature: string
  /** Where the signing input ends. */
  last: number
}

/** The three parts of a compact JWS and its decoded header, or undefined when it is not one. */
function compactParts(jws: string): CompactParts | undefined {
  const first = jws.indexOf('.')
  const last = jws.lastIndexOf('.')
  if (first <= 0 || last === first || jws.indexOf('.', first + 1) !== last) return undefined
  const [h, payload, signature] = [jws.slice(0, first), jws.slice(first + 1, last), jws.slice(last + 1)]
  if (!BASE64URL.test(h) || !BASE64URL.test(payload) || !BASE64URL.test(signature)) return undefined
  let header: unknown
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return undefined
  return { header: header as Record<string, unknown>, payload, signature, last }
}

/** The payload (text) when the signature verifies with `key`, else undefined. */
async function verifiedPayload(
  jws: string,
  parts: CompactParts,
  key: KeyObject
): Promise<string | undefined> {
  const alg = parts.header['alg'] as string
  if (Object.keys(parts.header).every(name => PLAIN_HEADER.has(name))) {
    const data = Buffer.from(jws.slice(0, parts.last), 'latin1')
    if (!verifySignature(key, alg, data, Buffer.from(parts.signature, 'base64url'))) return undefined
    return Buffer.from(parts.payload, 'base64url').toString('utf8')
  }
  try {
    const { payload } = await compactVerify(jws, key, { algorithms: [alg] })
    return Buffer.from(payload).toString('utf8')
  } catch {
    return undefined
  }
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
