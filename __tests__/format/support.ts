// Keys and backups for the format v2 tests: an OpenSSH Ed25519 signing key made by the real ssh-keygen,
// an allowed_signers file, an age identity, and a store with its reference service on loopback.
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { exec } from '../support/engine.js'
import { registerSecret } from '../support/secret-scan.js'

export const TOKEN = 'v2-test-token-4c1d77'
registerSecret(TOKEN)

export interface SshKey {
  file: string
  text: string
  publicLine: string
}

/** `ssh-keygen -t ed25519 -N ''`: a key as a user makes it. */
export async function sshKey(dir: string, name = 'signing', extra: string[] = []): Promise<SshKey> {
  const file = join(dir, name)
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@test`, '-f', file, ...extra])
  const text = await readFile(file, 'utf8')
  registerSecret(text.split('\n')[1]!)
  return { file, text, publicLine: (await readFile(`${file}.pub`, 'utf8')).trim() }
}

/** An allowed_signers file allowing each key for the license-backup namespace. */
export async function allowedSigners(
  dir: string,
  keys: Array<{ principal: string; key: SshKey }>
): Promise<string> {
  const file = join(dir, `allowed_signers-${keys.map(k => k.principal).join('-')}`)
  const lines = keys.map(({ principal, key }) => {
    const [type, blob] = key.publicLine.split(' ')
    return `${principal} namespaces="license-backup" ${type} ${blob}`
  })
  await writeFile(file, `${lines.join('\n')}\n`)
  return file
}

export interface V2World {
  root: string
  issuer: Issuer
  source: GeneratedStore
  jwksFile: string
  server: LicenseServer
  identity: string
  recipient: string
  identityFile: string
  key: SshKey
  signers: string
  close(): Promise<void>
}

export async function v2World(count = 24, seed = 21): Promise<V2World> {
  const root = await mkdtemp(join(tmpdir(), 'lb-v2-'))
  const issuer = createIssuer({ kid: 'v2-issuer' })
  const source = await generateStore(join(root, 'store'), issuer, {
    count,
    seed,
    expiredShare: 0,
    catalogFile: join(root, 'catalog.csv')
  })
  const jwksFile = join(root, 'issuer.jwks.json')
  await writeFile(jwksFile, JSON.stringify(issuer.jwks()))
  const server = await createLicenseServer({
    issuer,
    database: join(root, 'server-state.db'),
    tokens: [TOKEN]
  })
  const identity = await generateX25519Identity()
  registerSecret(identity)
  const recipient = await identityToRecipient(identity)
  const identityFile = join(root, 'age-identity.txt')
  await writeFile(identityFile, `${identity}\n`, { mode: 0o600 })
  const key = await sshKey(root)
  const signers = await allowedSigners(root, [{ principal: 'nightly@acme', key }])
  return {
    root,
    issuer,
    source,
    jwksFile,
    server,
    identity,
    recipient,
    identityFile,
    key,
    signers,
    close: async () => {
      await server.close()
      await rm(root, { recursive: true, force: true })
    }
  }
}
