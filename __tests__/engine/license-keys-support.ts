// Keys, licenses and the three verifying paths for the license key choice tests (ADR 0181).
import type { JWK } from 'jose'
import { generateKeyPairSync, sign } from 'node:crypto'
import { keySetVerifier } from '../../src/engine/licenses/verifier.js'
import { parseLicense } from '../../src/engine/licenses/license.js'
import { VerifyPool } from '../../src/engine/verify-pool/pool.js'
import { licenseChecker } from '../../packages/license-server/src/reissue.js'

/** Three Ed25519 key pairs, then two EC P-256 ones. */
export const pairs = [
  ...Array.from({ length: 3 }, () => generateKeyPairSync('ed25519')),
  ...Array.from({ length: 2 }, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }))
]
export const publicJwks = pairs.map(pair => pair.publicKey.export({ format: 'jwk' }) as JWK)

export interface Shape {
  signer: number
  alg: string
  kid: string
  tampered: boolean
}

/** A license signed by `signer` with its own algorithm, whatever the header says. */
export function licenseText(shape: Shape, n: number): string {
  const header = Buffer.from(JSON.stringify({ alg: shape.alg, kid: shape.kid, typ: 'JWT' })).toString(
    'base64url'
  )
  const claims = {
    jti: `lic-${n}`,
    key_id: 'k1',
    iss: 'https://issuer.example',
    iat: 1_700_000_000,
    rights: { backup: true }
  }
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  const input = Buffer.from(`${header}.${payload}`)
  const privateKey = pairs[shape.signer]!.privateKey
  const signature =
    privateKey.asymmetricKeyType === 'ed25519'
      ? sign(null, input, privateKey)
      : sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })
  if (shape.tampered) signature[5] = signature[5]! ^ 0x01
  return `${header}.${payload}.${signature.toString('base64url')}`
}

/** A pool whose next checks run on its worker thread: its first 256 (on this thread) go to no key. */
export async function threadedPool(keys: JWK[]): Promise<VerifyPool> {
  const pool = new VerifyPool(keys, 1)
  const warmUp = { kid: '\u0000none', alg: 'Ed25519', signingInput: 'x', signature: 'x' }
  await Promise.all(Array.from({ length: 256 }, () => pool.verify(warmUp)))
  return pool
}

/** Each path's verdict on `jws`: the engine's verifier, on this thread and pooled, the pool's thread, the service. */
export async function verdicts(
  keys: JWK[],
  jws: string
): Promise<{ engine: boolean; threads: boolean; pooledEngine: boolean; service: boolean; message?: string }> {
  const [h, p, s] = jws.split('.') as [string, string, string]
  const license = parseLicense(jws, 'license.jwt')
  let message: string | undefined
  const engine = await keySetVerifier({ keys }, 'the JWKS')
    .verify(license)
    .then(
      () => true,
      (error: Error & { code?: string }) => {
        if (error.code !== 'INVALID_LICENSE') throw error
        message = error.message
        return false
      }
    )
  const pool = await threadedPool(keys)
  try {
    const { alg, kid } = license.header
    const threads = await pool.verify({ kid, alg, signingInput: `${h}.${p}`, signature: s })
    const pooledEngine = await keySetVerifier({ keys }, 'the JWKS', pool)
      .verify(license)
      .then(
        () => true,
        () => false
      )
    const service = (await licenseChecker({ keys })(jws)).ok
    return { engine, threads, pooledEngine, service, ...(message ? { message } : {}) }
  } finally {
    await pool.close()
  }
}
