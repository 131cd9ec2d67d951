import { createPrivateKey, type KeyObject } from 'node:crypto'
import { open, readFile, rename, stat } from 'node:fs/promises'
import type { JWK } from 'jose'
import { KeyRing, type RingKey } from './key-ring.js'

/** The ring as stored (ADR 0168): a 0600 file, or the same JSON in an environment variable. */
interface StoredRing {
  format: typeof FORMAT
  keys: Array<{ kid: string; jwk: JWK; created_at: string; retired_at?: string; expires_at?: string }>
}

const FORMAT = 'license-server-keys/v1'

/** A key file or variable that cannot be used: the message names it and says what to do. */
export class KeyFileError extends Error {}

/** Reads a ring from its file; a file others may read is refused, since it holds private keys. */
export async function readKeyRing(file: string): Promise<KeyRing> {
  const mode = await stat(file).then(
    s => s.mode,
    (error: NodeJS.ErrnoException) => {
      throw new KeyFileError(
        error.code === 'ENOENT'
          ? `The signing key file ${file} does not exist; create it with "license-server key generate --signing-keys ${file}".`
          : `The signing key file ${file} cannot be read (${error.code ?? error.message}).`
      )
    }
  )
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new KeyFileError(
      `The signing key file ${file} may be read by others (mode ${(mode & 0o777).toString(8)}); run "chmod 600 ${file}".`
    )
  }
  return parseKeyRing(await readFile(file, 'utf8'), file)
}

/**
 * A ring from its JSON: the ring format, or an older issuer file `{"iss", "kid", "jwk"}` (one current
 * key). `source` names the file or variable in errors; no key material is ever quoted.
 */
export function parseKeyRing(text: string, source: string): KeyRing {
  let saved: unknown
  try {
    saved = JSON.parse(text)
  } catch {
    throw new KeyFileError(
      `${source} is not JSON; it must be a key ring written by "license-server key generate".`
    )
  }
  const legacy = saved as { kid?: unknown; jwk?: unknown; keys?: unknown }
  try {
    if (typeof legacy.kid === 'string' && legacy.jwk !== undefined && legacy.keys === undefined) {
      return new KeyRing([
        { kid: legacy.kid, privateKey: privateKeyOf(legacy.jwk, legacy.kid), createdAt: 0 }
      ])
    }
    const ring = saved as StoredRing
    if (ring.format !== FORMAT || !Array.isArray(ring.keys)) {
      throw new Error(`it is not a key ring ({"format": "${FORMAT}", "keys": [...]})`)
    }
    return new KeyRing(ring.keys.map(ringKeyOf))
  } catch (error) {
    if (error instanceof KeyFileError) throw error
    throw new KeyFileError(`${source} cannot be used: ${(error as Error).message}.`)
  }
}

/** The ring's JSON, private keys included: only ever written to a 0600 file or shown once. */
export function serializeKeyRing(ring: KeyRing): string {
  const stored: StoredRing = {
    format: FORMAT,
    keys: ring.keys.map(k => ({
      kid: k.kid,
      jwk: k.privateKey.export({ format: 'jwk' }) as JWK,
      created_at: new Date(k.createdAt).toISOString(),
      ...(k.retiredAt === undefined ? {} : { retired_at: new Date(k.retiredAt).toISOString() }),
      ...(k.expiresAt === undefined ? {} : { expires_at: new Date(k.expiresAt).toISOString() })
    }))
  }
  return `${JSON.stringify(stored, null, 2)}\n`
}

/**
 * Writes the ring, mode 0600 from its first byte, through a temporary file renamed over the old one, so a
 * crash leaves the old ring or the new one, never half of either. `create` refuses an existing file.
 */
export async function writeKeyRing(file: string, ring: KeyRing, { create = false } = {}): Promise<void> {
  if (create && (await stat(file).catch(() => undefined))) {
    throw new KeyFileError(
      `The signing key file ${file} already exists; use "license-server key rotate" to change its key.`
    )
  }
  const temporary = `${file}.${process.pid}.tmp`
  const handle = await open(temporary, 'wx', 0o600)
  try {
    await handle.writeFile(serializeKeyRing(ring))
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, file)
}

/** An Ed25519 private key from a file: PEM (PKCS#8), a private JWK, or an older issuer file. */
export async function readPrivateKey(file: string): Promise<{ privateKey: KeyObject; kid?: string }> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new KeyFileError(`The key file ${file} cannot be read (${error.code ?? error.message}).`)
  })
  try {
    if (text.includes('-----BEGIN')) return { privateKey: ed25519(createPrivateKey(text)) }
    const saved = jsonOf(text) as { kid?: unknown; jwk?: unknown; d?: unknown }
    const jwk = saved.jwk ?? saved
    const kid = typeof saved.kid === 'string' ? saved.kid : undefined
    return { privateKey: privateKeyOf(jwk, kid ?? file), ...(kid === undefined ? {} : { kid }) }
  } catch (error) {
    throw new KeyFileError(
      `The key file ${file} is not an Ed25519 private key (PEM PKCS#8, a private JWK, or an issuer file): ${(error as Error).message}.`
    )
  }
}

/** Parsed JSON; its error names no part of the text, which holds a private key. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new Error('it is neither PEM nor JSON')
  }
}

function ringKeyOf(saved: StoredRing['keys'][number], index: number): RingKey {
  if (typeof saved?.kid !== 'string' || saved.kid === '') throw new Error(`key #${index} has no kid`)
  const time = (value: string | undefined, name: string): number | undefined => {
    if (value === undefined) return undefined
    const at = Date.parse(value)
    if (Number.isNaN(at)) throw new Error(`key ${saved.kid}: ${name} is not a date`)
    return at
  }
  return {
    kid: saved.kid,
    privateKey: privateKeyOf(saved.jwk, saved.kid),
    createdAt: time(saved.created_at, 'created_at') ?? 0,
    ...optional('retiredAt', time(saved.retired_at, 'retired_at')),
    ...optional('expiresAt', time(saved.expires_at, 'expires_at'))
  }
}

function optional<K extends string>(name: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, number>)
}

function privateKeyOf(jwk: unknown, kid: string): KeyObject {
  const key = jwk as JWK | undefined
  if (!key || key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.d !== 'string') {
    throw new Error(`key ${kid} is not an Ed25519 private JWK ({"kty": "OKP", "crv": "Ed25519", "x", "d"})`)
  }
  return createPrivateKey({ key: key as never, format: 'jwk' })
}

function ed25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`it is an ${key.asymmetricKeyType ?? 'unknown'} key`)
  return key
}
