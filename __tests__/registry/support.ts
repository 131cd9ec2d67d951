/** Test support for the registry client: a real backup folder, and plain HTTP looks at the registry. */
import { afterAll, beforeAll } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer } from '../../src/engine/index.js'
import type { BackupReport } from '../../src/engine/api.js'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { generateStore } from '../../src/fixtures/store.js'
import { toolsPresent } from '../../src/fixtures/tools.js'
import {
  createTestCa,
  REGISTRY_TOOLS,
  startRegistry,
  trustCa,
  type TestRegistry
} from '../../src/local/registry.js'
import { tempDirs } from '../support/engine.js'

export interface RegistrySuite {
  registry: TestRegistry
  backup: BackupReport
  dirs: ReturnType<typeof tempDirs>
}

/**
 * The distribution registry with htpasswd auth for one user, started before the file's tests with a
 * throwaway CA this process trusts, and a small backup folder; all removed after them. Where the registry
 * or openssl is missing nothing starts: the file's tests are then skipped by `describeWithTools`.
 */
export function basicRegistrySuite(what: string, user: string, password: string): RegistrySuite {
  const dirs = tempDirs()
  const suite = { dirs } as RegistrySuite
  if (!toolsPresent(what, REGISTRY_TOOLS)) return suite
  let removeCa = (): Promise<void> => Promise.resolve()
  beforeAll(async () => {
    const ca = await createTestCa()
    removeCa = ca.remove
    trustCa(ca)
    suite.registry = await startRegistry(ca, { kind: 'basic', users: { [user]: password } })
    suite.backup = await makeBackup(await dirs.make())
  })
  afterAll(async () => {
    await suite.registry.close()
    await Promise.all([removeCa(), dirs.cleanup()])
  })
  return suite
}

/** A backup folder written by the engine from a small generated store. */
export async function makeBackup(dir: string, count = 12): Promise<BackupReport> {
  const issuer = createIssuer({ kid: 'registry-test' })
  await generateStore(join(dir, 'store'), issuer, { count, seed: 7 })
  const engine = await createBackupRestorer(() => undefined)
  return engine.backup({ store: join(dir, 'store'), path: join(dir, 'backup') })
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

/** GET on the registry with Basic auth, independent of the project's client. */
export async function inspect(
  registry: TestRegistry,
  path: string,
  authorization: string,
  accept = 'application/vnd.oci.image.manifest.v1+json'
): Promise<Response> {
  return fetch(`${registry.url}${path}`, { headers: { authorization, accept } })
}

export async function tagsOf(registry: TestRegistry, repo: string, authorization: string): Promise<string[]> {
  const response = await inspect(registry, `/v2/${repo}/tags/list`, authorization, 'application/json')
  if (response.status === 404) return []
  const body = (await response.json()) as { tags?: string[] | null }
  return [...(body.tags ?? [])].sort()
}

/** The file the registry keeps a blob's bytes in (the filesystem driver's layout). */
export function blobFile(registry: TestRegistry, digest: string): string {
  const hex = digest.replace(/^sha256:/, '')
  return join(registry.storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data')
}

/** Flips one byte of a stored blob, as a damaged disk or a hostile registry would. */
export async function damageBlob(registry: TestRegistry, digest: string): Promise<void> {
  const file = blobFile(registry, digest)
  const bytes = await readFile(file)
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff
  await writeFile(file, bytes)
}
