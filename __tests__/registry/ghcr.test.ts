// The client against a GHCR stand-in (src/local/ghcr.ts, ADR 0188): 4 MiB PATCH chunks (a 100 MiB pack
// through the limit), `:pull` challenges answered with a `pull,push` token, 200-with-errors refusals,
// deletes through the Packages API with its 404 and 400 answers, paged version lists, user and
// organisation owners, and the package's visibility.
import { afterEach, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { digestFile } from '../../src/action/registry/blobs.js'
import { RegistryClient } from '../../src/action/registry/client.js'
import { githubPackagesDeleter, packageVisibility } from '../../src/action/registry/github-packages.js'
import { applyKeep } from '../../src/action/registry/keep.js'
import { pullBackup } from '../../src/action/registry/pull.js'
import { pushBackup } from '../../src/action/registry/push.js'
import { parseReference, parseRepository } from '../../src/action/registry/reference.js'
import { startGhcrStandIn, type GhcrStandIn, type GhcrStandInOptions } from '../../src/local/ghcr.js'
import { tempDirs } from '../support/engine.js'
import { registerSecret } from '../support/secret-scan.js'
import { makeBackup } from './support.js'

const WRITER = 'ghcr-writer-token-61a0'
const READER = 'ghcr-reader-token-2b7c'
const ADMIN = 'ghcr-admin-token-9d44'
for (const token of [WRITER, READER, ADMIN]) registerSecret(token)
const dirs = tempDirs()
const running: GhcrStandIn[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(s => s.close()))
})

async function standIn(extra: Partial<GhcrStandInOptions> = {}): Promise<GhcrStandIn> {
  const ghcr = await startGhcrStandIn({
    tokens: {
      [WRITER]: { push: true, admin: false },
      [READER]: { push: false, admin: false },
      [ADMIN]: { push: true, admin: true }
    },
    owners: { acme: 'orgs', kim: 'users' },
    ...extra
  })
  running.push(ghcr)
  return ghcr
}

function client(ghcr: GhcrStandIn, repo: string, password: string, extra = {}): RegistryClient {
  return new RegistryClient(parseRepository(`${ghcr.url}/${repo}`), {
    credentials: { username: 'kim', password },
    credentialsHint: 'user kim and the token in $GHCR_TOKEN',
    ghcr: true,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    onToken: registerSecret,
    ...extra
  })
}

/** A folder with a manifest and a pack of `mib` MiB of random bytes (they do not compress). */
async function bigFolder(mib: number): Promise<{ folder: string; files: string[] }> {
  const folder = await dirs.make()
  await writeFile(join(folder, 'manifest.json'), JSON.stringify({ format: 'license-backup/v2' }))
  await writeFile(join(folder, 'licenses.tar.gz.age'), randomBytes(mib * 1024 * 1024))
  return { folder, files: ['manifest.json', 'licenses.tar.gz.age'] }
}

describe('pushing to GHCR', () => {
  it('pushes a 100 MiB pack in PATCH chunks of at most 4 MiB, and pulls it back', async () => {
    const ghcr = await standIn()
    const { folder, files } = await bigFolder(100)
    const pushed = await pushBackup(client(ghcr, 'acme/big', WRITER), folder, files, {
      tags: ['nightly'],
      now: new Date('2026-12-07T01:00:00Z')
    })
    expect(ghcr.patches).toHaveLength(25)
    expect(Math.max(...ghcr.patches)).toBe(4 * 1024 * 1024)
    expect(ghcr.tags('acme/big')).toEqual(['20261207T010000Z', 'nightly'])
    // GHCR's challenges name only `:pull`: the one token asked for covers the push from the start.
    expect(ghcr.tokenScopes).toEqual([expect.arrayContaining(['repository:acme/big:pull,push'])])
    const into = await dirs.make()
    const pulled = await pullBackup(
      client(ghcr, 'acme/big', READER),
      parseReference(`${ghcr.host}/acme/big:nightly`),
      into
    )
    expect(pulled.digest).toBe(pushed.digest)
    expect((await digestFile(join(into, 'licenses.tar.gz.age'))).digest).toBe(
      (await digestFile(join(folder, 'licenses.tar.gz.age'))).digest
    )
  })

  it('a registry that refuses a 64 MiB chunk with 416 gets the upload again in 4 MiB chunks', async () => {
    const ghcr = await standIn()
    const { folder, files } = await bigFolder(65)
    await pushBackup(client(ghcr, 'acme/other', WRITER, { ghcr: false }), folder, files, {
      tags: [],
      now: new Date('2026-12-07T01:00:00Z')
    })
    expect(ghcr.patches).toEqual([64 * 1024 * 1024, ...Array(16).fill(4 * 1024 * 1024), 1024 * 1024])
  })

  it('a token refused with HTTP 200 and errors is UNAUTHORIZED with what to grant', async () => {
    const ghcr = await standIn()
    const backup = await makeBackup(await dirs.make(), 3)
    const error = await pushBackup(client(ghcr, 'acme/denied', 'not-a-token'), backup.path, backup.files, {
      tags: [],
      now: new Date()
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining(
        'did not accept the credentials for repository acme/denied (HTTP 200 (UNAUTHORIZED: authentication required), with user kim and the token in $GHCR_TOKEN)'
      )
    })
    expect((error as Error).message).toContain('`packages: write` to push')
  })
})

describe("keep through GHCR's Packages API", () => {
  const nights = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05']

  async function seeded(ghcr: GhcrStandIn, repo: string): Promise<string> {
    const backup = await makeBackup(await dirs.make(), 3)
    let last = ''
    for (const night of nights) {
      const pushed = await pushBackup(client(ghcr, repo, ADMIN), backup.path, backup.files, {
        tags: ['nightly'],
        now: new Date(`${night}T01:00:00Z`)
      })
      last = pushed.digest
    }
    return last
  }

  const deleter = (ghcr: GhcrStandIn, repo: string, token: string) =>
    githubPackagesDeleter({
      repository: parseRepository(`ghcr.io/${repo}`),
      apiUrl: ghcr.apiUrl,
      token,
      fetch: globalThis.fetch
    })

  for (const [owner, kind] of [
    ['acme', 'an organisation'],
    ['kim', 'a user']
  ] as const) {
    it(`deletes through the API for ${kind}, reading every page of the version list`, async () => {
      const ghcr = await standIn({ maxPerPage: 2 }) // five versions: three pages
      const repo = `${owner}/backups`
      const tonight = await seeded(ghcr, repo)
      const result = await applyKeep(
        client(ghcr, repo, ADMIN),
        { last: 2 },
        {
          dryRun: false,
          pushed: tonight,
          now: new Date('2026-12-05T02:00:00Z'),
          deleter: deleter(ghcr, repo, ADMIN)
        }
      )
      expect(result.deleted.map(d => d.tag)).toEqual([
        '20261203T010000Z',
        '20261202T010000Z',
        '20261201T010000Z'
      ])
      expect(result.failed).toEqual([])
      expect(ghcr.tags(repo)).toEqual(['20261204T010000Z', '20261205T010000Z', 'nightly'])
    })
  }

  it('a token without the Admin role gets 404 from GitHub: nothing is reported deleted', async () => {
    const ghcr = await standIn()
    const tonight = await seeded(ghcr, 'acme/notadmin')
    const result = await applyKeep(
      client(ghcr, 'acme/notadmin', WRITER),
      { last: 4 },
      {
        dryRun: false,
        pushed: tonight,
        now: new Date('2026-12-05T02:00:00Z'),
        deleter: deleter(ghcr, 'acme/notadmin', WRITER)
      }
    )
    expect(result.deleted).toEqual([])
    expect(result.failed).toEqual([
      expect.objectContaining({ tag: '20261201T010000Z', reason: expect.stringContaining('still listed') })
    ])
  })

  it("GitHub's refusal of a public version downloaded over 5,000 times is reported with its words", async () => {
    const ghcr = await standIn({ visibility: 'public', downloads: 6000 })
    const tonight = await seeded(ghcr, 'acme/popular')
    const result = await applyKeep(
      client(ghcr, 'acme/popular', ADMIN),
      { last: 4 },
      {
        dryRun: false,
        pushed: tonight,
        now: new Date('2026-12-05T02:00:00Z'),
        deleter: deleter(ghcr, 'acme/popular', ADMIN)
      }
    )
    expect(result.deleted).toEqual([])
    expect(result.failed).toEqual([
      expect.objectContaining({
        tag: '20261201T010000Z',
        reason: expect.stringContaining(
          'answered HTTP 400 ("Publicly visible package versions with more than 5000 downloads cannot be deleted.") deleting version'
        )
      })
    ])
  })

  it("GitHub's refusal to delete the last tagged version is an error quoting GitHub", async () => {
    const ghcr = await standIn()
    const backup = await makeBackup(await dirs.make(), 3)
    const only = await pushBackup(client(ghcr, 'acme/only', ADMIN), backup.path, backup.files, {
      tags: [],
      now: new Date('2026-12-01T01:00:00Z')
    })
    await expect(deleter(ghcr, 'acme/only', ADMIN)(only.digest)).rejects.toMatchObject({
      code: 'SERVICE_ERROR',
      message: expect.stringContaining(
        'answered HTTP 400 ("You cannot delete the last tagged version of a package.") deleting version'
      )
    })
    expect(ghcr.tags('acme/only')).toEqual(['20261201T010000Z'])
  })

  it('reads the package visibility', async () => {
    const ghcr = await standIn({ visibility: 'public' })
    await seeded(ghcr, 'kim/public')
    const repository = parseRepository('ghcr.io/kim/public')
    const options = { repository, apiUrl: ghcr.apiUrl, token: ADMIN, fetch: globalThis.fetch }
    expect(await packageVisibility(options)).toBe('public')
    expect(await packageVisibility({ ...options, repository: parseRepository('ghcr.io/kim/none') })).toBe(
      undefined
    )
  })
})
