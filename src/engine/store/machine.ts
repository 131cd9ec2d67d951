import { calculateJwkThumbprint, type JWK } from 'jose'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { STATE_DIR } from './walk.js'

export const MACHINE_FILE = 'machine.json'

/**
 * This machine's ID (RFC 7638 thumbprint of its Ed25519 key in `.license-backup/machine.json`), or null
 * when the store has no identity yet or the file cannot be used (the backup records it; it does not need it).
 */
export async function readMachineId(store: string): Promise<string | null> {
  let jwk: JWK
  try {
    jwk = JSON.parse(await readFile(join(store, STATE_DIR, MACHINE_FILE), 'utf8')) as JWK
  } catch {
    return null
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') return null
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256')
}
