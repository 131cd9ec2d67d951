import { calculateJwkThumbprint, type JWK } from 'jose'
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject
} from 'node:crypto'
import { join } from 'node:path'
import { asEngineError, LicenseBackupError } from '../errors.js'
import { capitalized, turnOn } from '../options.js'
import { crashPoint } from '../io/crash-points.js'
import { fsyncDir } from '../io/durable.js'
import { fileIO, writeAll } from '../io/file-io.js'
import { restrictToOwner } from '../io/platform.js'
import { processAlive } from '../store/lock.js'
import { STATE_DIR } from '../store/names.js'
import type { MachineKey } from '../service/index.js'
import { message } from '../message.js'

/** The file in the store's own folder that holds this machine's key (ADR 0022). */
export const MACHINE_KEY_FILE = 'machine.json'

/**
 * The machine key a store keeps: an Ed25519 key pair; its machine ID is the RFC 7638 thumbprint of the
 * public JWK, the `cnf.jkt` of licenses bound here.
 */
export interface StoredMachineKey extends MachineKey {
  /** `{kty: 'OKP', crv: 'Ed25519', x}`: what the service is sent. */
  publicJwk: JWK
  /** The file it is kept in. */
  file: string
}

export function machineKeyFile(storeDir: string): string {
  return join(storeDir, STATE_DIR, MACHINE_KEY_FILE)
}

/** The RFC 7638 SHA-256 thumbprint of an Ed25519 public JWK (only its required members count). */
export async function machineIdOf(publicJwk: JWK): Promise<string> {
  return calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: publicJwk.x } as JWK, 'sha256')
}

/** The store's machine key, or undefined when it has none. A damaged file is an error, never replaced. */
export async function loadStoredMachineKey(storeDir: string): Promise<StoredMachineKey | undefined> {
  const file = machineKeyFile(storeDir)
  let text: string
  try {
    text = await fileIO().readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new LicenseBackupError(
      'IO_ERROR',
      message`Cannot read the machine key ${file}: ${(error as Error).message}`,
      {
        file,
        cause: error
      }
    )
  }
  return parseStoredKey(text, file)
}

/**
 * Creates the store's machine key. Never replaces one: if another run created it first, that one is
 * returned. The key is written to a temporary file (mode 0600, or an owner-only ACL on Windows; fsync) and
 * linked into place, so the file is either absent or complete.
 */
export async function createStoredMachineKey(storeDir: string): Promise<StoredMachineKey> {
  const io = fileIO()
  const file = machineKeyFile(storeDir)
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' }) as JWK
  const text = JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, null, 2) + '\n'
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  try {
    await io.mkdir(join(storeDir, STATE_DIR), { recursive: true, mode: 0o700 })
    const handle = await io.open(temp, 'wx', 0o600)
    try {
      // Private before the key is in it: the mode does it on POSIX, the ACL on Windows.
      await restrictToOwner(temp)
      await writeAll(handle, Buffer.from(text))
      await handle.sync()
    } finally {
      await handle.close()
    }
    crashPoint('machine-key:temp-written')
    try {
      await io.link(temp, file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    crashPoint('machine-key:linked')
    await fsyncDir(join(storeDir, STATE_DIR))
  } catch (error) {
    throw ioError(file, error)
  } finally {
    await io.unlink(temp).catch(() => undefined)
  }
  const key = await loadStoredMachineKey(storeDir)
  if (!key)
    throw ioError(
      file,
      Object.assign(new Error('the file vanished after it was written'), { code: 'ENOENT' })
    )
  return key
}

/**
 * The machine key a restore needs when none is given: the store's, else a new one only with the user's
 * consent (`individualize: true`, WM_RESTORE_INDIVIDUALIZE). Without consent and without a key it fails
 * with INDIVIDUALIZATION_REQUIRED before any network call.
 */
export async function ensureStoredMachineKey(
  storeDir: string,
  individualize: boolean
): Promise<StoredMachineKey> {
  await removeStaleTemps(storeDir)
  const existing = await loadStoredMachineKey(storeDir)
  if (existing) return existing
  if (individualize !== true) {
    throw new LicenseBackupError(
      'INDIVIDUALIZATION_REQUIRED',
      message`The store ${storeDir} has no machine key, and restored licenses must be bound to one. ${capitalized(turnOn('individualize'))} to let it create one (${machineKeyFile(storeDir)}).`,
      { file: machineKeyFile(storeDir) }
    )
  }
  return createStoredMachineKey(storeDir)
}

/**
 * Removes the temp files (private keys) of machine key creations that were killed before they could remove
 * them: a temp names its process, and one whose process is gone is left over.
 */
async function removeStaleTemps(storeDir: string): Promise<void> {
  const io = fileIO()
  const dir = join(storeDir, STATE_DIR)
  let names: string[]
  try {
    names = await io.readdir(dir)
  } catch {
    return
  }
  for (const name of names) {
    const pid = /^machine\.json\.tmp-(\d+)-/.exec(name)?.[1]
    if (pid === undefined || Number(pid) === process.pid || processAlive(Number(pid))) continue
    await io.unlink(join(dir, name)).catch(() => undefined)
  }
}

async function parseStoredKey(text: string, file: string): Promise<StoredMachineKey> {
  let jwk: JWK
  try {
    jwk = JSON.parse(text) as JWK
  } catch {
    throw invalid(file, 'it is not JSON')
  }
  if (jwk === null || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    throw invalid(file, 'it is not an Ed25519 (OKP) JWK')
  }
  if (typeof jwk.x !== 'string' || typeof jwk.d !== 'string') throw invalid(file, 'it lacks the key (x, d)')
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }, format: 'jwk' })
  } catch {
    throw invalid(file, 'its key does not load')
  }
  const derived = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK
  if (derived.x !== jwk.x) throw invalid(file, 'its public key (x) does not match its private key (d)')
  const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: derived.x }
  return { id: await machineIdOf(publicJwk), publicJwk, privateKey, file }
}

function invalid(file: string, why: string): LicenseBackupError {
  return new LicenseBackupError(
    'STORE_INVALID',
    message`The machine key ${file} is damaged: ${why}. Restore it from where it was kept; removing it makes this a new machine, which uses one more of each license's restore slots.`,
    { file }
  )
}

function ioError(file: string, error: unknown): LicenseBackupError {
  return asEngineError(
    error,
    code =>
      new LicenseBackupError(
        'IO_ERROR',
        message`Cannot write the machine key ${file} (${code}); check the store's disk space and permissions and run again. Nothing was restored.`,
        { file, cause: error }
      )
  )
}

/**
 * The store's machine ID, or null when it has none or its machine key file cannot be used: the backup
 * records it in its manifest and does not need it.
 */
export async function readMachineId(storeDir: string): Promise<string | null> {
  const key = await loadStoredMachineKey(storeDir).catch(() => undefined)
  return key?.id ?? null
}
