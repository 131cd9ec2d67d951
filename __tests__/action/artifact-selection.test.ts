import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../../src/main.js'
import { startFakeArtifactService } from '../../src/local/artifact-service.js'
import type { FakeArtifactService, FakeRun, StoredArtifact } from '../../src/local/artifact-service.js'
import { fakeEngine } from './fake-engine.js'
import { sandbox, stepsFile } from './harness.js'
import type { RunSandbox } from './harness.js'

// Artifact poisoning (issue 10, item 8; docs/format.md, where backups live): a restore `from-artifact: { workflow }` takes the newest
// non-expired artifact among trusted runs only, against a loopback fake of the GitHub REST API with the
// REAL @actions/artifact client downloading.

let service: FakeArtifactService
let box: RunSandbox | undefined
/** Two backups with different packs: which one a restore read tells which artifact it used. */
let good: StoredArtifact
let evil: StoredArtifact

const NOW = Date.parse('2026-11-30T12:00:00Z')
const DAY = 86_400_000

beforeAll(async () => {
  service = await startFakeArtifactService()
  box = await sandbox({}, service.env)
  process.env['INPUT_CONFIG'] = await stepsFile(
    box.dir,
    `version: 1
store: ./unused
steps:
  - backup: { store: ./good-store, path: ${box.dir}/good, artifact: { name: seed-good } }
  - backup: { store: ./evil-store, path: ${box.dir}/evil, artifact: { name: seed-evil } }
`
  )
  await run({ createEngine: fakeEngine({ licenses: 2 }).create, signals: new EventEmitter() })
  box.restore()
  box = undefined
  good = service.artifacts.find(a => a.name === 'seed-good') as StoredArtifact
  evil = service.artifacts.find(a => a.name === 'seed-evil') as StoredArtifact
})
afterAll(() => service.close())
afterEach(() => {
  box?.restore()
  box = undefined
})

let nextRun = 100
function addRun(
  run: Partial<FakeRun>,
  artifact?: { from: StoredArtifact; expiresAt?: string; expired?: boolean }
) {
  const id = nextRun++
  service.runs.push({
    id,
    workflow: 'nightly.yml',
    event: 'schedule',
    branch: 'main',
    sha: `${id}`.padEnd(40, 'c'),
    conclusion: 'success',
    createdAt: new Date(NOW - 1000 * (1000 - id)).toISOString(),
    ...run
  })
  const copy = artifact
    ? service.copyArtifact(artifact.from, {
        runId: id,
        name: 'license-backup',
        expiresAt: artifact.expiresAt ?? new Date(NOW + 30 * DAY).toISOString(),
        ...(artifact.expired === undefined ? {} : { expired: artifact.expired })
      })
    : undefined
  return { id, artifact: copy }
}

async function restoreFrom(fromArtifact: string, env: Record<string, string> = {}) {
  box = await sandbox({ 'github-token': 'gh-token' }, { ...service.env, LMS_TOKEN: 'token', ...env })
  process.env['INPUT_CONFIG'] = await stepsFile(
    box.dir,
    `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - restore:
      from-artifact: ${fromArtifact}
`
  )
  service.calls.length = 0
  const engine = fakeEngine({ root: box.dir })
  await run({ createEngine: engine.create, signals: new EventEmitter(), now: () => NOW })
  const pack = engine.restoredPacks[0]?.toString('utf8') ?? ''
  return {
    lines: box.lines(),
    exitCode: process.exitCode,
    used: pack.includes('./good-store') ? 'good' : pack.includes('./evil-store') ? 'evil' : 'none',
    summary: await box.summary()
  }
}

describe('from-artifact: { workflow } takes only trusted runs (docs/format.md, where backups live)', () => {
  it('passes over a fork, other events, expired artifacts and runs without one, and says why', async () => {
    service.runs.length = 0
    const trusted = addRun({ event: 'workflow_dispatch' }, { from: good })
    addRun({ event: 'schedule' }) // no artifact at all
    addRun({ event: 'push' }, { from: evil, expired: true })
    addRun({ event: 'push' }, { from: evil, expiresAt: new Date(NOW - DAY).toISOString() })
    addRun({ event: 'pull_request' }, { from: evil }) // this repository, but a pull request
    addRun({ event: 'push', headRepository: 'mallory/licenses' }, { from: evil }) // a fork's branch named main
    const fork = addRun({ event: 'pull_request', headRepository: 'mallory/licenses' }, { from: evil })
    const { lines, exitCode, used, summary } = await restoreFrom(
      '{ name: license-backup, workflow: nightly.yml }'
    )
    expect(lines.filter(l => l.startsWith('::error'))).toEqual([])
    expect(exitCode).toBe(0)
    expect(used).toBe('good')
    const log = lines.join('\n')
    expect(log).toContain(
      `Using artifact "license-backup" (ID ${trusted.artifact?.id}, ${good.size} bytes) of run ${trusted.id} (#${trusted.id}, event workflow_dispatch, branch main, commit ${trusted.id}ccccccccc) in acme/licenses; it expires 2026-12-30T12:00:00.000Z.`
    )
    expect(log).toContain(
      `Skipped run ${fork.id} (#${fork.id}, event pull_request, branch main, commit ${fork.id}ccccccccc): its event pull_request is not one of schedule, push, workflow_dispatch.`
    )
    expect(log).toMatch(/its head repository mallory\/licenses is not acme\/licenses \(a fork/)
    expect(log).toMatch(/its artifact "license-backup" has expired\./)
    expect(log).toMatch(/its artifact "license-backup" expired on 2026-11-29/)
    expect(log).toMatch(/it has no artifact named "license-backup"\./)
    expect(summary).toContain(`of run ${trusted.id} (#${trusted.id}, event workflow_dispatch, branch main`)
    expect(service.calls).toContain('GET /repos/acme/licenses')
    expect(service.calls).toContain(`GET /repos/acme/licenses/actions/artifacts/${trusted.artifact?.id}/zip`)
  })

  it('reads past the first page of runs, and counts the skipped runs past 20', async () => {
    service.runs.length = 0
    const trusted = addRun({}, { from: good })
    for (let i = 0; i < 120; i++) addRun({ event: 'pull_request', headRepository: 'mallory/licenses' })
    const { lines, used } = await restoreFrom('{ name: license-backup, workflow: nightly.yml }')
    expect(used).toBe('good')
    expect(lines.filter(l => l.startsWith('Skipped run '))).toHaveLength(20)
    expect(lines).toContain('… and 100 more skipped run(s).')
    expect(lines.join('\n')).toContain(`of run ${trusted.id} (`)
    expect(service.calls.filter(c => c.endsWith('/workflows/nightly.yml/runs'))).toHaveLength(2)
    // Untrusted runs cost no artifact lookup.
    expect(service.calls.filter(c => /\/runs\/\d+\/artifacts$/.test(c))).toEqual([
      `GET /repos/acme/licenses/actions/runs/${trusted.id}/artifacts`
    ])
  })

  it('warns when the artifact it uses expires within 7 days', async () => {
    service.runs.length = 0
    addRun({}, { from: good, expiresAt: new Date(NOW + 3 * DAY).toISOString() })
    const { lines, used } = await restoreFrom('{ name: license-backup, workflow: nightly.yml }')
    expect(used).toBe('good')
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::warning::Artifact "license-backup" \(ID \d+\) expires 2026-12-03T12:00:00.000Z, in 3.0 day\(s\)/
      )
    )
  })

  it('fails, naming the workflow, branch and events, when no trusted run has the artifact; nothing is restored', async () => {
    service.runs.length = 0
    addRun({ event: 'pull_request', headRepository: 'mallory/licenses' }, { from: evil })
    addRun({ event: 'issue_comment' }, { from: evil })
    const { lines, exitCode, used } = await restoreFrom('{ name: license-backup, workflow: nightly.yml }')
    expect(exitCode).toBe(1)
    expect(used).toBe('none')
    expect(lines.find(l => l.startsWith('::error'))).toMatch(
      /line=6,col=22::.*no trusted successful run of workflow nightly.yml of acme\/licenses on branch main \(events schedule, push, workflow_dispatch, not from a fork\) has a usable artifact "license-backup"; 2 run\(s\) skipped/
    )
  })

  it('`branch`, `events` and `allow-forks` widen the choice on purpose', async () => {
    service.runs.length = 0
    addRun({ branch: 'release' }, { from: good })
    addRun({ event: 'pull_request', headRepository: 'mallory/licenses' }, { from: evil })
    expect((await restoreFrom('{ name: license-backup, workflow: nightly.yml, branch: release }')).used).toBe(
      'good'
    )
    box?.restore()
    const forks = await restoreFrom(
      '{ name: license-backup, workflow: nightly.yml, events: [pull_request], allow-forks: true }'
    )
    expect(forks.used).toBe('evil')
  })

  it('takes the default branch from the event payload when it describes this repository', async () => {
    service.runs.length = 0
    addRun({ branch: 'trunk' }, { from: good })
    addRun({ branch: 'main' }, { from: evil })
    const event = join(service.url.replace(/\W/g, ''), '')
    box = await sandbox({})
    const eventPath = join(box.dir, `${event}-event.json`)
    await writeFile(
      eventPath,
      JSON.stringify({ repository: { full_name: 'Acme/Licenses', default_branch: 'trunk' } })
    )
    box.restore()
    const { used } = await restoreFrom('{ name: license-backup, workflow: nightly.yml }', {
      GITHUB_EVENT_PATH: eventPath
    })
    expect(used).toBe('good')
    expect(service.calls).not.toContain('GET /repos/acme/licenses')
  })
})

describe('from-artifact: an explicit `artifact-id` or `run-id`', () => {
  it('artifact-id: that artifact, if its name matches, it has not expired and its run is not a fork', async () => {
    service.runs.length = 0
    const trusted = addRun({ event: 'push', branch: 'feature' }, { from: good })
    const expired = addRun({}, { from: good, expired: true })
    const fork = addRun({ event: 'pull_request', headRepository: 'mallory/licenses' }, { from: evil })
    const use = (id: number | undefined, extra = '') =>
      restoreFrom(`{ name: license-backup, artifact-id: ${id}${extra} }`)
    expect((await use(trusted.artifact?.id)).used).toBe('good')
    box?.restore()
    const wrongName = await restoreFrom(`{ name: other-name, artifact-id: ${trusted.artifact?.id} }`)
    expect(wrongName.lines.find(l => l.startsWith('::error'))).toMatch(
      /is named "license-backup", not "other-name"/
    )
    box?.restore()
    const old = await use(expired.artifact?.id)
    expect(old.lines.find(l => l.startsWith('::error'))).toMatch(
      /artifact \d+ in acme\/licenses has expired: pick another backup/
    )
    box?.restore()
    const forked = await use(fork.artifact?.id)
    expect(forked.used).toBe('none')
    expect(forked.lines.find(l => l.startsWith('::error'))).toMatch(
      /run \d+ .* is not trusted: its head repository mallory\/licenses is not acme\/licenses/
    )
    box?.restore()
    expect((await use(fork.artifact?.id, ', allow-forks: true')).used).toBe('evil')
  })

  it('run-id: a fork run is refused; a trusted one gives its newest usable artifact', async () => {
    service.runs.length = 0
    const fork = addRun({ event: 'pull_request', headRepository: 'mallory/licenses' }, { from: evil })
    const trusted = addRun({ event: 'push' }, { from: good })
    const forked = await restoreFrom(`{ name: license-backup, run-id: ${fork.id} }`)
    expect(forked.used).toBe('none')
    expect(forked.lines.find(l => l.startsWith('::error'))).toMatch(/is not trusted: its head repository/)
    box?.restore()
    expect((await restoreFrom(`{ name: license-backup, run-id: ${trusted.id} }`)).used).toBe('good')
  })
})
