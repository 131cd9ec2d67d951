// Reading what other tools wrote (ADR 0189), against the CNCF distribution registry: an image-spec v1.0
// artifact (`oras push --image-spec v1.0`: the type in `config.mediaType`, no `artifactType`) pulls with
// the same checks, and a layer titled with a folder is refused as what it is, naming the title.
import { expect, it } from '@jest/globals'
import { readdir } from 'node:fs/promises'
import { RegistryClient } from '../../src/action/registry/client.js'
import { pullBackup } from '../../src/action/registry/pull.js'
import { pushBackup } from '../../src/action/registry/push.js'
import { parseReference, parseRepository } from '../../src/action/registry/reference.js'
import { REGISTRY_TOOLS } from '../../src/local/registry.js'
import { registerSecret } from '../support/secret-scan.js'
import { describeWithTools } from '../support/tools.js'
import type { BackupReport } from '../../src/engine/api.js'
import { basic, basicRegistrySuite, damageBlob, makeBackup } from './support.js'

const PASSWORD = 'interop-test-password-3f8e'
registerSecret(PASSWORD)
const AUTH = basic('oli', PASSWORD)
const WHAT = 'the registry interoperability tests'
const describe = describeWithTools(WHAT, REGISTRY_TOOLS)
const suite = basicRegistrySuite(WHAT, 'oli', PASSWORD)
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

const client = (repo: string): RegistryClient =>
  new RegistryClient(parseRepository(`${suite.registry.host}/${repo}`), {
    credentials: { username: 'oli', password: PASSWORD },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }
  })

type Manifest = {
  artifactType?: string
  config: { mediaType: string; digest: string; size: number; data?: string }
  layers: { digest: string; annotations: Record<string, string> }[]
}

/**
 * Pushes a backup (the suite's unless given), then PUTs a rewritten manifest under `tag`, as another tool
 * would write it.
 */
async function rewritten(
  repo: string,
  tag: string,
  change: (m: Manifest) => void,
  backup: BackupReport = suite.backup
): Promise<Manifest> {
  await pushBackup(client(repo), backup.path, backup.files, {
    tags: ['original'],
    now: new Date('2026-12-01T01:00:00Z')
  })
  const url = `${suite.registry.url}/v2/${repo}/manifests`
  const got = await fetch(`${url}/original`, { headers: { authorization: AUTH, accept: MANIFEST } })
  const manifest = (await got.json()) as Manifest
  change(manifest)
  const put = await fetch(`${url}/${tag}`, {
    method: 'PUT',
    headers: { authorization: AUTH, 'content-type': MANIFEST },
    body: JSON.stringify(manifest)
  })
  expect(put.status).toBe(201)
  return manifest
}

/** What ORAS 1.0 writes with `--image-spec v1.0 --artifact-type …`: the type as the config's media type. */
function asImageSpec10(manifest: Manifest): void {
  manifest.config = { ...manifest.config, mediaType: manifest.artifactType ?? '' }
  delete manifest.config.data
  delete manifest.artifactType
}

describe('an image-spec v1.0 artifact', () => {
  it('is pulled like one with artifactType, every blob checked', async () => {
    await rewritten('acme/v10', 'oras-1.0', asImageSpec10)
    const folder = await suite.dirs.make()
    const pulled = await pullBackup(
      client('acme/v10'),
      parseReference(`${suite.registry.host}/acme/v10:oras-1.0`),
      folder
    )
    expect(pulled.files.sort()).toEqual([...suite.backup.files].sort())
    expect((await readdir(folder)).sort()).toEqual([...suite.backup.files].sort())
  })

  it('gets the same checks: a damaged blob is BACKUP_CORRUPT', async () => {
    // A backup of its own: the registry keeps one copy of a blob for every repository, and the other
    // tests' pulls must not meet the damage whatever order they run in.
    const own = await makeBackup(await suite.dirs.make(), 3)
    const manifest = await rewritten('acme/v10-damaged', 'oras-1.0', asImageSpec10, own)
    const pack = manifest.layers.find(l =>
      l.annotations['org.opencontainers.image.title']?.startsWith('licenses')
    )
    await damageBlob(suite.registry, pack?.digest ?? '')
    await expect(
      pullBackup(
        client('acme/v10-damaged'),
        parseReference(`${suite.registry.host}/acme/v10-damaged:oras-1.0`),
        await suite.dirs.make()
      )
    ).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
  })

  it('of another type is refused naming that type', async () => {
    await rewritten('acme/v10-other', 'sbom', m => {
      asImageSpec10(m)
      m.config.mediaType = 'application/vnd.example.sbom.config'
    })
    await expect(
      pullBackup(
        client('acme/v10-other'),
        parseReference(`${suite.registry.host}/acme/v10-other:sbom`),
        await suite.dirs.make()
      )
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('its artifact type is application/vnd.example.sbom.config, not')
    })
  })
})

describe('a layer titled with a folder', () => {
  it('is refused as what it is, naming the title, with nothing written', async () => {
    await rewritten('acme/paths', 'from-parent', m => {
      for (const layer of m.layers) {
        layer.annotations['org.opencontainers.image.title'] =
          `backup/${layer.annotations['org.opencontainers.image.title']}`
      }
    })
    const folder = await suite.dirs.make()
    await expect(
      pullBackup(
        client('acme/paths'),
        parseReference(`${suite.registry.host}/acme/paths:from-parent`),
        folder
      )
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /layer 1 is titled "backup\/[a-z.]+", and it has a folder in it\. Push the files from inside the backup folder/
      )
    })
    expect(await readdir(folder)).toEqual([])
  })
})
