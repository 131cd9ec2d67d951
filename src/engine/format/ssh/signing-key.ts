import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { LicenseBackupError } from '../../errors.js'
import { ED25519, WireError, WireReader, ed25519Blob } from './wire.js'
import { message } from '../../message.js'

/**
 * The OpenSSH Ed25519 key that signs a backup's manifest (`sign`), read from its private key file's text; not
 * the license service's signing key, which signs licenses.
 */
export interface BackupSigningKey {
  privateKey: KeyObject
  /** The public key blob (`ssh-ed25519` + 32 bytes), as a signature carries it. */
  publicBlob: Buffer
  /** `ssh-ed25519 AAAA…`: the line an allowed_signers file holds for this key. */
  publicKeyLine: string
}

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----'
const END = '-----END OPENSSH PRIVATE KEY-----'
const MAGIC = Buffer.from('openssh-key-v1\u0000', 'latin1')

/**
 * Reads an unencrypted OpenSSH Ed25519 private key (`ssh-keygen -t ed25519 -N ''`), the PROTOCOL.key
 * format. `source` names where the key came from (for instance "the variable SIGNING_KEY"); an error
 * names it and never shows any of the key. A key with a passphrase, an RSA or ECDSA key, or anything
 * malformed is CONFIG_INVALID.
 */
export function parseSigningKey(text: string, source: string): BackupSigningKey {
  return readOpenSshEd25519(
    text,
    problem =>
      new LicenseBackupError(
        'CONFIG_INVALID',
        message`The signing key in ${source} ${problem}. Give an unencrypted OpenSSH Ed25519 private key, as \`ssh-keygen -t ed25519 -N ''\` writes it.`
      )
  )
}

/**
 * The one reader of OpenSSH Ed25519 private keys, for signing keys and machine keys alike. `invalid` words
 * the error for its caller from a problem such as "is protected by a passphrase".
 */
export function readOpenSshEd25519(
  text: string,
  invalid: (problem: string) => LicenseBackupError
): BackupSigningKey {
  const trimmed = text.replace(/\r/g, '').trim()
  const pem = /^-----BEGIN (RSA|DSA|EC) PRIVATE KEY-----/.exec(trimmed)
  if (pem) throw invalid(`is a PEM ${pem[1]} key, not Ed25519`)
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END))
    throw invalid('is not an OpenSSH private key (it must start with ' + BEGIN + ')')
  const body = trimmed.slice(BEGIN.length, -END.length).replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw invalid('is not valid base64 between its armor lines')
  const bytes = Buffer.from(body, 'base64')
  try {
    return readKey(bytes, invalid)
  } catch (error) {
    if (error instanceof WireError) throw invalid(`is malformed (${error.message})`)
    throw error
  }
}

function readKey(bytes: Buffer, invalid: (problem: string) => LicenseBackupError): BackupSigningKey {
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid('is not in the openssh-key-v1 format')
  const reader = new WireReader(bytes.subarray(MAGIC.length))
  const cipher = reader.text()
  const kdf = reader.text()
  reader.string() // kdf options
  if (cipher !== 'none' || kdf !== 'none')
    throw invalid('is protected by a passphrase; a job cannot type one: use a key without a passphrase')
  if (reader.uint32() !== 1) throw invalid('holds more than one key')
  const publicBlob = reader.string()
  const publicType = new WireReader(publicBlob).text()
  if (publicType !== ED25519) throw invalid(`is a ${publicType} key, not Ed25519`)
  const section = new WireReader(reader.string())
  if (!reader.done) throw invalid('has data after its key')
  if (section.uint32() !== section.uint32()) throw invalid('is damaged (its check numbers differ)')
  if (section.text() !== ED25519) throw invalid('is damaged (its private part is not Ed25519)')
  const publicKey = section.string()
  const secret = section.string()
  section.string() // comment
  const padding = section.rest()
  if (publicKey.length !== 32 || secret.length !== 64 || !secret.subarray(32).equals(publicKey))
    throw invalid('is damaged (its Ed25519 key is not 32 + 32 bytes)')
  if (!padding.every((byte, i) => byte === i + 1) || padding.length >= 8)
    throw invalid('is damaged (its padding is wrong)')
  if (!ed25519Blob(publicKey).equals(publicBlob)) throw invalid('is damaged (its two public keys differ)')
  const privateKey = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: secret.subarray(0, 32).toString('base64url'),
      x: publicKey.toString('base64url')
    },
    format: 'jwk'
  })
  // The seed must give the public key the file states, or signatures would name the wrong key.
  const derived = createPublicKey(privateKey).export({ format: 'jwk' }).x
  if (derived !== publicKey.toString('base64url'))
    throw invalid('is damaged (its private key does not match its public key)')
  return { privateKey, publicBlob, publicKeyLine: `${ED25519} ${publicBlob.toString('base64')}` }
}
