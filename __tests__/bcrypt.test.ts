// The bcrypt that writes the test registry's htpasswd file (src/fixtures/bcrypt.ts): the reference
// vectors of OpenBSD's and Openwall's implementations, and Apache's htpasswd accepting its lines.
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { bcrypt, htpasswdLine } from '../src/fixtures/bcrypt.js'
import { findTool } from '../src/fixtures/tools.js'
import { tempDirs } from './support/engine.js'
import { itWithTools } from './support/tools.js'

const dirs = tempDirs()
afterAll(() => dirs.cleanup())

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** The 16 salt bytes that a modular crypt string's 22 salt characters stand for. */
function saltOf(hash: string): Buffer {
  const bytes: number[] = []
  let bits = 0
  let value = 0
  for (const char of hash.slice(7, 29)) {
    value = (value << 6) | ALPHABET.indexOf(char)
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((value >> bits) & 0xff)
    }
  }
  return Buffer.from(bytes)
}

describe('bcrypt', () => {
  it.each([
    ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
    ['U*U*', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
    ['U*U*U', '$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a'],
    ['', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy']
  ])('hashes %j as the reference implementations do', (password, reference) => {
    expect(bcrypt(password, saltOf(reference), 5)).toBe(reference.replace('$2a$', '$2y$'))
  })

  it('writes an htpasswd line with a fresh salt each time', () => {
    const a = htpasswdLine('alice', 'secret')
    expect(a).toMatch(/^alice:\$2y\$05\$[./A-Za-z0-9]{53}\n$/)
    expect(htpasswdLine('alice', 'secret')).not.toBe(a)
  })

  itWithTools("the check of bcrypt lines against Apache's htpasswd", ['htpasswd'])(
    "writes lines Apache's htpasswd verifies, and that fail with another password",
    async () => {
      const file = join(await dirs.make(), 'htpasswd')
      await writeFile(file, htpasswdLine('alice', 'pässword:with spaces', 4))
      const htpasswd = findTool('htpasswd') as string
      const verify = (password: string) => promisify(execFile)(htpasswd, ['-vb', file, 'alice', password])
      await expect(verify('pässword:with spaces')).resolves.toMatchObject({
        stderr: expect.stringContaining('correct')
      })
      await expect(verify('password')).rejects.toThrow()
    }
  )
})
