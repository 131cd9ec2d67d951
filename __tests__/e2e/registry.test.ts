// The built action (dist/index.js) as a runner runs it, against the CNCF distribution registry on
// 127.0.0.1 (TLS from a throwaway CA given to the child as NODE_EXTRA_CA_CERTS, Bearer token auth through
// a loopback token server) and the reference license service: backup → push → keep → restore from the
// registry into a fresh store. The registry is inspected with plain HTTP, not the project's client.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { RegistryClient } from '../../src/action/registry/client.js'
import { pushBackup } from '../../src/action/registry/push.js'
import { parseRepository } from '../../src/action/registry/reference.js'
import { createBackupRestorer } from '../../src/engine/index.js'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { runAction } from '../../src/local/runner.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { describeWithTools } from '../support/tools.js'
import {
  REGISTRY_TOOLS,
  createTestCa,
  startRegistry,
  trustCa,
  type TestCa,
  type TestRegistry
} from '../../src/local/registry.js'
import { expectNoSecrets, registerSecret } from '../support/secret-scan.js'

const describe = describeWithTools('the end-to-end registry tests', REGISTRY_TOOLS)
const SERVICE_TOKEN = 'e2e-registry-service-token-0b7e'
const REGISTRY_PASSWORD = 'e2e-registry-password-a91c'
registerSecret(SERVICE_TOKEN)
registerSecret(REGISTRY_PASSWORD)
const REPO = 'acme/license-backups'
let root: string
let source: GeneratedStore
let server: LicenseServer
let ca: TestCa
let registry: TestRegistry

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-e2e-registry-'))
  const issuer = createIssuer({ kid: 'e2e-registry-issuer' })
  source = await generateStore(join(root, 'machine-a'), issuer, { count: 40, seed: 5, expiredShare: 0 })
  await writeFile(join(root, 'issuer.jwks.json'), JSON.stringify(issuer.jwks()))
  server = await createLicenseServer({
    issuer,
    database: join(root, 'service-state.db'),
    tokens: [SERVICE_TOKEN]
  })
  ca = await createTestCa()
  trustCa(ca)
  registry = await startRegistry(ca, { kind: 'token', users: { ci: REGISTRY_PASSWORD } })
})

afterAll(async () => {
  await Promise.all([server.close(), registry.close()])
  await Promise.all([ca.remove(), rm(root, { recursive: true, force: true })])
})

/** Plain HTTP with a token of the test's own asking. */
async function look(path: string, accept = 'application/vnd.oci.image.manifest.v1+json'): Promise<Response> {
  const answer = await fetch(
    `${registry.tokenUrl}?service=license-backup-test-registry&scope=repository:${REPO}:pull`,
    { headers: { authorization: `Basic ${Buffer.from(`ci:${REGISTRY_PASSWORD}`).toString('base64')}` } }
  )
  const { token } = (await answer.json()) as { token: string }
  registerSecret(token)
  return fetch(`${registry.url}/v2/${REPO}/${path}`, {
    headers: { authorization: `Bearer ${token}`, accept }
  })
}

/** Three older backups of this tool in the repository, as earlier nights left them. */
async function seedOlderBackups(): Promise<void> {
  const engine = await createBackupRestorer(() => undefined)
  const old = await engine.backup({ store: join(root, 'machine-a'), path: join(root, 'old-backup') })
  const client = new RegistryClient(parseRepository(`${registry.host}/${REPO}`), {
    credentials: { username: 'ci', password: REGISTRY_PASSWORD },
    tokenRealms: [registry.tokenUrl ?? ''],
    onToken: registerSecret
  })
  for (const day of ['2026-01-01', '2026-01-02', '2026-01-03']) {
    await pushBackup(client, old.path, old.files, { tags: [], now: new Date(`${day}T03:00:00Z`) })
  }
}

describe('dist/index.js with an OCI registry', () => {
  it('backs up, pushes, applies keep, verifies and restores from the registry on another machine', async () => {
    await seedOlderBackups()
    const steps = `version: 1
store: machine-a
trust: { jwks: issuer.jwks.json }
service: { url: ${server.url}, token-env: LMS_TOKEN }
steps:
  - backup:
      path: backup
      registry:
        repository: ${registry.host}/${REPO}
        tags: [nightly]
        username: ci
        token-env: REGISTRY_TOKEN
        token-realms: [${new URL(registry.tokenUrl ?? '').origin}]
        keep: { last: 2 }
  - verify:
      from-registry: { reference: "${registry.host}/${REPO}:nightly", username: ci, token-env: REGISTRY_TOKEN, token-realms: [${new URL(registry.tokenUrl ?? '').origin}] }
  - restore:
      store: machine-b
      from-registry: { reference: "${registry.host}/${REPO}:nightly", username: ci, token-env: REGISTRY_TOKEN, token-realms: [${new URL(registry.tokenUrl ?? '').origin}] }
      individualize: true
`
    const result = await runAction({
      inputs: { steps },
      runnerDir: join(root, 'runner'),
      cwd: root,
      env: {
        LMS_TOKEN: SERVICE_TOKEN,
        REGISTRY_TOKEN: REGISTRY_PASSWORD,
        // Read by Node when the action's process starts: how the child trusts the throwaway CA.
        NODE_EXTRA_CA_CERTS: ca.caFile
      }
    })
    expectNoSecrets(result.log + result.summary, 'the action log and summary')
    expect({ exitCode: result.exitCode, log: result.exitCode ? result.log : '' }).toEqual({
      exitCode: 0,
      log: ''
    })

    // Outputs: the pushed manifest's digest and tags.
    const digest = result.outputs['registry-digest'] ?? ''
    const tags = JSON.parse(result.outputs['registry-tags'] ?? '[]') as string[]
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(tags).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z$/), 'nightly'])

    // The registry, looked at directly: manifest, artifactType, layer digests = the folder's files.
    const manifestAnswer = await look('manifests/nightly')
    expect(manifestAnswer.headers.get('docker-content-digest')).toBe(digest)
    const manifest = (await manifestAnswer.json()) as {
      artifactType: string
      config: { mediaType: string }
      layers: { digest: string; size: number; annotations: Record<string, string> }[]
    }
    expect(manifest.artifactType).toBe('application/vnd.license-backup.backup.v2')
    expect(manifest.config.mediaType).toBe('application/vnd.oci.empty.v1+json')
    const folder = (await readdir(join(root, 'backup'))).sort()
    expect(manifest.layers.map(l => l.annotations['org.opencontainers.image.title']).sort()).toEqual(folder)
    for (const layer of manifest.layers) {
      const file = await readFile(
        join(root, 'backup', layer.annotations['org.opencontainers.image.title'] ?? '')
      )
      const blob = Buffer.from(await (await look(`blobs/${layer.digest}`)).arrayBuffer())
      expect(blob.equals(file)).toBe(true)
    }

    // keep { last: 2 }: this run's backup and the newest seeded one; the two older ones are gone.
    const list = (await (await look('tags/list', 'application/json')).json()) as { tags: string[] }
    expect(list.tags.sort()).toEqual(['20260103T030000Z', tags[0], 'nightly'].sort())
    expect(result.log).toContain('Retention (last 2): kept 2, deleted 2.')
    // The summary: where it went, the digest and tags, what was kept (and why) and deleted.
    expect(result.summary).toContain(
      `<td>Pushed to</td><td><code>${registry.host}/${REPO}</code><br /><code>${digest}</code></td>`
    )
    expect(result.summary).toContain(
      `<td>Kept</td><td><code>${tags[0]}</code> (last)<br /><code>20260103T030000Z</code> (last)</td>`
    )
    expect(result.summary).toMatch(
      /<td>Deleted<\/td><td><code>20260102T030000Z<\/code> <code>sha256:[a-f0-9]{64}<\/code><br \/><code>20260101T030000Z<\/code>/
    )

    // Machine B holds every backed-up license, re-bound to its own machine key.
    const backedUp = source.licenses.filter(l => !l.restricted)
    // The verify step pulled the same backup and checked every license, writing nothing.
    expect(result.outputs['verified']).toBe(String(backedUp.length))
    expect(result.log).toContain(
      `Verified ${backedUp.length} license(s) in the license-backup/v2.1 backup, every signature checked`
    )
    expect(result.outputs['restored']).toBe(String(backedUp.length))
    for (const license of backedUp) {
      const claims = decodeJwt(await readFile(join(root, 'machine-b', license.path), 'utf8'))
      expect(claims).toMatchObject({ jti: license.jti, cnf: expect.anything() })
    }
    // The pulled copy does not outlive the step.
    expect(
      (await readdir(join(root, 'runner', 'temp'))).filter(n => n.startsWith('license-backup-registry-'))
    ).toEqual([])
  })

  it('a wrong registry token fails the restore before any store is touched, naming registry and repository', async () => {
    const wrong = 'definitely-wrong-registry-token'
    registerSecret(wrong)
    const result = await runAction({
      inputs: {
        steps: `version: 1
service: { url: ${server.url}, token-env: LMS_TOKEN }
steps:
  - restore:
      store: machine-c
      from-registry: { reference: "${registry.host}/${REPO}:nightly", username: ci, token-env: REGISTRY_TOKEN, token-realms: [${new URL(registry.tokenUrl ?? '').origin}] }
      individualize: true
`
      },
      runnerDir: join(root, 'runner-wrong'),
      cwd: root,
      env: { LMS_TOKEN: SERVICE_TOKEN, REGISTRY_TOKEN: wrong, NODE_EXTRA_CA_CERTS: ca.caFile }
    })
    expectNoSecrets(result.log + result.summary, 'the action log and summary')
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain(
      `The registry ${registry.host} did not accept the credentials for repository ${REPO} (HTTP 401, with user ci and the token in $REGISTRY_TOKEN)`
    )
    await expect(readdir(join(root, 'machine-c'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
