import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import {
  createTestCa,
  REGISTRY_TOOLS,
  startRegistry,
  trustCa,
  type TestCa,
  type TestRegistry
} from '../../src/local/registry.js'
import { describeWithTools } from '../support/tools.js'
import { tempDir } from '../support/service.js'
import { buildCommand, runFile, type Ran } from './built.js'

// The built command against the real CNCF registry (docker-registry) over TLS with basic auth.
const describe = describeWithTools('the command line registry tests', REGISTRY_TOOLS)
const PASSWORD = 'cli-registry-password-5d1e'
let root: string
let command: string
let store: GeneratedStore
let ca: TestCa
let registry: TestRegistry
let jwks: string

beforeAll(async () => {
  root = await tempDir('lb-cli-registry-')
  command = await buildCommand(join(root, 'build'))
  const issuer = createIssuer({ kid: 'cli-registry' })
  store = await generateStore(join(root, 'store'), issuer, { count: 6, boundShare: 0, expiredShare: 0 })
  jwks = join(root, 'issuer.jwks.json')
  await writeFile(jwks, JSON.stringify(issuer.jwks()))
  await mkdir(join(root, 'tmp'))
  ca = await createTestCa()
  trustCa(ca)
  registry = await startRegistry(ca, { kind: 'basic', users: { ci: PASSWORD } })
}, 120_000)

afterAll(async () => {
  await registry?.close()
  await ca?.remove()
  await rm(root, { recursive: true, force: true })
})

function cli(args: string[]): Promise<Ran> {
  // The test CA is trusted the way a user trusts a private registry's: NODE_EXTRA_CA_CERTS.
  return runFile(process.execPath, [command, ...args], root, {
    NODE_EXTRA_CA_CERTS: ca.caFile,
    // Where the pull goes (os.tmpdir()): the test sees that nothing is left there.
    TMPDIR: join(root, 'tmp'),
    REGISTRY_TOKEN: PASSWORD
  })
}

describe('license-backup with a registry', () => {
  it('pushes a backup with flags, then verifies and inspects it pulled by tag, leaving no download behind', async () => {
    const repository = `${registry.host}/acme/license-backups`
    const login = ['--registry-username', 'ci', '--registry-token-env', 'REGISTRY_TOKEN']
    const backup = await cli([
      'backup',
      '--store',
      store.dir,
      '--path',
      join(root, 'backup'),
      '--registry',
      repository,
      '--tag',
      'nightly',
      ...login
    ])
    expect(backup.stderr).toBe('')
    expect(backup.code).toBe(0)
    expect(backup.stdout).toMatch(
      new RegExp(`REGISTRY Pushed ${repository}@sha256:[0-9a-f]{64} .*, tagged \\d{8}T\\d{6}Z, nightly\\.`)
    )

    const verify = await cli([
      'verify',
      '--from-registry',
      `${repository}:nightly`,
      '--trust-jwks',
      jwks,
      ...login,
      '--json'
    ])
    expect(verify.stderr).toBe('')
    expect(verify.code).toBe(0)
    const lines = verify.stdout
      .trimEnd()
      .split('\n')
      .map(line => JSON.parse(line) as Record<string, unknown>)
    const kept = store.licenses.filter(l => !l.restricted).length
    expect(lines).toContainEqual(
      expect.objectContaining({ type: 'RESULT', operation: 'verify', verified: kept })
    )
    expect(lines.some(l => l['type'] === 'REGISTRY')).toBe(true)
    expect(await readdir(join(root, 'tmp'))).toEqual([])

    const inspected = await cli(['inspect', `oci://${repository}:nightly`, ...login])
    expect(inspected.stderr).toBe('')
    expect(inspected.code).toBe(0)
    expect(inspected.stdout).toContain(`path: oci://${repository}:nightly\nformat: license-backup/v2.1\n`)
    expect(inspected.stdout).toContain(`licenses: ${kept}, restricted: ${store.licenses.length - kept}`)
    expect(await readdir(join(root, 'tmp'))).toEqual([])
    for (const ran of [backup, verify, inspected]) expect(ran.stdout + ran.stderr).not.toContain(PASSWORD)
  })
})
