// The bench's own clients open sessions straight over HTTP (no engine around them), so they make the
// protocol v1.1 proof of possession here, as the engine's client does (src/engine/service/proof.ts): a
// host reaches the engine only through its public API (ADR 0142), which has no use for this.
import { randomBytes, createPublicKey, type KeyObject } from 'node:crypto'
import { CompactSign, calculateJwkThumbprint } from 'jose'

/** The `machine` and `proof` of a `POST /v1/sessions` body for the machine whose key is `privateKey`. */
export async function sessionOpening(
  privateKey: KeyObject,
  url: string
): Promise<{ machine: { id: string; jwk: Record<string, string> }; proof: string }> {
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string }
  const jwk = { kty: 'OKP', crv: 'Ed25519', x }
  const claims = {
    aud: url,
    iat: Math.floor(Date.now() / 1000),
    nonce: randomBytes(24).toString('base64url')
  }
  const proof = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: 'session-proof+jwt', jwk })
    .sign(privateKey)
  return { machine: { id: await calculateJwkThumbprint(jwk, 'sha256'), jwk }, proof }
}
