import { createHash, createPublicKey, sign, verify } from 'node:crypto'
import { ED25519, WireError, WireReader, ed25519KeyOf, wireString, wireUint32 } from './wire.js'
import type { BackupSigningKey } from './signing-key.js'

/**
 * SSH signatures of files (OpenSSH PROTOCOL.sshsig), as `ssh-keygen -Y sign` writes them and
 * `ssh-keygen -Y verify` checks them: Ed25519 keys, hash sha512, armored text.
 */
export const NAMESPACE = 'license-backup'
const HASH = 'sha512'
const MAGIC = Buffer.from('SSHSIG', 'latin1')
const VERSION = 1
const BEGIN = '-----BEGIN SSH SIGNATURE-----'
const END = '-----END SSH SIGNATURE-----'
/** A signature file larger than this is not one (an Ed25519 SSHSIG is about 300 bytes of text). */
export const MAX_SIGNATURE_BYTES = 16 * 1024

export interface SshSignature {
  /** The signer's public key blob. */
  publicBlob: Buffer
  namespace: string
  hash: string
  /** The raw 64-byte Ed25519 signature. */
  signature: Buffer
}

/** What is signed: the magic, namespace, reserved, hash name and the message's hash (PROTOCOL.sshsig). */
function signedData(namespace: string, hash: string, message: Uint8Array): Buffer {
  const digest = createHash(hash).update(message).digest()
  return Buffer.concat([MAGIC, wireString(namespace), wireString(''), wireString(hash), wireString(digest)])
}

/** The armored signature of `message` by `key` in the `license-backup` namespace, ending in a newline. */
export function signMessage(message: Uint8Array, key: BackupSigningKey): string {
  const raw = sign(null, signedData(NAMESPACE, HASH, message), key.privateKey)
  const blob = Buffer.concat([
    MAGIC,
    wireUint32(VERSION),
    wireString(key.publicBlob),
    wireString(NAMESPACE),
    wireString(''),
    wireString(HASH),
    wireString(Buffer.concat([wireString(ED25519), wireString(raw)]))
  ])
  const lines = blob.toString('base64').match(/.{1,70}/g) ?? []
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`
}

/** Reads an armored SSHSIG; throws a `WireError` saying what is wrong with it. */
export function parseSignature(text: string): SshSignature {
  const trimmed = text.replace(/\r/g, '').trim()
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END))
    throw new WireError('it is not an armored SSH signature')
  const body = trimmed.slice(BEGIN.length, -END.length).replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new WireError('it is not valid base64')
  const bytes = Buffer.from(body, 'base64')
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new WireError('it lacks the SSHSIG magic')
  const reader = new WireReader(bytes.subarray(MAGIC.length))
  const version = reader.uint32()
  if (version !== VERSION) throw new WireError(`it is version ${version}, not ${VERSION}`)
  const publicBlob = reader.string()
  const namespace = reader.text()
  reader.string() // reserved
  const hash = reader.text()
  const wrapped = new WireReader(reader.string())
  if (!reader.done) throw new WireError('it has data after its signature')
  const type = wrapped.text()
  if (type !== ED25519) throw new WireError(`it is a ${type} signature, not ${ED25519}`)
  const signature = wrapped.string()
  if (signature.length !== 64 || !wrapped.done) throw new WireError('its Ed25519 signature is not 64 bytes')
  ed25519KeyOf(publicBlob)
  return { publicBlob, namespace, hash, signature }
}

/** Why `signature` does not sign `message` in the `license-backup` namespace, or undefined when it does. */
export function signatureProblem(signature: SshSignature, message: Uint8Array): string | undefined {
  if (signature.namespace !== NAMESPACE)
    return `it is made for the namespace ${JSON.stringify(signature.namespace)}, not ${NAMESPACE}`
  if (signature.hash !== 'sha512' && signature.hash !== 'sha256')
    return `it uses the hash ${JSON.stringify(signature.hash)}, which SSHSIG does not define`
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: ed25519KeyOf(signature.publicBlob).toString('base64url') },
    format: 'jwk'
  })
  const data = signedData(signature.namespace, signature.hash, message)
  return verify(null, data, key, signature.signature)
    ? undefined
    : 'it does not match the manifest (the manifest was changed after signing, or the signature was)'
}

/** `SHA256:…` as `ssh-keygen -l` prints it, to name a key in messages. */
export function fingerprint(publicBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '')}`
}
