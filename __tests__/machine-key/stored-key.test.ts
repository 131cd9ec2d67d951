import { describe, expect, it } from '@jest/globals'
import { calculateJwkThumbprint } from 'jose'
import { createPublicKey, sign, verify } from 'node:crypto'
import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createStoredMachineKey,
  ensureStoredMachineKey,
  loadStoredMachineKey,
  machineKeyFile
} from '../../src/engine/machine-key/index.js'
import { LicenseBackupError } from '../../src/engine/errors.js'

async function emptyStore(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lb-machine-key-'))
}

describe('machine key', () => {
  it('is not created without individualize: INDIVIDUALIZATION_REQUIRED names the setting', async () => {
    const store = await emptyStore()
    const error = await ensureStoredMachineKey(store, false).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LicenseBackupError)
    expect((error as LicenseBackupError).code).toBe('INDIVIDUALIZATION_REQUIRED')
    expect((error as LicenseBackupError).message).toContain('Turn on the `individualize` option')
    expect((error as LicenseBackupError).message).toContain(store)
    expect(await readdir(store)).toEqual([])
  })

  it('is created with individualize, its ID the RFC 7638 thumbprint of its public key', async () => {
    const store = await emptyStore()
    const machineKey = await ensureStoredMachineKey(store, true)
    expect(machineKey.file).toBe(machineKeyFile(store))
    expect(machineKey.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) })
    expect(machineKey.id).toBe(await calculateJwkThumbprint(machineKey.publicJwk, 'sha256'))
    expect(machineKey.id).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The private key in the file belongs to the public key that names the machine.
    const publicKey = createPublicKey({ key: machineKey.publicJwk as never, format: 'jwk' })
    expect(
      verify(null, Buffer.from('x'), publicKey, sign(null, Buffer.from('x'), machineKey.privateKey))
    ).toBe(true)
    const saved = JSON.parse(await readFile(machineKey.file, 'utf8')) as Record<string, string>
    expect(saved['d']).toEqual(expect.any(String))
    // No temporary file is left beside it.
    expect(await readdir(join(store, '.license-backup'))).toEqual(['machine.json'])
  })

  it('is kept: later runs load the same machine key, with or without individualize', async () => {
    const store = await emptyStore()
    const first = await ensureStoredMachineKey(store, true)
    expect((await ensureStoredMachineKey(store, false)).id).toBe(first.id)
    expect((await ensureStoredMachineKey(store, true)).id).toBe(first.id)
    expect((await loadStoredMachineKey(store))?.id).toBe(first.id)
  })

  it('is never replaced by a second create', async () => {
    const store = await emptyStore()
    const [a, b] = await Promise.all([createStoredMachineKey(store), createStoredMachineKey(store)])
    expect(a.id).toBe(b.id)
    expect((await createStoredMachineKey(store)).id).toBe(a.id)
  })

  it('loads as undefined when absent', async () => {
    expect(await loadStoredMachineKey(await emptyStore())).toBeUndefined()
  })

  it('reports a damaged file as STORE_INVALID naming it, and does not replace it', async () => {
    const store = await emptyStore()
    await mkdir(join(store, '.license-backup'))
    await writeFile(machineKeyFile(store), '{"kty":"OKP","crv":"Ed25519","x":"abc"}')
    const error = (await ensureStoredMachineKey(store, true).catch((e: unknown) => e)) as LicenseBackupError
    expect(error.code).toBe('STORE_INVALID')
    expect(error.message).toContain(machineKeyFile(store))
    expect(await readFile(machineKeyFile(store), 'utf8')).toBe('{"kty":"OKP","crv":"Ed25519","x":"abc"}')
  })
})
