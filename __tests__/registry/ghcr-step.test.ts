// The backup step's registry push (pushToRegistry) against the GHCR stand-in fronted as https://ghcr.io and
// https://api.github.com (a fetch that sends those origins to it): what the step warns about after a
// good push (ADR 0186, 0188): an unencrypted backup in a public package, a future-dated backup left
// alone, and a delete GitHub refused, naming the package's settings page and the Admin role.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { RegistryClient } from '../../src/action/registry/client.js'
import { pushBackup } from '../../src/action/registry/push.js'
import { parseRepository } from '../../src/action/registry/reference.js'
import { pushToRegistry } from '../../src/action/registry/steps.js'
import { log } from '../../src/action/log/write.js'
import { mask } from '../../src/action/secrets.js'
import { startGhcrStandIn, type GhcrStandIn } from '../../src/local/ghcr.js'
import { tempDirs } from '../support/engine.js'
import { registerSecret } from '../support/secret-scan.js'
import { makeBackup } from './support.js'

const TOKEN = 'ghcr-step-token-7a3c'
registerSecret(TOKEN)
const dirs = tempDirs()
let ghcr: GhcrStandIn
const lines: string[] = []

beforeAll(async () => {
  ghcr = await startGhcrStandIn({
    tokens: { [TOKEN]: { push: true, admin: false } },
    owners: { kim: 'users' },
    visibility: 'public',
    realmOrigin: 'https://ghcr.io'
  })
})
afterAll(async () => {
  await ghcr.close()
  await dirs.cleanup()
})

/** fetch, with https://ghcr.io and https://api.github.com sent to the stand-in. */
const fronted: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input))
  const path = `${url.pathname}${url.search}`
  if (url.origin === 'https://ghcr.io') return fetch(new URL(path, ghcr.url), init)
  if (url.origin === 'https://api.github.com') return fetch(new URL(`/api${path}`, ghcr.url), init)
  return fetch(url, init)
}

describe('a push to GHCR from the backup step', () => {
  it('warns about a public unencrypted package, a future-dated backup and a refused delete; the push stands', async () => {
    const repository = parseRepository('ghcr.io/kim/public')
    const backup = await makeBackup(await dirs.make(), 3)
    const earlier = new RegistryClient(repository, {
      credentials: { username: 'kim', password: TOKEN },
      fetch: fronted,
      onToken: registerSecret
    })
    for (const at of ['2026-11-01T01:00:00Z', '2027-06-01T01:00:00Z']) {
      await pushBackup(earlier, backup.path, backup.files, { tags: [], now: new Date(at) })
    }
    const eventPath = join(await dirs.make(), 'event.json')
    await writeFile(eventPath, JSON.stringify({ repository: { owner: { login: 'kim', type: 'User' } } }))
    const now = Date.parse('2026-12-07T01:00:00Z')
    // What @actions/core writes to the job log, as the action's own tests capture it.
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      lines.push(String(chunk))
      return true
    })
    let record: Awaited<ReturnType<typeof pushToRegistry>>
    try {
      record = await pushToRegistry(
        {
          repository,
          tags: ['nightly'],
          keep: { last: 1, dryRun: false },
          tokenEnv: { name: 'GHCR_TOKEN', at: { source: 'steps', line: 1, column: 1 } },
          at: { source: 'steps', line: 1, column: 1 }
        },
        backup,
        TOKEN,
        {
          fetch: fronted,
          signal: new AbortController().signal,
          run: {
            serverUrl: 'https://github.com',
            apiUrl: 'https://api.github.com',
            repository: 'kim/public',
            runId: '1',
            job: 'backup',
            attempt: '1',
            actor: 'kim',
            eventPath
          },
          now: () => now,
          pushed: new Map(),
          log,
          onToken: mask
        }
      )
    } finally {
      stdout.mockRestore()
    }
    expect(record.tags).toEqual(['20261207T010000Z', 'nightly'])
    expect(ghcr.tags('kim/public')).toEqual([
      '20261101T010000Z',
      '20261207T010000Z',
      '20270601T010000Z',
      'nightly'
    ])
    expect(record.keep?.deleted).toEqual([])
    const warnings = lines.filter(line => line.startsWith('::warning'))
    const settings = 'https://github.com/users/kim/packages/container/public/settings'
    expect(warnings).toEqual([
      expect.stringContaining('is not encrypted and the package is public: anyone can pull it'),
      expect.stringContaining('keep did not delete 20261101T010000Z'),
      expect.stringContaining('keep left 20270601T010000Z in ghcr.io/kim/public alone')
    ])
    expect(warnings[1]).toContain(`the Admin role on the package for this workflow's repository`)
    expect(warnings[1]).toContain(settings)
  })

  it('warns about an unencrypted push from a public repository when GitHub does not say the package visibility, and not from a private one', async () => {
    const repository = parseRepository('ghcr.io/kim/fresh')
    const backup = await makeBackup(await dirs.make(), 3)
    // The Packages API does not know the package yet (a first push): it answers 404 for its visibility.
    const unknownVisibility: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      if (url.origin === 'https://api.github.com') return Promise.resolve(new Response('{}', { status: 404 }))
      return fronted(input, init)
    }
    const warningsFor = async (repositoryPayload: Record<string, unknown>): Promise<string[]> => {
      const eventPath = join(await dirs.make(), 'event.json')
      await writeFile(eventPath, JSON.stringify({ repository: repositoryPayload }))
      const seen: string[] = []
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
        seen.push(String(chunk))
        return true
      })
      try {
        await pushToRegistry(
          {
            repository,
            tags: ['nightly'],
            tokenEnv: { name: 'GHCR_TOKEN', at: { source: 'steps', line: 1, column: 1 } },
            at: { source: 'steps', line: 1, column: 1 }
          },
          backup,
          TOKEN,
          {
            fetch: unknownVisibility,
            signal: new AbortController().signal,
            run: {
              serverUrl: 'https://github.com',
              apiUrl: 'https://api.github.com',
              repository: 'kim/fresh',
              runId: '2',
              job: 'backup',
              attempt: '1',
              actor: 'kim',
              eventPath
            },
            now: () => Date.parse('2026-12-07T02:00:00Z'),
            pushed: new Map(),
            log,
            onToken: mask
          }
        )
      } finally {
        stdout.mockRestore()
      }
      return seen.filter(line => line.startsWith('::warning'))
    }
    expect(await warningsFor({ private: false, owner: { login: 'kim', type: 'User' } })).toEqual([
      expect.stringContaining(
        'is not encrypted and this workflow runs in a public repository, and GHCR makes a package first published from one public'
      )
    ])
    expect(await warningsFor({ private: true, owner: { login: 'kim', type: 'User' } })).toEqual([])
  })
})
