import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import { LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { machineIdOf } from '../identity/index.js'
import type { MachineKey } from '../service/index.js'

/**
 * A machine key given from a secret (`machine-key-env`, protocol v1.1): an Ed25519 private JWK or an
 * unencrypted OpenSSH Ed25519 private key. Kept in memory only, never written anywhere. Errors never quote
 * the key.
 */
export async function parseMachineKey(text: string): Promise<MachineKey> {
  const trimmed = text.trim()
  const privateKey = trimmed.startsWith('{') ? fromJwk(trimmed) : fromOpenSsh(trimmed)
  const x = (createPublicKey(privateKey).export({ format: 'jwk' }) as JWK).x as string
  const publicJwk = { kty: 'OKP', crv: 'Ed25519', x }
  return { id: await machineIdOf(publicJwk), publicJwk, privateKey }
}

function fromJwk(text: string): KeyObject {
  let jwk: JWK
  try {
    jwk = JSON.parse(text) as JWK
  } catch {
    throw invalid('it starts like a JWK but is not JSON')
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw invalid('the JWK is not an Ed25519 (OKP) key')
  if (typeof jwk.d !== 'string') throw invalid('the JWK has no private part (d)')
  try {
    const key = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: jwk.d, x: jwk.x ?? '' },
      format: 'jwk'
    })
    if (jwk.x !== undefined && (createPublicKey(key).export({ format: 'jwk' }) as JWK).x !== jwk.x) {
      throw invalid('its public part (x) does not match its private part (d)')
    }
    return key
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error
    throw invalid('the JWK does not load as an Ed25519 private key')
  }
}

const OPENSSH = /^-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]+?)-----END OPENSSH PRIVATE KEY-----$/
const MAGIC = 'openssh-key-v1\0'

/** The `openssh-key-v1` format (OpenSSH's PROTOCOL.key): one unencrypted ssh-ed25519 key. */
function fromOpenSsh(text: string): KeyObject {
  const body = OPENSSH.exec(text)?.[1]
  if (body === undefined) {
    throw invalid('it is neither an Ed25519 private JWK ({"kty": "OKP", …}) nor an OpenSSH private key')
  }
  const data = Buffer.from(body.replace(/\s+/g, ''), 'base64')
  if (data.subarray(0, MAGIC.length).toString('latin1') !== MAGIC)
    throw invalid('it is not an openssh-key-v1 key')
  const reader = new SshReader(data, MAGIC.length)
  const cipher = reader.string().toString()
  reader.string() // kdf name
  reader.string() // kdf options
  if (cipher !== 'none') {
    throw invalid('the OpenSSH key is encrypted with a passphrase; give it without one (ssh-keygen -p -N "")')
  }
  if (reader.uint32() !== 1) throw invalid('the OpenSSH file must hold exactly one key')
  reader.string() // public key blob
  const secret = new SshReader(reader.string(), 0)
  if (secret.uint32() !== secret.uint32()) throw invalid('the OpenSSH key is damaged (check bytes differ)')
  const type = secret.string().toString()
  if (type !== 'ssh-ed25519') throw invalid(`the OpenSSH key is ${type}, not ssh-ed25519`)
  const pub = secret.string()
  const priv = secret.string()
  if (pub.length !== 32 || priv.length !== 64) throw invalid('the OpenSSH ed25519 key has the wrong length')
  return createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: priv.subarray(0, 32).toString('base64url'),
      x: pub.toString('base64url')
    },
    format: 'jwk'
  })
}

/** Reads the SSH wire encoding (RFC 4251): uint32 and length-prefixed strings, bounds checked. */
class SshReader {
  constructor(
    private readonly data: Buffer,
    private at: number
  ) {}

  uint32(): number {
    if (this.at + 4 > this.data.length) throw invalid('the OpenSSH key is truncated')
    const value = this.data.readUInt32BE(this.at)
    this.at += 4
    return value
  }

  string(): Buffer {
    const length = this.uint32()
    if (this.at + length > this.data.length) throw invalid('the OpenSSH key is truncated')
    const value = this.data.subarray(this.at, this.at + length)
    this.at += length
    return value
  }
}

function invalid(why: string): LicenseBackupError {
  return new LicenseBackupError(
    'CONFIG_INVALID',
    `The machine key in ${option('machineKey')} cannot be used: ${why}. Give an Ed25519 private key as a JWK or as an OpenSSH private key (ssh-keygen -t ed25519).`
  )
}
