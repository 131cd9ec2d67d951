import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import nock from 'nock'
import { EventEmitter } from 'node:events'
import { cp, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../../src/main.js'
import { startFakeArtifactService, type FakeArtifactService } from '../../src/local/artifact-service.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { exec } from '../support/engine.js'
import { allowedSigners, sshKey, type SshKey } from '../format/support.js'
import { registerSecret } from '../support/secret-scan.js'
import { unzip } from '../support/unzip.js'
import { sandbox, stepsFile, type RunSandbox } from './harness.js'

// Issue 11 end to end through the action with the real engine and the real @actions/artifact client: the
// nightly drill (an encrypted, signed backup uploaded, then the uploaded artifact verified), the privacy of
// the uploaded zip, and a signing key that cannot sign.
let service: FakeArtifactService
let box: RunSandbox | undefined
let root: RunSandbox
let store: GeneratedStore
let key: SshKey
let identity: string
let recipient: string
let signers: string

beforeAll(async () => {
  service = await startFakeArtifactService()
  root = await sandbox({})
  root.restore()
  const issuer = createIssuer({ kid: 'drill-issuer' })
  store = await generateStore(join(root.dir, 'licenses'), issuer, {
    count: 12,
    seed: 5,
    catalogFile: join(root.dir, 'catalog.csv')
  })
  key = await sshKey(root.dir)
  signers = await allowedSigners(root.dir, [{ principal: 'nightly@acme', key }])
  identity = await generateX25519Identity()
  registerSecret(identity)
  recipient = await identityToRecipient(identity)
})
afterAll(async () => {
  await service.close()
  nock.restore()
})
afterEach(() => {
  box?.restore()
  box = undefined
})

async function runAction(yaml: (dir: string) => string, env: Record<string, string>): Promise<RunSandbox> {
  box = await sandbox({}, { ...service.env, ...env })
  await cp(store.dir, join(box.dir, 'licenses'), { recursive: true })
  await cp(join(root.dir, 'catalog.csv'), join(box.dir, 'catalog.csv'))
  process.env['INPUT_CONFIG'] = await stepsFile(box.dir, yaml(box.dir))
  await run({ signals: new EventEmitter() })
  return box
}

const GITHUB = {
  GITHUB_ACTIONS: 'true',
  GITHUB_WORKFLOW_REF: 'acme/licenses/.github/workflows/nightly.yml@refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_SHA: '1a2b3c4d5e6f7a8b9c0d',
  GITHUB_EVENT_NAME: 'schedule'
}

describe('the nightly drill through the action', () => {
  it('backs up (encrypted, signed), uploads, verifies the uploaded artifact; the zip names no license', async () => {
    const yaml = (dir: string): string => `version: 1
store: ${dir}/licenses
catalog: ${dir}/catalog.csv
signers: ${signers}
steps:
  - backup:
      path: ${dir}/backup
      encrypt-to: [${recipient}]
      sign: { key-env: SIGNING_KEY }
      artifact: { name: nightly }
  - verify:
      from-artifact: { name: nightly }
      identity-env: AGE_IDENTITY
      max-age: 1d
`
    const b = await runAction(yaml, { ...GITHUB, SIGNING_KEY: key.text, AGE_IDENTITY: identity })
    const dir = b.dir
    const lines = b.lines()
    expect(lines.filter(l => l.startsWith('::error'))).toEqual([])
    expect(process.exitCode).toBe(0)
    const permitted = store.licenses.filter(l => !l.restricted)
    const outputs = await b.outputs()
    expect(outputs).toMatchObject({
      'backed-up': String(permitted.length),
      verified: String(permitted.length)
    })
    expect(Number(outputs['bytes-per-license'])).toBeGreaterThan(0)
    expect(Number(outputs['bytes-per-license'])).toBeLessThanOrEqual(400)
    expect(lines).toContainEqual(
      expect.stringMatching(
        /backup of acme\/licenses, nightly\.yml on main at 1a2b3c4, run 4242 \(attempt 2\), less than an hour old; signed by nightly@acme/
      )
    )
    const summary = await b.summary()
    expect(summary).toContain('Licenses verified')
    expect(summary).toContain('backup of acme/licenses, nightly.yml on main at 1a2b3c4')
    // The uploaded zip and the folder: plaintext files that name no license ID, key ID, path or title.
    const stored = service.artifacts.find(a => a.name === 'nightly')!
    const files = unzip(stored.blob!)
    expect(Object.keys(files).sort()).toEqual(['licenses.tar.gz.age', 'manifest.json', 'manifest.json.sig'])
    const texts = [stored.blob!.toString('latin1'), ...Object.values(files).map(f => f.toString('latin1'))]
    for (const file of await readdir(join(dir, 'backup')))
      texts.push((await readFile(join(dir, 'backup', file))).toString('latin1'))
    for (const license of store.licenses) {
      for (const secret of [license.jti, license.keyId, license.path, license.title]) {
        for (const text of texts) expect(text.includes(secret)).toBe(false)
      }
    }
    // The standard tool agrees with the signature the action wrote.
    const { stdout } = await exec('sh', [
      '-c',
      'ssh-keygen -Y verify -f "$1" -I nightly@acme -n license-backup -s "$2/manifest.json.sig" < "$2/manifest.json"',
      'sh',
      signers,
      join(dir, 'backup')
    ])
    expect(stdout).toMatch(/Good "license-backup" signature/)
  })

  it('a signing key with a passphrase fails the run on its line, naming the variable and never the key', async () => {
    const locked = await sshKey(root.dir, 'locked', ['-N', 'pass-phrase-1'])
    const b = await runAction(
      () => `version: 1
store: ./licenses
steps:
  - backup:
      path: ./backup
      sign: { key-env: LOCKED_KEY }
`,
      { LOCKED_KEY: locked.text }
    )
    const errors = b.lines().filter(l => l.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/line=6.*LOCKED_KEY.*passphrase/)
    for (const line of locked.text.split('\n').filter(l => l.length > 20))
      expect(errors[0]).not.toContain(line)
    expect(process.exitCode).toBe(1)
  })
})
