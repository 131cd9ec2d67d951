import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { problem, ProblemError } from './http/problem.js'

/** How far a proof's `iat` may be from the service's clock, either way (protocol v1.1). */
export const PROOF_MAX_AGE_S = 300

/** What a checked proof leaves for the store: its nonce, remembered until the proof could no longer pass. */
export interface CheckedProof {
  nonce: string
  /** When the proof stops passing the `iat` check, ms since the epoch: the nonce is kept until then. */
  expiresAt: number
}

export const PROOF_SHAPE =
  'a compact JWS signed by the machine\'s private key, header {"alg": "EdDSA", "jwk": <machine.jwk>}, ' +
  'payload {"aud": <this service\'s URL>, "iat": <now, seconds>, "nonce": <16-128 random characters>}'

/**
 * Checks the proof of possession of `POST /v1/sessions` (protocol v1.1): signed by the private key of
 * `machineJwk`, that key in its header, for this service (`aud`), fresh (`iat`) and with a nonce. Whether
 * the nonce was seen before is the store's to decide, in the session's transaction. Every failure is a
 * 401 that says which part is wrong.
 */
export async function checkProof(
  proof: unknown,
  machineJwk: { x: string },
  audiences: readonly string[],
  now: number
): Promise<CheckedProof> {
  if (proof === undefined) {
    throw unauthorized('proof-required', `POST /v1/sessions needs "proof" (protocol v1.1): ${PROOF_SHAPE}.`)
  }
  if (typeof proof !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)) {
    throw invalid(`"proof" is not a compact JWS: it must be ${PROOF_SHAPE}.`)
  }
  const header = protectedHeader(proof)
  const jwk = header.jwk as JWK | undefined
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || jwk.x !== machineJwk.x) {
    throw invalid("the proof's header jwk is not machine.jwk: sign the proof with this machine's key.")
  }
  if (header.alg !== 'EdDSA' && header.alg !== 'Ed25519') {
    throw invalid(`the proof's alg is ${String(header.alg)}; it must be EdDSA (Ed25519).`)
  }
  const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: machineJwk.x }, 'EdDSA')
  let payload: Uint8Array
  try {
    ;({ payload } = await compactVerify(proof, key, { algorithms: ['EdDSA', 'Ed25519'] }))
  } catch {
    throw invalid(
      "the proof's signature does not verify with machine.jwk: it was not made with this machine's key."
    )
  }
  return checkClaims(claimsOf(payload), audiences, now)
}

function checkClaims(
  claims: Record<string, unknown>,
  audiences: readonly string[],
  now: number
): CheckedProof {
  const { aud, iat, nonce } = claims
  if (typeof aud !== 'string' || !audiences.includes(aud.replace(/\/+$/, ''))) {
    throw invalid(
      `the proof's aud is ${JSON.stringify(aud)}; it must be this service's URL (${audiences[0] ?? 'unknown'}).`
    )
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid("the proof's iat is missing.")
  // Not rounded (ADR 0167): a proof passes exactly while its nonce is remembered, never a moment longer.
  const skew = now / 1000 - iat
  if (Math.abs(skew) > PROOF_MAX_AGE_S) {
    const seconds = Math.floor(Math.abs(skew))
    const said = seconds > PROOF_MAX_AGE_S ? `${seconds} s` : `more than ${PROOF_MAX_AGE_S} s`
    throw invalid(
      `the proof's iat is ${said} ${skew > 0 ? 'old' : 'in the future'}; it must be within ${PROOF_MAX_AGE_S} s of the service's clock. Sign a new proof (and check the machine's clock).`
    )
  }
  if (typeof nonce !== 'string' || !/^[\x21-\x7e]{16,128}$/.test(nonce)) {
    throw invalid("the proof's nonce is missing or not 16 to 128 printable characters.")
  }
  // Kept past the last moment the proof passes: max(iat, now) + window, and never the instant it is taken.
  return { nonce, expiresAt: Math.ceil((Math.max(iat, now / 1000) + PROOF_MAX_AGE_S) * 1000) + 1 }
}

function protectedHeader(proof: string): Record<string, unknown> {
  try {
    return decodeProtectedHeader(proof) as Record<string, unknown>
  } catch {
    throw invalid(`the proof's header is not JSON: it must be ${PROOF_SHAPE}.`)
  }
}

function claimsOf(payload: Uint8Array): Record<string, unknown> {
  try {
    const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown
    if (claims !== null && typeof claims === 'object' && !Array.isArray(claims))
      return claims as Record<string, unknown>
  } catch {
    // Reported below.
  }
  throw invalid("the proof's payload is not a JSON object {aud, iat, nonce}.")
}

export function replayedProof(): ProblemError {
  return invalid("the proof's nonce was already used: sign a new proof, with a new nonce, for each session.")
}

function invalid(detail: string): ProblemError {
  return unauthorized('proof-invalid', `The proof of possession was refused: ${detail}`)
}

function unauthorized(slug: string, detail: string): ProblemError {
  return new ProblemError(problem(401, slug, 'Proof of possession required', detail))
}
