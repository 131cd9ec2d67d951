// The registry client against the CNCF distribution registry on 127.0.0.1: TLS from a throwaway CA,
// htpasswd (Basic) auth, deletes enabled. Everything the client claims is checked with plain HTTP.
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { cp, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BackupReport } from '../../src/engine/api.js'
import { RegistryClient } from '../../src/action/registry/client.js'
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
import { basic, blobFile, damageBlob, inspect, makeBackup, tagsOf } from './support.js'

const PASSWORD = 'registry-password-8c1f'
registerSecret(PASSWORD)
const AUTH = basic('alice', PASSWORD)
const describe = describeWithTools('the registry tests with Basic auth', REGISTRY_TOOLS)
const dirs = tempDirs()
let ca: TestCa
let registry: TestRegistry
let backup: BackupReport

beforeAll(async () => {
  ca = await createTestCa()
  trustCa(ca)
  registry = await startRegistry(ca, { kind: 'basic', users: { alice: PASSWORD } })
  backup = await makeBackup(await dirs.make())
})

afterAll(async () => {
  await registry.close()
  await Promise.all([ca.remove(), dirs.cleanup()])
})

const client = (repo: string, password = PASSWORD, options = {}): RegistryClient =>
  new RegistryClient(parseRepository(`${registry.host}/${repo}`), {
    credentials: { username: 'alice', password },
    credentialsHint: 'user alice and the token in $REGISTRY_TOKEN',
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
    ...options
  })

const at = (iso: string): Date => new Date(iso)

describe('push', () => {
  it('pushes the folder as one artifact: artifactType, empty config, a titled layer per file, tags', async () => {
    const pushed = await pushBackup(client('acme/backups'), backup.path, backup.files, {
      tags: ['nightly'],
      now: at('2026-11-30T01:02:03.456Z')
    })
    expect(pushed.tags).toEqual(['20261130T010203Z', 'nightly'])

    const response = await inspect(registry, `/v2/acme/backups/manifests/nightly`, AUTH)
    expect(response.headers.get('docker-content-digest')).toBe(pushed.digest)
    const manifest = (await response.json()) as Record<string, unknown>
    expect(manifest).toMatchObject({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.license-backup.backup.v2',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 },
      annotations: { 'org.opencontainers.image.created': '2026-11-30T01:02:03.456Z' }
    })
    const layers = manifest['layers'] as {
      mediaType: string
      digest: string
      annotations: Record<string, string>
    }[]
    expect(layers.map(l => [l.annotations['org.opencontainers.image.title'], l.mediaType])).toEqual(
      backup.files.map(file => [
        file,
        file === 'manifest.json'
          ? 'application/vnd.license-backup.manifest.v2+json'
          : 'application/vnd.license-backup.pack.v2.tar+gzip'
      ])
    )
    for (const [i, layer] of layers.entries()) {
      const blob = await inspect(registry, `/v2/acme/backups/blobs/${layer.digest}`, AUTH)
      const bytes = Buffer.from(await blob.arrayBuffer())
      expect(bytes.equals(await readFile(join(backup.path, backup.files[i] ?? '')))).toBe(true)
    }
    expect(await tagsOf(registry, 'acme/backups', AUTH)).toEqual(['20261130T010203Z', 'nightly'])
  })

  it('uploads in PATCH chunks when the file is larger than the chunk size, and the blobs are whole', async () => {
    const pushed = await pushBackup(client('acme/chunked'), backup.path, backup.files, {
      tags: [],
      now: at('2026-11-30T02:00:00Z'),
      chunkSize: 1000
    })
    expect(Object.values(pushed.blobs)).toEqual(['uploaded', 'uploaded'])
    const folder = await dirs.make()
    await pullBackup(
      client('acme/chunked'),
      parseReference(`${registry.host}/acme/chunked:20261130T020000Z`),
      folder
    )
    for (const file of backup.files) {
      expect((await readFile(join(folder, file))).equals(await readFile(join(backup.path, file)))).toBe(true)
    }
  })

  it('mounts blobs from another repository of the same registry instead of uploading them', async () => {
    await pushBackup(client('acme/source'), backup.path, backup.files, {
      tags: [],
      now: at('2026-11-30T03:00:00Z')
    })
    const pushed = await pushBackup(client('acme/mirror'), backup.path, backup.files, {
      tags: ['copy'],
      now: at('2026-11-30T03:00:01Z'),
      mountFrom: 'acme/source'
    })
    expect(Object.values(pushed.blobs)).toEqual(['mounted', 'mounted'])
    expect(await tagsOf(registry, 'acme/mirror', AUTH)).toEqual(['20261130T030001Z', 'copy'])
  })

  it('a registry that dies mid-upload moves no tag; a rerun completes the push', async () => {
    const repo = client('acme/crash')
    const first = await pushBackup(repo, backup.path, backup.files, {
      tags: ['nightly'],
      now: at('2026-11-29T00:00:00Z')
    })
    // The second push (new content: another backup) dies at its second chunk.
    const other = await makeBackup(await dirs.make(), 30)
    let patches = 0
    const dying = new RegistryClient(parseRepository(`${registry.host}/acme/crash`), {
      credentials: { username: 'alice', password: PASSWORD },
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      fetch: async (input, init) => {
        if (init?.method === 'PATCH' && ++patches === 2) registry.kill()
        return fetch(input, init)
      }
    })
    await expect(
      pushBackup(dying, other.path, other.files, {
        tags: ['nightly'],
        now: at('2026-11-30T00:00:00Z'),
        chunkSize: 1000
      })
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining(registry.host) })
    await registry.restart()
    const nightly = await inspect(registry, '/v2/acme/crash/manifests/nightly', AUTH)
    expect(nightly.headers.get('docker-content-digest')).toBe(first.digest)
    expect(await tagsOf(registry, 'acme/crash', AUTH)).toEqual(['20261129T000000Z', 'nightly'])

    const rerun = await pushBackup(repo, other.path, other.files, {
      tags: ['nightly'],
      now: at('2026-11-30T00:00:00Z'),
      chunkSize: 1000
    })
    const after = await inspect(registry, '/v2/acme/crash/manifests/nightly', AUTH)
    expect(after.headers.get('docker-content-digest')).toBe(rerun.digest)
    expect(await tagsOf(registry, 'acme/crash', AUTH)).toEqual([
      '20261129T000000Z',
      '20261130T000000Z',
      'nightly'
    ])
  })
})

describe('cancellation', () => {
  it('an abort mid-upload is CANCELLED at once, with no retry and no tag moved', async () => {
    const controller = new AbortController()
    let calls = 0
    let atAbort = 0
    const cancelling = new RegistryClient(parseRepository(`${registry.host}/acme/cancel`), {
      credentials: { username: 'alice', password: PASSWORD },
      signal: controller.signal,
      fetch: async (input, init) => {
        calls++
        if (init?.method === 'PATCH') {
          controller.abort()
          atAbort = calls
        }
        return fetch(input, init)
      }
    })
    await expect(
      pushBackup(cancelling, backup.path, backup.files, {
        tags: ['nightly'],
        now: at('2026-11-30T08:00:00Z'),
        chunkSize: 1000
      })
    ).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(calls).toBe(atAbort)
    expect(await tagsOf(registry, 'acme/cancel', AUTH)).toEqual([])
  })
})

describe('pull', () => {
  it('pulls by tag and by digest into a folder, byte for byte', async () => {
    const pushed = await pushBackup(client('acme/pull'), backup.path, backup.files, {
      tags: ['nightly'],
      now: at('2026-11-30T04:00:00Z')
    })
    for (const ref of [`${registry.host}/acme/pull:nightly`, `${registry.host}/acme/pull@${pushed.digest}`]) {
      const folder = await dirs.make()
      const pulled = await pullBackup(client('acme/pull'), parseReference(ref), folder)
      expect(pulled).toEqual({ digest: pushed.digest, files: backup.files, skipped: [] })
      expect((await readdir(folder)).sort()).toEqual([...backup.files].sort())
    }
  })

  it('downloads only the layers that are backup files', async () => {
    const folder = await dirs.make()
    await cp(backup.path, folder, { recursive: true })
    await writeFile(join(folder, 'notes.txt'), 'not part of a backup')
    const files = [...backup.files, 'notes.txt']
    await pushBackup(client('acme/extra'), folder, files, { tags: ['x'], now: at('2026-11-30T04:30:00Z') })
    const into = await dirs.make()
    const pulled = await pullBackup(
      client('acme/extra'),
      parseReference(`${registry.host}/acme/extra:x`),
      into
    )
    expect(pulled.skipped).toEqual(['notes.txt'])
    expect((await readdir(into)).sort()).toEqual([...backup.files].sort())
  })

  it('a blob whose digest does not match is BACKUP_CORRUPT and leaves no file', async () => {
    // A backup of its own: the registry keeps one copy of a blob for every repository, and the other
    // tests' pulls must not meet the damage whatever order they run in.
    const own = await makeBackup(await dirs.make(), 3)
    const pushed = await pushBackup(client('acme/damaged'), own.path, own.files, {
      tags: ['nightly'],
      now: at('2026-11-30T05:00:00Z')
    })
    const manifest = (await (
      await inspect(registry, `/v2/acme/damaged/manifests/${pushed.digest}`, AUTH)
    ).json()) as {
      layers: { digest: string }[]
    }
    const pack = manifest.layers[0]?.digest ?? ''
    expect(await readFile(blobFile(registry, pack))).toBeDefined()
    await damageBlob(registry, pack)
    const folder = await dirs.make()
    await expect(
      pullBackup(client('acme/damaged'), parseReference(`${registry.host}/acme/damaged:nightly`), folder)
    ).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining(
        `${pack} (licenses.tar.gz) from repository acme/damaged at the registry ${registry.host}`
      )
    })
    expect(await readdir(folder)).toEqual([])
  })

  it('a missing tag is an error naming the reference', async () => {
    await expect(
      pullBackup(
        client('acme/pull'),
        parseReference(`${registry.host}/acme/pull:no-such-tag`),
        await dirs.make()
      )
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(`${registry.host}/acme/pull:no-such-tag was not found`)
    })
  })

  it('a manifest of another artifact type is refused before any blob is fetched', async () => {
    const config = '{}'
    const other = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example.sbom',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: config.length
      },
      layers: []
    })
    await pushBackup(client('acme/other'), backup.path, backup.files, {
      tags: [],
      now: at('2026-11-30T06:00:00Z')
    })
    const put = await fetch(`${registry.url}/v2/acme/other/manifests/sbom`, {
      method: 'PUT',
      headers: { authorization: AUTH, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: other
    })
    expect(put.status).toBe(201)
    const folder = await dirs.make()
    await expect(
      pullBackup(client('acme/other'), parseReference(`${registry.host}/acme/other:sbom`), folder)
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(
        'is not a license backup: its artifact type is application/vnd.example.sbom, not application/vnd.license-backup.backup.v2'
      )
    })
    expect(await readdir(folder)).toEqual([])
  })
})

describe('auth', () => {
  it('a wrong password is UNAUTHORIZED naming the registry and repository, never the password', async () => {
    const wrong = 'not-the-password-77'
    registerSecret(wrong)
    const error = await pushBackup(client('acme/backups', wrong), backup.path, backup.files, {
      tags: [],
      now: at('2026-11-30T07:00:00Z')
    }).catch((e: unknown) => e as Error)
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(
        `The registry ${registry.host} did not accept the credentials for repository acme/backups (HTTP 401, with user alice and the token in $REGISTRY_TOKEN)`
      )
    })
    expect(String(error)).not.toContain(wrong)
  })

  it('without credentials, a registry that needs them says so', async () => {
    const anonymous = new RegistryClient(parseRepository(`${registry.host}/acme/backups`))
    await expect(
      pullBackup(anonymous, parseReference(`${registry.host}/acme/backups:nightly`), await dirs.make())
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(
        'needs credentials for repository acme/backups (HTTP 401, with no credentials): set `username` and `token-env`'
      )
    })
  })
})
