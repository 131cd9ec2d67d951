import { describe, expect, it } from '@jest/globals'
import { calculateJwkThumbprint } from 'jose'
import { createPublicKey, sign, verify } from 'node:crypto'
import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createMachineIdentity,
  ensureMachineIdentity,
  loadMachineIdentity,
  machineIdentityFile
} from '../../src/engine/identity/index.js'
import { LicenseBackupError } from '../../src/engine/errors.js'

async function emptyStore(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lb-identity-'))
}

describe('machine identity', () => {
  it('is not created without individualize: INDIVIDUALIZATION_REQUIRED names the setting', async () => {
    const store = await emptyStore()
    const error = await ensureMachineIdentity(store, false).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LicenseBackupError)
    expect((error as LicenseBackupError).code).toBe('INDIVIDUALIZATION_REQUIRED')
    expect((error as LicenseBackupError).message).toContain('Turn on the `individualize` option')
    expect((error as LicenseBackupError).message).toContain(store)
    expect(await readdir(store)).toEqual([])
  })

  it('is created with individualize, its ID the RFC 7638 thumbprint of its public key', async () => {
    const store = await emptyStore()
    const identity = await ensureMachineIdentity(store, true)
    expect(identity.file).toBe(machineIdentityFile(store))
    expect(identity.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) })
    expect(identity.id).toBe(await calculateJwkThumbprint(identity.publicJwk, 'sha256'))
    expect(identity.id).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The private key in the file belongs to the public key that names the machine.
    const publicKey = createPublicKey({ key: identity.publicJwk as never, format: 'jwk' })
    expect(verify(null, Buffer.from('x'), publicKey, sign(null, Buffer.from('x'), identity.privateKey))).toBe(
      true
    )
    const saved = JSON.parse(await readFile(identity.file, 'utf8')) as Record<string, string>
    expect(saved['d']).toEqual(expect.any(String))
    // No temporary file is left beside it.
    expect(await readdir(join(store, '.license-backup'))).toEqual(['machine.json'])
  })

  it('is kept: later runs load the same identity, with or without individualize', async () => {
    const store = await emptyStore()
    const first = await ensureMachineIdentity(store, true)
    expect((await ensureMachineIdentity(store, false)).id).toBe(first.id)
    expect((await ensureMachineIdentity(store, true)).id).toBe(first.id)
    expect((await loadMachineIdentity(store))?.id).toBe(first.id)
  })

  it('is never replaced by a second create', async () => {
    const store = await emptyStore()
    const [a, b] = await Promise.all([createMachineIdentity(store), createMachineIdentity(store)])
    expect(a.id).toBe(b.id)
    expect((await createMachineIdentity(store)).id).toBe(a.id)
  })

  it('loads as undefined when absent', async () => {
    expect(await loadMachineIdentity(await emptyStore())).toBeUndefined()
  })

  it('reports a damaged file as STORE_INVALID naming it, and does not replace it', async () => {
    const store = await emptyStore()
    await mkdir(join(store, '.license-backup'))
    await writeFile(machineIdentityFile(store), '{"kty":"OKP","crv":"Ed25519","x":"abc"}')
    const error = (await ensureMachineIdentity(store, true).catch((e: unknown) => e)) as LicenseBackupError
    expect(error.code).toBe('STORE_INVALID')
    expect(error.message).toContain(machineIdentityFile(store))
    expect(await readFile(machineIdentityFile(store), 'utf8')).toBe('{"kty":"OKP","crv":"Ed25519","x":"abc"}')
  })
})
