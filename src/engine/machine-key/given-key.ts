import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import type { JWK } from 'jose'
import { LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { machineIdOf } from './stored-key.js'
import { readOpenSshEd25519 } from '../format/ssh/signing-key.js'
import type { MachineKey } from '../service/index.js'
import { message } from '../message.js'

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

/** An OpenSSH Ed25519 private key, read by the same reader as backup signing keys. */
function fromOpenSsh(text: string): KeyObject {
  if (!text.startsWith('-----BEGIN ')) {
    throw invalid('it is neither an Ed25519 private JWK ({"kty": "OKP", …}) nor an OpenSSH private key')
  }
  return readOpenSshEd25519(text, problem => invalid(`the OpenSSH key ${problem}`)).privateKey
}

function invalid(why: string): LicenseBackupError {
  return new LicenseBackupError(
    'CONFIG_INVALID',
    message`The machine key in ${option('machineKey')} cannot be used: ${why}. Give an Ed25519 private key as a JWK or as an OpenSSH private key (ssh-keygen -t ed25519).`
  )
}
