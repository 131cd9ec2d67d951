// `keep` never deletes what it must keep (ADR 0186), against the CNCF distribution registry with htpasswd
// auth and deletes enabled: the backup pushed in this run stays, a timestamp tag from a clock that ran
// ahead is neither counted nor deleted, a refused delete is reported rather than thrown, and "deleted"
// is said only of what a second listing no longer shows.
import { expect, it } from '@jest/globals'
import { LicenseBackupError } from '../../src/engine/index.js'
import { RegistryClient } from '../../src/action/registry/client.js'
import { applyKeep, FUTURE_SKEW_MS } from '../../src/action/registry/keep.js'
import { pushBackup } from '../../src/action/registry/push.js'
import { parseRepository } from '../../src/action/registry/reference.js'
import { REGISTRY_TOOLS } from '../../src/local/registry.js'
import { registerSecret } from '../support/secret-scan.js'
import { describeWithTools } from '../support/tools.js'
import { basic, basicRegistrySuite, tagsOf } from './support.js'

const PASSWORD = 'keep-test-password-5e2b'
registerSecret(PASSWORD)
const AUTH = basic('kim', PASSWORD)
const WHAT = 'the registry keep tests'
const describe = describeWithTools(WHAT, REGISTRY_TOOLS)
const suite = basicRegistrySuite(WHAT, 'kim', PASSWORD)

const client = (repo: string): RegistryClient =>
  new RegistryClient(parseRepository(`${suite.registry.host}/${repo}`), {
    credentials: { username: 'kim', password: PASSWORD },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 }
  })

async function push(repo: string, iso: string): Promise<string> {
  const pushed = await pushBackup(client(repo), suite.backup.path, suite.backup.files, {
    tags: [],
    now: new Date(iso)
  })
  return pushed.digest
}

describe('keep', () => {
  it('with a future-dated tag and last 1, the backup just pushed stays and the future one is set apart', async () => {
    await push('acme/future', '2026-11-28T01:00:00Z')
    await push('acme/future', '2027-03-01T01:00:00Z') // a runner whose clock ran three months ahead
    const now = new Date('2026-11-30T01:00:00Z')
    const tonight = await push('acme/future', now.toISOString())
    const result = await applyKeep(
      client('acme/future'),
      { last: 1 },
      { dryRun: false, pushed: tonight, now }
    )
    expect(result.kept.map(k => k.digest)).toEqual([tonight])
    expect(result.future.map(f => f.tag)).toEqual(['20270301T010000Z'])
    expect(result.deleted.map(d => d.tag)).toEqual(['20261128T010000Z'])
    expect(await tagsOf(suite.registry, 'acme/future', AUTH)).toEqual([
      '20261130T010000Z',
      '20270301T010000Z'
    ])
  })

  it('a tag within the skew ahead of the clock still counts', async () => {
    const now = new Date('2026-11-30T01:00:00Z')
    await push('acme/skew', '2026-11-29T01:00:00Z')
    const ahead = await push('acme/skew', new Date(now.getTime() + FUTURE_SKEW_MS - 60_000).toISOString())
    const tonight = await push('acme/skew', now.toISOString())
    const result = await applyKeep(client('acme/skew'), { last: 1 }, { dryRun: false, pushed: tonight, now })
    expect(result.future).toEqual([])
    // The slightly-ahead backup is the newest: `last 1` keeps it, and tonight's is kept as the one pushed.
    expect(result.kept.map(k => k.digest)).toEqual([ahead])
    expect(result.deleted.map(d => d.tag)).toEqual(['20261129T010000Z'])
    expect(await tagsOf(suite.registry, 'acme/skew', AUTH)).toHaveLength(2)
  })

  it('a refused delete is reported with its reason, and the other deletes go on', async () => {
    const now = new Date('2026-11-30T01:00:00Z')
    const first = await push('acme/refused', '2026-11-27T01:00:00Z')
    await push('acme/refused', '2026-11-28T01:00:00Z')
    const tonight = await push('acme/refused', now.toISOString())
    const ordinary = client('acme/refused')
    const result = await applyKeep(
      ordinary,
      { last: 1 },
      {
        dryRun: false,
        pushed: tonight,
        now,
        deleter: async digest => {
          if (digest === first)
            throw new LicenseBackupError('SERVICE_ERROR', 'HTTP 400: last tagged version.')
          const response = await ordinary.request({
            method: 'DELETE',
            url: ordinary.path(`manifests/${digest}`)
          })
          expect(response.status).toBe(202)
        }
      }
    )
    expect(result.failed).toEqual([
      { tag: '20261127T010000Z', digest: first, reason: 'HTTP 400: last tagged version.' }
    ])
    expect(result.deleted.map(d => d.tag)).toEqual(['20261128T010000Z'])
    expect(await tagsOf(suite.registry, 'acme/refused', AUTH)).toEqual([
      '20261127T010000Z',
      '20261130T010000Z'
    ])
  })

  it('a delete the registry claims but does not do is not reported as deleted', async () => {
    const now = new Date('2026-11-30T01:00:00Z')
    await push('acme/claimed', '2026-11-28T01:00:00Z')
    const tonight = await push('acme/claimed', now.toISOString())
    // GHCR answers 404 to a delete its token may not do: the deleter sees nothing wrong.
    const result = await applyKeep(
      client('acme/claimed'),
      { last: 1 },
      {
        dryRun: false,
        pushed: tonight,
        now,
        deleter: async () => undefined
      }
    )
    expect(result.deleted).toEqual([])
    expect(result.failed).toEqual([
      expect.objectContaining({ tag: '20261128T010000Z', reason: expect.stringContaining('still listed') })
    ])
  })
})
