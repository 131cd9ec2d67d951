import { readFile } from 'node:fs/promises'
import type { JWK } from 'jose'
import { licenseChecker, type Checked, type LicenseCheck, type SessionMemo } from '../reissue.js'
import { SessionDigests } from '../session-digests.js'
import { KeyFileError } from './key-file.js'
import type { KeyRing } from './key-ring.js'

export interface Jwks {
  keys: JWK[]
}

/**
 * The public keys of the issuers whose licenses the service takes (ADR 0168): a JWKS, from a file or an
 * environment variable. A key with a private part is refused: the service needs only public keys here.
 */
export function parseJwks(text: string, source: string): Jwks {
  let jwks: unknown
  try {
    jwks = JSON.parse(text)
  } catch {
    throw new KeyFileError(`${source} is not JSON; it must be a JWKS {"keys": [...]}.`)
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every(k => k !== null && typeof k === 'object')) {
    throw new KeyFileError(
      `${source} is not a JWKS: it must be {"keys": [<public JWK>, …]}, at least one key.`
    )
  }
  for (const [i, key] of (keys as JWK[]).entries()) {
    const name = typeof key.kid === 'string' ? `key ${key.kid}` : `key #${i}`
    if (typeof key.kid !== 'string')
      throw new KeyFileError(`${source}: ${name} has no kid; licenses name their key by kid.`)
    if (key.d !== undefined) {
      throw new KeyFileError(
        `${source}: ${name} holds a private key (d); give the issuer's public keys only.`
      )
    }
    const supported =
      (key.kty === 'OKP' && key.crv === 'Ed25519') || (key.kty === 'EC' && key.crv === 'P-256')
    if (!supported) throw new KeyFileError(`${source}: ${name} is not an Ed25519 (OKP) or P-256 (EC) key.`)
  }
  return { keys: keys as JWK[] }
}

export async function readJwks(file: string): Promise<Jwks> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new KeyFileError(
      `The trusted issuers file ${file} cannot be read (${error.code ?? error.message}).`
    )
  })
  return parseJwks(text, file)
}

/**
 * What the service trusts and publishes at a given time: the issuers' keys, plus its own published keys
 * (its copies come back to it in backups and renewals). The license check is rebuilt when that set
 * changes (a retired key's grace period ends), so nothing it remembered outlives the key.
 */
export class Trust {
  private built:
    { fingerprint: string; check: LicenseCheck; jwks: string; sessions: SessionDigests } | undefined

  constructor(
    private readonly ring: KeyRing,
    private readonly issuers: Jwks | undefined,
    private readonly now: () => number
  ) {}

  /** The JWKS the service publishes at /.well-known/jwks.json: every key a license it takes or hands
   * out verifies with. */
  jwks(): string {
    return this.current().jwks
  }

  check(jws: string, session?: SessionMemo): Promise<Checked> {
    return this.current().check(jws, session)
  }

  /** What sessions' previews verified, under the keys trusted now (forgotten with them). */
  sessions(): SessionDigests {
    return this.current().sessions
  }

  private current(): NonNullable<Trust['built']> {
    const own = this.ring.published(this.now())
    const fingerprint = own.map(k => k.kid).join('\u0000')
    if (this.built?.fingerprint === fingerprint) return this.built
    const mine = new Set(own.map(k => `${String(k.kid)}\u0000${String(k.x)}`))
    const keys = [
      ...own,
      ...(this.issuers?.keys ?? []).filter(k => !mine.has(`${String(k.kid)}\u0000${String(k.x)}`))
    ]
    this.built = {
      fingerprint,
      check: licenseChecker({ keys }),
      jwks: JSON.stringify({ keys }),
      sessions: new SessionDigests(this.now)
    }
    return this.built
  }
}
