// Protocol v1.1 through the built action (dist/index.js) on loopback: a stable machine key on fresh
// runners, release-on-exit in the post step after a failing step, a preview at the limit, on-refused
// skip and include.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer } from '../../src/engine/index.js'
import { parseMachineKey } from '../../src/engine/machine-key/index.js'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { runAction } from '../../src/local/runner.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { machine, openSession, restoreOn, tempDir, TOKEN, unreleasedHolders } from '../support/service.js'
import { expectNoSecrets, registerSecret } from '../support/secret-scan.js'

registerSecret(TOKEN)
const MACHINE_KEY = JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }))
registerSecret(MACHINE_KEY)
let root: string
let source: GeneratedStore
let server: LicenseServer
let issuer: Issuer

beforeAll(async () => {
  root = await tempDir('lb-e2e-slots-')
  issuer = createIssuer({ kid: 'e2e-slots' })
  source = await generateStore(join(root, 'source'), issuer, {
    count: 6,
    seed: 31,
    restrictedShare: 0,
    expiredShare: 0,
    boundShare: 0,
    catalogFile: join(root, 'catalog.csv')
  })
  await writeFile(join(root, 'issuer.jwks.json'), JSON.stringify(issuer.jwks()))
  await createBackupRestorer().backup({
    store: source.dir,
    path: join(root, 'backup'),
    trust: { jwksFile: join(root, 'issuer.jwks.json') }
  })
})
afterAll(async () => rm(root, { recursive: true, force: true }))

// Each test counts every slot of every license: a service of its own.
let services = 0
beforeEach(async () => {
  const database = join(root, `service-${++services}.db`)
  server = await createLicenseServer({ issuer, database, tokens: [TOKEN] })
})
afterEach(async () => server.close())

function action(steps: string, runner: string, post = false) {
  return runAction({
    inputs: {
      steps: `version: 1\ncatalog: catalog.csv\ntrust: { jwks: issuer.jwks.json }\nservice: { url: ${server.url}, token-env: LMS_TOKEN }\nsteps:\n${steps}`
    },
    runnerDir: join(root, runner),
    cwd: root,
    env: { LMS_TOKEN: TOKEN, MACHINE_KEY },
    post
  })
}

async function licensesIn(store: string): Promise<string[]> {
  const names = await readdir(join(root, store), { recursive: true }).catch(() => [] as string[])
  return names.filter(n => n.endsWith('.jwt'))
}

/** Per license, the machines that hold it and have not released it (a released slot counts until its lease
 * ends, ADR 0160). */
async function holders(): Promise<string[][]> {
  return Promise.all(source.licenses.map(l => unreleasedHolders(server, l.jti)))
}

describe('protocol v1.1 through dist/index.js', () => {
  it('one machine key on fresh runners is one slot; release-on-exit gives the slots back in the post step after a failing step', async () => {
    const id = (await parseMachineKey(MACHINE_KEY)).id
    const job = `  - restore: { store: runner-1, path: backup, machine-key-env: MACHINE_KEY, lease: 2h, release-on-exit: true }
  - restore: { store: runner-1b, path: no-such-backup, machine-key-env: MACHINE_KEY }
`
    const started = Date.now()
    const main = await action(job, 'job-1')
    expect(main.exitCode).toBe(1)
    // The job's lease: every copy ends within two hours of the restore, the output says when the first does.
    const ends = Date.parse(main.outputs['lease-expires'] ?? '')
    expect(ends).toBeGreaterThanOrEqual(started + 7_200_000 - 2000)
    expect(ends).toBeLessThanOrEqual(Date.now() + 7_200_000)
    expect(await licensesIn('runner-1')).toHaveLength(source.licenses.length)
    expect(await holders()).toEqual(source.licenses.map(() => [id]))
    const post = await action(job, 'job-1', true)
    expectNoSecrets(main.log + post.log, 'the main and post logs')
    expect(post.exitCode).toBe(0)
    expect(post.log).toContain(`Gave back ${source.licenses.length} license(s) restored into runner-1`)
    expect(await holders()).toEqual(source.licenses.map(() => []))
    expect(await licensesIn('runner-1')).toEqual([])

    // Two more fresh runners with the same key: still one machine, one slot per license.
    for (const runner of ['runner-2', 'runner-3']) {
      const run = await action(
        `  - restore: { store: ${runner}, path: backup, machine-key-env: MACHINE_KEY }\n`,
        runner
      )
      expect(run.exitCode).toBe(0)
      expect(run.outputs['restored']).toBe(String(source.licenses.length))
    }
    expect(await holders()).toEqual(source.licenses.map(() => [id]))
    // The long-lived pattern: a scheduled renew re-issues the copies with a new lease, no new slot.
    const renewed = await action(
      '  - renew: { store: runner-3, machine-key-env: MACHINE_KEY, lease: 1d }\n',
      'renew-3'
    )
    expect(renewed.exitCode).toBe(0)
    expect(renewed.log).toContain(
      `Renewed ${source.licenses.length} lease copy(ies) of machine ${id} in runner-3`
    )
    expect(Date.parse(renewed.outputs['lease-expires'] ?? '')).toBeGreaterThan(
      Date.now() + 86_400_000 - 60_000
    )
    expect(await holders()).toEqual(source.licenses.map(() => [id]))
    const release = await action(
      '  - release: { store: runner-3, machine-key-env: MACHINE_KEY }\n',
      'release-3'
    )
    expect(release.exitCode).toBe(0)
    expect(await holders()).toEqual(source.licenses.map(() => []))
    expect(await licensesIn('runner-3')).toEqual([])
  })

  it('a license at its limit: the preview fails the step before any write or slot; on-refused skip restores the rest; include restores only what it names', async () => {
    const [l1, l2] = source.licenses as [GeneratedStore['licenses'][0], GeneratedStore['licenses'][0]]
    const jws = await readFile(join(source.dir, l1.path), 'utf8')
    for (const seed of [61, 62, 63, 64])
      await restoreOn(server.url, await openSession(server.url, await machine(seed)), [jws])
    const before = await holders()

    const failed = await action(
      '  - restore: { store: limited, path: backup, individualize: true }\n',
      'limited'
    )
    expect(failed.exitCode).toBe(1)
    expect(failed.log).toContain(`${server.url}/help/restore-limit?jti=${l1.jti}`)
    expect(failed.log).toMatch(/RESTORE_LIMIT/)
    expect(await licensesIn('limited')).toEqual([])
    expect(await holders()).toEqual(before)

    const skipped = await action(
      '  - restore: { store: skipping, path: backup, individualize: true, on-refused: skip }\n',
      'skipping'
    )
    expect(skipped.exitCode).toBe(0)
    expect(skipped.outputs['restored']).toBe(String(source.licenses.length - 1))
    expect(skipped.log).toMatch(
      new RegExp(
        `::warning::Left out, as the restore step's \`on-refused\` says skip: "${l1.title}".*restore-limit\\?jti=${l1.jti}`
      )
    )

    const only = await action(
      `  - restore: { store: only-l2, path: backup, individualize: true, include: [${l2.jti}] }\n`,
      'only-l2'
    )
    expect(only.exitCode).toBe(0)
    expect(only.outputs['restored']).toBe('1')
    expect(await licensesIn('only-l2')).toEqual([l2.path])
  })
})
