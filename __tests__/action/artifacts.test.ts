import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../../src/main.js'
import { startFakeArtifactService } from '../../src/local/artifact-service.js'
import type { FakeArtifactService } from '../../src/local/artifact-service.js'
import { fakeEngine } from './fake-engine.js'
import { sandbox, stepsFile } from './harness.js'
import type { RunSandbox } from './harness.js'

// The action's artifact code with the REAL @actions/artifact client against the loopback fake service.
let service: FakeArtifactService
let box: RunSandbox | undefined

beforeAll(async () => {
  service = await startFakeArtifactService()
})
afterAll(async () => {
  await service.close()
})
afterEach(() => {
  box?.restore()
  box = undefined
})

const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'

async function runSteps(
  yaml: (dir: string) => string,
  env: Record<string, string> = {},
  inputs: Record<string, string> = {}
) {
  box = await sandbox(inputs, { ...service.env, LMS_TOKEN: 'token', ...env })
  process.env['INPUT_CONFIG'] = await stepsFile(box.dir, yaml(box.dir))
  const engine = fakeEngine({ licenses: 3 })
  await run({ createEngine: engine.create, signals: new EventEmitter() })
  return {
    engine,
    lines: box.lines(),
    exitCode: process.exitCode,
    outputs: await box.outputs(),
    dir: box.dir
  }
}

describe('artifacts through the real client', () => {
  it('uploads the backup folder, then a restore downloads it into a private temp folder with the same bytes', async () => {
    const { engine, exitCode, outputs, lines, dir } = await runSteps(
      dir => `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - backup:
      path: ${dir}/backup
      artifact: { retention-days: 5 }
  - restore:
      from-artifact: { name: license-backup-nightly-2 }
      individualize: true
`
    )
    expect(lines.filter(l => l.startsWith('::error'))).toEqual([])
    expect(exitCode).toBe(0)
    const stored = service.artifacts.find(a => a.name === 'license-backup-nightly-2')
    expect(stored?.finalized).toBe(true)
    expect(outputs).toMatchObject({
      'artifact-id': String(stored?.id),
      'artifact-url': `https://github.com/acme/licenses/actions/runs/4242/artifacts/${stored?.id}`,
      'backed-up': '3',
      restored: '3'
    })
    expect(`sha256:${outputs['artifact-digest']}`).toBe(stored?.digest)
    // The restore read what the backup wrote, by way of the artifact.
    expect(engine.restoredPacks[0]?.equals(await readFile(join(dir, 'backup', 'licenses.tar')))).toBe(true)
    const restorePath = engine.restores[0]?.path ?? ''
    expect(restorePath.startsWith(join(dir, 'license-backup-restore-'))).toBe(true)
    // The download does not outlive the step.
    expect((await readdir(dir)).some(name => name.startsWith('license-backup-restore-'))).toBe(false)
  })

  it('uploads an encrypted backup without compression (level 0)', async () => {
    const { exitCode } = await runSteps(
      dir => `version: 1
store: ./licenses
steps:
  - backup:
      path: ${dir}/backup
      encrypt-to: [${RECIPIENT}]
      artifact: { name: encrypted, compression-level: 9 }
`
    )
    expect(exitCode).toBe(0)
    const stored = service.artifacts.find(a => a.name === 'encrypted')
    // The fake pack is very repetitive text: any compression would make the zip far smaller than it.
    const packSize = 'pack of 3 licenses from ./licenses\n'.length * 50
    expect(stored?.blob?.length).toBeGreaterThan(packSize)
  })

  it('a name already used in this run is an error naming the artifact and `overwrite`; overwrite: true replaces it', async () => {
    const yaml = (overwrite: boolean) => (dir: string) => `version: 1
store: ./licenses
steps:
  - backup:
      path: ${dir}/backup
      artifact:
        name: taken
        overwrite: ${overwrite}
`
    await runSteps(yaml(false))
    box?.restore()
    const second = await runSteps(yaml(false))
    expect(second.exitCode).toBe(1)
    const error = second.lines.find(l => l.startsWith('::error title=Invalid')) ?? ''
    expect(error).toMatch(
      /line=7,col=9::.*:7:9: an artifact named "taken" already exists in this run and `artifact.overwrite` is false: set `overwrite: true`/
    )
    box?.restore()
    const firstId = service.artifacts.find(a => a.name === 'taken')?.id
    const third = await runSteps(yaml(true))
    expect(third.exitCode).toBe(0)
    expect(service.calls).toContain('POST DeleteArtifact')
    const taken = service.artifacts.filter(a => a.name === 'taken')
    expect(taken).toHaveLength(1)
    expect(taken[0]?.id).not.toBe(firstId)
    expect(third.outputs['artifact-id']).toBe(String(taken[0]?.id))
  })

  it('a missing artifact is an error naming it, on the from-artifact line', async () => {
    const { exitCode, lines, engine } = await runSteps(
      () => `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - restore:
      from-artifact:
        name: never-uploaded
`
    )
    expect(exitCode).toBe(1)
    expect(engine.restores).toHaveLength(0)
    expect(lines.find(l => l.startsWith('::error'))).toMatch(
      /line=7,col=9::.*artifact "never-uploaded" was not found in this run: check `from-artifact.name`/
    )
  })

  it('another run needs the github-token input', async () => {
    const { lines } = await runSteps(
      () => `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - restore:
      from-artifact: { name: nightly, run-id: 77 }
`
    )
    expect(lines.find(l => l.startsWith('::error'))).toMatch(
      /needs the `github-token` input \(a token with `actions: read`\)/
    )
  })
})
