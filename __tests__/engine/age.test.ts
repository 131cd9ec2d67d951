import { afterEach, describe, expect, it } from '@jest/globals'
import { Encrypter, generateX25519Identity, identityToRecipient } from 'age-encryption'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decryptAge } from '../../src/engine/format/age.js'
import { readTar } from '../../src/engine/format/tar-reader.js'
import { createBackupRestorer } from '../../src/engine/index.js'
import { generateStore } from '../../src/fixtures/store.js'
import { exec, issuer, listTree, tempDirs } from '../support/engine.js'
import { itOnPosix } from '../support/platform.js'
import { itWithTools } from '../support/tools.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

async function keygen(
  dir: string,
  name = 'key.txt'
): Promise<{ keyFile: string; identity: string; recipient: string }> {
  const keyFile = join(dir, name)
  await exec('age-keygen', ['-o', keyFile])
  const identity = (await readFile(keyFile, 'utf8'))
    .split('\n')
    .find(line => line.startsWith('AGE-SECRET-KEY-1'))!
  const { stdout } = await exec('age-keygen', ['-y', keyFile])
  return { keyFile, identity, recipient: stdout.trim() }
}

/** A key pair from the age-encryption library, for the tests that are not about interoperability. */
async function libraryKey(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity()
  return { identity, recipient: await identityToRecipient(identity) }
}

async function libraryEncrypt(recipient: string, plain: Uint8Array): Promise<Buffer> {
  const encrypter = new Encrypter()
  encrypter.addRecipient(recipient)
  return Buffer.from(await encrypter.encrypt(plain))
}

// The interoperability tests pipe through the reference age CLI in a POSIX shell; the others use the
// age-encryption library, so that they run wherever Node does.
const itInterop =
  process.platform === 'win32'
    ? itOnPosix('the interoperability tests pipe through the age CLI in a POSIX sh')
    : itWithTools('the age CLI interoperability tests', ['age', 'age-keygen'])

describe('age', () => {
  itInterop(
    'encrypts the pack as it streams so that `age -d | tar -x` gives the licenses byte for byte',
    async () => {
      const root = await dirs.make()
      const store = join(root, 'store')
      const generated = await generateStore(store, issuer, { count: 300, seed: 3 })
      const { identity, recipient } = await keygen(root)
      const other = await keygen(root, 'other.txt')
      const path = join(root, 'backup')
      const result = await createBackupRestorer().backup({
        format: 'license-backup/v1',
        store,
        path,
        encryptTo: [recipient, other.recipient]
      })
      expect(await listTree(path)).toEqual(['licenses.tar.age', 'manifest.json'])
      expect(result.manifest.encryption).toEqual({ scheme: 'age', recipients: [recipient, other.recipient] })
      expect(result.manifest.pack.file).toBe('licenses.tar.age')
      const { stdout: sum } = await exec('sha256sum', [join(path, 'licenses.tar.age')])
      expect(sum.split(' ')[0]).toBe(result.manifest.pack.sha256)

      const out = join(root, 'out')
      await mkdir(out)
      await exec('sh', [
        '-c',
        `age -d -i "$1" "$2" | tar -x -C "$3"`,
        'sh',
        other.keyFile,
        join(path, 'licenses.tar.age'),
        out
      ])
      const extracted = (await listTree(out)).filter(entry => entry.endsWith('.jwt'))
      const permitted = generated.licenses
        .filter(license => !license.restricted)
        .map(license => license.path)
        .sort()
      expect(extracted).toEqual(permitted)
      for (const file of permitted)
        expect((await readFile(join(out, file))).equals(await readFile(join(store, file)))).toBe(true)
      // And the engine's own decrypt + reader agree.
      const names: string[] = []
      for await (const member of readTar(
        await decryptAge(createReadStream(join(path, 'licenses.tar.age')), identity)
      ))
        names.push(member.name)
      expect(names).toEqual(permitted)
    }
  )

  itInterop('decrypts and reads a tar that the age CLI encrypted', async () => {
    const root = await dirs.make()
    const { identity, recipient } = await keygen(root)
    const src = join(root, 'src')
    await mkdir(join(src, 'x'), { recursive: true })
    const big = Buffer.alloc(200_000, 'b')
    await writeFile(join(src, 'x', 'a.jwt'), 'alpha')
    await writeFile(join(src, 'x', 'big.jwt'), big)
    const encrypted = join(root, 'p.tar.age')
    await exec('sh', [
      '-c',
      `tar --format posix -cf - -C "$1" x/a.jwt x/big.jwt | age -r "$2" -o "$3"`,
      'sh',
      src,
      recipient,
      encrypted
    ])
    const members = []
    for await (const member of readTar(
      await decryptAge(createReadStream(encrypted), identity, { file: 'p.tar.age' })
    ))
      members.push(member)
    expect(members.map(member => member.name)).toEqual(['x/a.jwt', 'x/big.jwt'])
    expect(members[0]!.data.toString()).toBe('alpha')
    expect(members[1]!.data.equals(big)).toBe(true)
  })

  it('is CONFIG_INVALID for an identity the file was not encrypted to, and for a malformed identity', async () => {
    const { recipient } = await libraryKey()
    const stranger = await libraryKey()
    const encrypted = await libraryEncrypt(recipient, Buffer.from('hello'))
    await expect(decryptAge([encrypted], stranger.identity, { file: 'p.age' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('p.age was not encrypted to the given age identity')
    })
    const error = await decryptAge([encrypted], 'AGE-SECRET-KEY-1NOPE', {
      file: 'p.age'
    }).catch((caught: Error) => caught)
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' })
    expect((error as Error).message).not.toContain('NOPE')
  })

  it('is BACKUP_CORRUPT for a damaged payload', async () => {
    const { identity, recipient } = await libraryKey()
    const bytes = await libraryEncrypt(recipient, new Uint8Array(100_000))
    bytes[bytes.length - 100]! ^= 1
    const plain = await decryptAge([bytes], identity, { file: 'p.age' })
    const drain = async (): Promise<void> => {
      for await (const _chunk of plain) void _chunk
    }
    await expect(drain()).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining('p.age is damaged')
    })
  })
})
