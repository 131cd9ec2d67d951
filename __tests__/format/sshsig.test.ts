import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseSigningKey } from '../../src/engine/index.js'
import { findSigner, parseAllowedSigners } from '../../src/engine/format/ssh/allowed-signers.js'
import { parseSignature, signatureProblem, signMessage } from '../../src/engine/format/ssh/sshsig.js'
import { exec } from '../support/engine.js'
import { sshKey, type SshKey } from './support.js'

// Issue 11: the manifest's SSH signature (OpenSSH PROTOCOL.sshsig), written with node:crypto, agrees with
// the real ssh-keygen both ways; bad keys are CONFIG_INVALID naming where they came from, never their text.
let dir: string
let key: SshKey
const manifest = Buffer.from('{\n  "format": "license-backup/v2"\n}\n')

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lb-sshsig-'))
  key = await sshKey(dir)
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

async function allowed(line: string): Promise<string> {
  const file = join(dir, `allowed-${Math.random().toString(36).slice(2)}`)
  await writeFile(file, line)
  return file
}

describe('SSHSIG interop with ssh-keygen', () => {
  it('a signature made here verifies with `ssh-keygen -Y verify`', async () => {
    const sig = join(dir, 'manifest.json.sig')
    await writeFile(join(dir, 'manifest.json'), manifest)
    await writeFile(sig, signMessage(manifest, parseSigningKey(key.text, 'the test key')))
    expect(await readFile(sig, 'utf8')).toMatch(
      /^-----BEGIN SSH SIGNATURE-----\n[\s\S]+\n-----END SSH SIGNATURE-----\n$/
    )
    const signers = await allowed(`ops@acme namespaces="license-backup" ${key.publicLine}\n`)
    const { stdout } = await exec('sh', [
      '-c',
      'ssh-keygen -Y verify -f "$1" -I ops@acme -n license-backup -s "$2" < "$3"',
      'sh',
      signers,
      sig,
      join(dir, 'manifest.json')
    ])
    expect(stdout).toMatch(/Good "license-backup" signature for ops@acme/)
    // And the standard tool refuses it for other bytes.
    await writeFile(join(dir, 'other.json'), Buffer.concat([manifest, Buffer.from(' ')]))
    await expect(
      exec('sh', [
        '-c',
        'ssh-keygen -Y verify -f "$1" -I ops@acme -n license-backup -s "$2" < "$3"',
        'sh',
        signers,
        sig,
        join(dir, 'other.json')
      ])
    ).rejects.toThrow()
  })

  it('a signature made by `ssh-keygen -Y sign` verifies here, and fails for changed bytes', async () => {
    const file = join(dir, 'signed-by-ssh-keygen.json')
    await writeFile(file, manifest)
    await exec('ssh-keygen', ['-q', '-Y', 'sign', '-f', key.file, '-n', 'license-backup', file])
    const signature = parseSignature(await readFile(`${file}.sig`, 'utf8'))
    expect(signature.namespace).toBe('license-backup')
    expect(signature.hash).toBe('sha512')
    expect(signatureProblem(signature, manifest)).toBeUndefined()
    expect(signatureProblem(signature, Buffer.from(manifest.toString().replace('v2', 'v3')))).toMatch(
      /does not match/
    )
    const { signers } = parseAllowedSigners(`ops@acme ${key.publicLine}\n`)
    expect(findSigner(signers, signature.publicBlob, 'license-backup', Date.now())).toMatchObject({
      signer: { principals: 'ops@acme' }
    })
  })

  it('refuses a signature made for another namespace (ssh-keygen -n file)', async () => {
    const file = join(dir, 'other-namespace.json')
    await writeFile(file, manifest)
    await exec('ssh-keygen', ['-q', '-Y', 'sign', '-f', key.file, '-n', 'file', file])
    const signature = parseSignature(await readFile(`${file}.sig`, 'utf8'))
    expect(signatureProblem(signature, manifest)).toMatch(/namespace "file", not license-backup/)
  })
})

describe('signing keys: CONFIG_INVALID naming the source, never the key', () => {
  const refused = async (text: string, pattern: RegExp): Promise<void> => {
    let error: unknown
    try {
      parseSigningKey(text, 'the variable SIGNING_KEY')
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' })
    const message = (error as Error).message
    expect(message).toContain('the variable SIGNING_KEY')
    expect(message).toMatch(pattern)
    for (const line of text.split('\n').filter(l => l.length > 20)) expect(message).not.toContain(line)
  }

  it('a key with a passphrase', async () => {
    const withPass = await sshKey(dir, 'with-pass', ['-N', 'secret-pass'])
    await refused(withPass.text, /passphrase/)
  })

  it('an RSA key, in OpenSSH and PEM form', async () => {
    await exec('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', join(dir, 'rsa')])
    await refused(await readFile(join(dir, 'rsa'), 'utf8'), /ssh-rsa key, not Ed25519/)
    await exec('ssh-keygen', [
      '-q',
      '-t',
      'rsa',
      '-b',
      '2048',
      '-N',
      '',
      '-m',
      'PEM',
      '-f',
      join(dir, 'rsa-pem')
    ])
    await refused(await readFile(join(dir, 'rsa-pem'), 'utf8'), /PEM RSA key/)
  })

  it('a public key, garbage, a truncated key, a key with a flipped byte', async () => {
    await refused(key.publicLine, /not an OpenSSH private key/)
    await refused('hello', /not an OpenSSH private key/)
    const lines = key.text.trim().split('\n')
    await refused([lines[0], lines[1], lines.at(-1)].join('\n'), /malformed|damaged/)
    const body = Buffer.from(lines.slice(1, -1).join(''), 'base64')
    body[body.length - 20] = body[body.length - 20]! ^ 0x01
    await refused([lines[0], body.toString('base64'), lines.at(-1)].join('\n'), /damaged|malformed/)
  })
})

describe('allowed_signers', () => {
  it('honours namespaces, cert-authority, valid-after/valid-before and comments', () => {
    const [type, blob] = key.publicLine.split(' ')
    const file = [
      '# who may sign backups',
      '',
      `"ops@acme,backup@acme" namespaces="git,license-backup" ${type} ${blob} comment here`
    ].join('\n')
    const { signers: parsed } = parseAllowedSigners(file)
    expect(parsed).toHaveLength(1)
    expect(parsed[0]).toMatchObject({
      line: 3,
      principals: 'ops@acme,backup@acme',
      namespaces: 'git,license-backup'
    })
    const publicBlob = Buffer.from(blob!, 'base64')
    const found = (text: string): ReturnType<typeof findSigner> =>
      findSigner(parseAllowedSigners(text).signers, publicBlob, 'license-backup', Date.now())
    expect(findSigner(parsed, publicBlob, 'license-backup', Date.now())).toMatchObject({
      identity: 'ops@acme'
    })
    expect(found(`a namespaces="git" ${type} ${blob}`)).toMatchObject({
      problem: 'its namespaces do not allow license-backup (line 1)'
    })
    expect(found(`a cert-authority ${type} ${blob}`)).toMatchObject({ problem: 'its key is not in the file' })
    expect(found(`a valid-before="20200101Z" ${type} ${blob}`)).toMatchObject({
      problem: 'it is no longer valid (valid-before) (line 1)'
    })
  })

  it('a line ssh-keygen cannot read is skipped, as ssh-keygen skips it, and named with its line', () => {
    const [type, blob] = key.publicLine.split(' ')
    const { signers, skipped } = parseAllowedSigners(
      ['', 'ops@acme ssh-ed25519', `ops@acme bogus-option ${type} ${blob}`, `"ops@acme ${type} ${blob}`].join(
        '\n'
      )
    )
    expect(signers).toEqual([])
    expect(skipped).toEqual([
      { line: 2, problem: 'it has no key' },
      { line: 3, problem: 'it has an unknown option' },
      { line: 4, problem: 'a quote in its principals is not closed' }
    ])
  })
})
