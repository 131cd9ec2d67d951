// The built action (dist/index.js) run as a runner runs it, against a loopback stand-in for the artifact
// service driven by the real @actions/artifact client, and the reference license service.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { startFakeArtifactService, type FakeArtifactService } from '../../src/local/artifact-service.js'
import { runAction } from '../../src/local/runner.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { expectNoSecrets, registerSecret } from '../support/secret-scan.js'
import { unzip } from '../support/unzip.js'

const TOKEN = 'e2e-service-token-51c9'
registerSecret(TOKEN)
let root: string
let source: GeneratedStore
let server: LicenseServer
let artifacts: FakeArtifactService

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-e2e-'))
  const issuer = createIssuer({ kid: 'e2e-issuer' })
  source = await generateStore(join(root, 'machine-a'), issuer, {
    count: 60,
    seed: 99,
    expiredShare: 0,
    catalogFile: join(root, 'catalog.csv')
  })
  await writeFile(join(root, 'issuer.jwks.json'), JSON.stringify(issuer.jwks()))
  server = await createLicenseServer({ issuer, database: join(root, 'service-state.db'), tokens: [TOKEN] })
})

afterAll(async () => {
  await server.close()
  await rm(root, { recursive: true, force: true })
})

// Each test has the artifact service to itself: its uploads are run 1's, and its artifact IDs start at 1.
beforeEach(async () => {
  artifacts = await startFakeArtifactService()
})
afterEach(async () => artifacts.close())

const backedUpCount = (): number => source.licenses.filter(l => !l.restricted).length

describe('dist/index.js as a runner runs it', () => {
  it('backs up, uploads the artifact, downloads it and restores it on another machine', async () => {
    const steps = `version: 1
store: machine-a
catalog: catalog.csv
trust: { jwks: issuer.jwks.json }
service: { url: ${server.url}, token-env: LMS_TOKEN }
steps:
  - backup:
      path: backup
      artifact: { name: nightly-licenses, retention-days: 3 }
  - restore:
      store: machine-b
      from-artifact: { name: nightly-licenses }
      individualize: true
`
    const result = await runAction({
      inputs: { steps, 'github-token': '' },
      runnerDir: join(root, 'runner'),
      cwd: root,
      env: { ...artifacts.env, LMS_TOKEN: TOKEN }
    })
    expectNoSecrets(result.log + result.summary, 'the action log and summary')
    expect(result.log).not.toMatch(/::error/)
    expect(result.exitCode).toBe(0)

    const backedUp = source.licenses.filter(l => !l.restricted)
    const restricted = source.licenses.filter(l => l.restricted)
    expect(result.outputs).toMatchObject({
      'backed-up': String(backedUp.length),
      restored: String(backedUp.length),
      restricted: String(restricted.length),
      'backup-path': 'backup',
      'artifact-id': '1',
      'artifact-url': 'https://github.com/octo-org/licenses/actions/runs/4242/artifacts/1'
    })
    expect(JSON.parse(result.outputs['restricted-key-ids'] ?? '[]').sort()).toEqual(
      [...new Set(restricted.map(l => l.keyId))].sort()
    )
    // Each restricted license is a warning annotation with its title or key ID.
    for (const license of restricted) expect(result.log).toContain(`key ID ${license.keyId}`)

    // The uploaded zip holds exactly the backup folder, byte for byte.
    const stored = artifacts.artifacts.find(a => a.name === 'nightly-licenses')
    const zipped = unzip(stored?.blob ?? Buffer.alloc(0))
    const folder = await readdir(join(root, 'backup'))
    expect(Object.keys(zipped).sort()).toEqual(folder.sort())
    for (const name of folder)
      expect(zipped[name]?.equals(await readFile(join(root, 'backup', name)))).toBe(true)
    expect(result.outputs['artifact-digest']).toBe(stored?.digest?.replace(/^sha256:/, ''))

    // Machine B holds every backed-up license, re-bound to its own machine key.
    const machineB = JSON.parse(
      await readFile(join(root, 'machine-b', '.license-backup', 'machine.json'), 'utf8')
    )
    expect(machineB.d).toBeDefined()
    for (const license of backedUp) {
      const claims = decodeJwt(await readFile(join(root, 'machine-b', license.path), 'utf8'))
      expect(claims).toMatchObject({ jti: license.jti, key_id: license.keyId })
      expect(claims.cnf).toBeDefined()
    }
    expect(result.summary).toContain('Licenses restored')
  })

  it('restores in another job from the latest successful run of a workflow, and from a run ID', async () => {
    const nightly = await runAction({
      inputs: {
        steps: `version: 1
store: machine-a
trust: { jwks: issuer.jwks.json }
steps:
  - backup: { path: nightly-backup, artifact: { name: nightly-licenses } }
`,
        'github-token': ''
      },
      runnerDir: join(root, 'runner-nightly'),
      cwd: root,
      env: artifacts.env
    })
    expect({ exitCode: nightly.exitCode, artifactId: nightly.outputs['artifact-id'] }).toEqual({
      exitCode: 0,
      artifactId: '1'
    })
    const restoreFrom = (store: string, source: string): string => `version: 1
trust: { jwks: issuer.jwks.json }
service: { url: ${server.url}, token-env: LMS_TOKEN }
steps:
  - restore:
      store: ${store}
      from-artifact: { name: nightly-licenses, ${source} }
      individualize: true
`
    for (const [store, source] of [
      ['machine-c', 'workflow: nightly.yml'],
      ['machine-d', 'run-id: 1']
    ] as const) {
      const result = await runAction({
        inputs: { steps: restoreFrom(store, source), 'github-token': 'gh-token-for-e2e' },
        runnerDir: join(root, `runner-${store}`),
        cwd: root,
        env: { ...artifacts.env, LMS_TOKEN: TOKEN, GITHUB_RUN_ID: '5151' }
      })
      expect({ store, exitCode: result.exitCode, log: result.exitCode ? result.log : '' }).toEqual({
        store,
        exitCode: 0,
        log: ''
      })
      expect(result.outputs['restored']).toBe(String(backedUpCount()))
    }
    expect(artifacts.calls).toEqual(
      expect.arrayContaining([
        'GET /repos/octo-org/licenses/actions/workflows/nightly.yml/runs',
        'GET /repos/octo-org/licenses/actions/runs/1/artifacts',
        'GET /repos/octo-org/licenses/actions/artifacts/1/zip'
      ])
    )
  })

  it('exits 1 with one ::error:: line naming a missing steps file', async () => {
    const result = await runAction({
      inputs: { config: join(root, 'nowhere', 'license-backup.yml') },
      runnerDir: join(root, 'runner-missing'),
      cwd: root
    })
    expect(result.exitCode).toBe(1)
    const errors = result.log.split('\n').filter(line => line.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(join(root, 'nowhere', 'license-backup.yml'))
  })
})
