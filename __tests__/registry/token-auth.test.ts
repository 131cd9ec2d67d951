// The Bearer token challenge against the distribution registry configured for token auth, with a
// loopback token server of the test's own (JWT signed by a key whose certificate chains to the registry's
// rootcertbundle); retention (`keep`) with real deletes; and an anonymous registry.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { readdir } from 'node:fs/promises'
import type { BackupReport } from '../../src/engine/api.js'
import { RegistryClient } from '../../src/action/registry/client.js'
import { applyKeep } from '../../src/action/registry/keep.js'
import { pullBackup } from '../../src/action/registry/pull.js'
import { pushBackup } from '../../src/action/registry/push.js'
import { parseReference, parseRepository } from '../../src/action/registry/reference.js'
import { tempDirs } from '../support/engine.js'
import { registerSecret } from '../support/secret-scan.js'
import { describeWithTools } from '../support/tools.js'
import {
  REGISTRY_TOOLS,
  createTestCa,
  startRegistry,
  trustCa,
  type TestCa,
  type TestRegistry
} from '../../src/local/registry.js'
import { makeBackup } from './support.js'

const PASSWORD = 'token-server-password-4d2a'
registerSecret(PASSWORD)
const describe = describeWithTools('the registry tests with token auth', REGISTRY_TOOLS)
const dirs = tempDirs()
let ca: TestCa
let registry: TestRegistry
let anonymous: TestRegistry
let backup: BackupReport
const tokens: string[] = []

beforeAll(async () => {
  ca = await createTestCa()
  trustCa(ca)
  ;[registry, anonymous] = await Promise.all([
    startRegistry(ca, { kind: 'token', users: { bob: PASSWORD } }),
    startRegistry(ca, { kind: 'none' })
  ])
  backup = await makeBackup(await dirs.make())
})

afterAll(async () => {
  await Promise.all([registry.close(), anonymous.close()])
  await Promise.all([ca.remove(), dirs.cleanup()])
})

const client = (repo: string, password = PASSWORD): RegistryClient =>
  new RegistryClient(parseRepository(`${registry.host}/${repo}`), {
    credentials: { username: 'bob', password },
    credentialsHint: 'user bob and the token in $REGISTRY_TOKEN',
    // The test's token server listens on a port of its own: another origin the steps file would list.
    tokenRealms: [registry.tokenUrl ?? ''],
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    onToken: token => {
      registerSecret(token)
      tokens.push(token)
    }
  })

/** A token of the test's own asking, to look at the registry independently of the project's client. */
async function ownToken(repo: string): Promise<string> {
  const tokenAnswer = await fetch(
    `${registry.tokenUrl}?service=license-backup-test-registry&scope=repository:${repo}:pull,push`,
    { headers: { authorization: `Basic ${Buffer.from(`bob:${PASSWORD}`).toString('base64')}` } }
  )
  const { token } = (await tokenAnswer.json()) as { token: string }
  registerSecret(token)
  return token
}

async function tagsWithToken(repo: string): Promise<string[]> {
  const response = await fetch(`${registry.url}/v2/${repo}/tags/list`, {
    headers: { authorization: `Bearer ${await ownToken(repo)}` }
  })
  return [...(((await response.json()) as { tags: string[] | null }).tags ?? [])].sort()
}

/** Another tool's manifest under a timestamp-shaped tag (its empty config is already in the repository). */
async function putForeign(repo: string, tag: string): Promise<void> {
  const response = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${await ownToken(repo)}`,
      'content-type': 'application/vnd.oci.image.manifest.v1+json'
    },
    body: JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example.other',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2
      },
      layers: []
    })
  })
  expect(response.status).toBe(201)
}

describe('Bearer token challenge', () => {
  it('pushes and pulls with a token from the challenge realm, asking the scopes the registry names', async () => {
    const repo = client('acme/tokens')
    const asked = registry.tokenScopes.length
    const pushed = await pushBackup(repo, backup.path, backup.files, {
      tags: ['nightly'],
      now: new Date('2026-11-30T10:00:00Z')
    })
    const folder = await dirs.make()
    const pulled = await pullBackup(repo, parseReference(`${registry.host}/acme/tokens:nightly`), folder)
    expect(pulled.digest).toBe(pushed.digest)
    expect((await readdir(folder)).sort()).toEqual([...backup.files].sort())
    expect(tokens.length).toBeGreaterThan(0)
    // A push asks for pull and push with the first challenge (GHCR's name only `:pull`): one token.
    const scopes = registry.tokenScopes.slice(asked)
    expect(scopes[0]).toContain('repository:acme/tokens:pull,push')
    expect(await tagsWithToken('acme/tokens')).toEqual(['20261130T100000Z', 'nightly'])
  })

  it('a password the token server refuses is UNAUTHORIZED naming the registry and repository', async () => {
    const wrong = 'wrong-token-password-19'
    registerSecret(wrong)
    const error = await pullBackup(
      client('acme/tokens', wrong),
      parseReference(`${registry.host}/acme/tokens:nightly`),
      await dirs.make()
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(
        `The registry ${registry.host} did not accept the credentials for repository acme/tokens`
      )
    })
    expect(String(error)).not.toContain(wrong)
  })
})

describe('keep', () => {
  // Ten backups over five weeks, newest last; `nightly` names the newest.
  const times = [
    '2026-10-20T01:00:00Z',
    '2026-10-27T01:00:00Z',
    '2026-11-03T01:00:00Z',
    '2026-11-10T01:00:00Z',
    '2026-11-17T01:00:00Z',
    '2026-11-24T01:00:00Z',
    '2026-11-28T01:00:00Z',
    '2026-11-29T01:00:00Z',
    '2026-11-29T13:00:00Z',
    '2026-11-30T01:00:00Z'
  ]
  const NOW = new Date('2026-11-30T02:00:00Z')
  const stamps = times.map(t => t.replace(/[-:]/g, '').replace('.000', ''))

  async function pushAll(repo: string): Promise<Map<string, string>> {
    const digests = new Map<string, string>()
    for (const time of times) {
      const pushed = await pushBackup(client(repo), backup.path, backup.files, {
        tags: ['nightly'],
        now: new Date(time)
      })
      digests.set(pushed.tags[0] ?? '', pushed.digest)
    }
    return digests
  }

  it('keeps last 2 and the newest of each of the last 2 ISO weeks, deletes the rest, never another tag', async () => {
    await pushAll('acme/keep')
    // A person's own tag on an old backup, and a timestamp-tagged manifest of another tool: both stay.
    const byHand = await pushBackup(client('acme/keep'), backup.path, backup.files, {
      tags: ['release-1'],
      now: new Date('2026-10-01T00:00:00Z')
    })
    await putForeign('acme/keep', '20250101T000000Z')
    const result = await applyKeep(client('acme/keep'), { last: 2, weekly: 2 }, { dryRun: false, now: NOW })

    expect(result.kept.map(k => [k.tag, k.reasons])).toEqual([
      ['20261130T010000Z', ['last', 'weekly']],
      ['20261129T130000Z', ['last', 'weekly']]
    ])
    const deleted = result.deleted.map(d => d.tag)
    expect(deleted).toEqual(
      stamps
        .slice(0, 8)
        .reverse()
        .filter(t => t !== byHand.tags[0])
    )
    expect(await tagsWithToken('acme/keep')).toEqual(
      [
        '20250101T000000Z',
        '20261001T000000Z',
        '20261129T130000Z',
        '20261130T010000Z',
        'nightly',
        'release-1'
      ].sort()
    )
    // The token asked for delete only once deleting began.
    expect(registry.tokenScopes.flat()).toContain('repository:acme/keep:delete')
  })

  it('dry-run lists what it would delete and deletes nothing', async () => {
    await pushAll('acme/dry')
    const result = await applyKeep(client('acme/dry'), { daily: 3 }, { dryRun: true, now: NOW })
    expect(result.kept.map(k => k.tag)).toEqual(['20261130T010000Z', '20261129T130000Z', '20261128T010000Z'])
    expect(result.deleted).toHaveLength(7)
    expect(result.dryRun).toBe(true)
    expect(await tagsWithToken('acme/dry')).toEqual([...stamps, 'nightly'].sort())
  })
})

describe('an anonymous registry', () => {
  it('pushes and pulls without credentials', async () => {
    const repo = new RegistryClient(parseRepository(`${anonymous.host}/public/backups`))
    const pushed = await pushBackup(repo, backup.path, backup.files, { tags: ['nightly'], now: new Date() })
    const folder = await dirs.make()
    const pulled = await pullBackup(repo, parseReference(`${anonymous.host}/public/backups:nightly`), folder)
    expect(pulled.digest).toBe(pushed.digest)
  })
})
