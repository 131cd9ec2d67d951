import { existsSync } from 'node:fs'
import { KeyFileError, readKeyRing, readPrivateKey, writeKeyRing } from './key-file.js'
import { KeyRing, newKeyRing, newKid, newPrivateKey } from './key-ring.js'

/** The default grace period of a retired key: longer than the default lease (30 days) and a release cycle. */
export const DEFAULT_GRACE = '90d'

export interface KeyCommand {
  /** The ring file (`--signing-keys`). */
  file: string
  kid?: string
  grace: string
  /** `key import`'s private key file. */
  source?: string
  now: number
}

/**
 * `license-server key generate | import | rotate | list` (ADR 0168): one JSON document out, never a
 * private key. `generate` creates the ring; `import` creates it from a key the vendor has, or makes that key
 * current; `rotate` makes a new key current; both retire the old current key for `grace`.
 */
export async function keyCommand(sub: string | undefined, c: KeyCommand): Promise<unknown> {
  switch (sub) {
    case 'generate': {
      const ring = newKeyRing(c.now, c.kid)
      await writeKeyRing(c.file, ring, { create: true })
      return summary(c.file, ring, c.now)
    }
    case 'import': {
      if (!c.source)
        throw new KeyFileError(
          'key import: give the private key file (PEM PKCS#8, a private JWK or an issuer file).'
        )
      const { privateKey, kid } = await readPrivateKey(c.source)
      const chosen = c.kid ?? kid ?? newKid(c.now)
      const existing = existsSync(c.file) ? await readKeyRing(c.file) : undefined
      const ring = existing
        ? existing.rotatedTo({ kid: chosen, privateKey }, c.now, durationMs(c.grace))
        : new KeyRing([{ kid: chosen, privateKey, createdAt: c.now }])
      await writeKeyRing(c.file, ring, { create: !existing })
      return summary(c.file, ring, c.now)
    }
    case 'rotate': {
      const ring = (await readKeyRing(c.file)).rotatedTo(
        { kid: c.kid ?? newKid(c.now), privateKey: newPrivateKey() },
        c.now,
        durationMs(c.grace)
      )
      await writeKeyRing(c.file, ring)
      return summary(c.file, ring, c.now)
    }
    case 'list':
      return summary(c.file, await readKeyRing(c.file), c.now)
    default:
      throw new KeyFileError(`Unknown command "key ${sub ?? ''}": use key generate, import, rotate or list.`)
  }
}

function summary(file: string, ring: KeyRing, now: number): unknown {
  return { file, ...describeRing(ring, now) }
}

/** The ring as `key` commands and `GET /v1/admin/keys` show it: public halves and states only. */
export function describeRing(ring: KeyRing, now: number): Record<string, unknown> {
  return {
    current: ring.current().kid,
    keys: ring.keys.map(k => ({
      kid: k.kid,
      state: ring.stateOf(k, now),
      created_at: new Date(k.createdAt).toISOString(),
      ...(k.retiredAt === undefined ? {} : { retired_at: new Date(k.retiredAt).toISOString() }),
      ...(k.expiresAt === undefined ? {} : { expires_at: new Date(k.expiresAt).toISOString() }),
      public_jwk: ring.publicJwkOf(k)
    }))
  }
}

/** `90d`, `12h`, `30m`, `45s` → ms. */
export function durationMs(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text)
  if (!match) throw new KeyFileError(`--grace ${text} is not a duration such as 90d, 12h, 30m or 45s.`)
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd']
  return Number(match[1]) * unit
}
