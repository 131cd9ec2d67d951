// A SIGKILL during a restore from an artifact (issue 10, item 9; docs/names.md): the downloaded backup, plaintext
// when it is not encrypted, must not outlive the next run. The action runs in a child process (bundled with
// esbuild, the real @actions/artifact client against the loopback fake service) that is killed with
// SIGKILL while its restore runs: no cleanup, no finally.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { EventEmitter } from 'node:events'
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../src/main.js'
import { startFakeArtifactService } from '../../src/local/artifact-service.js'
import type { FakeArtifactService } from '../../src/local/artifact-service.js'
import { fakeEngine } from '../action/fake-engine.js'
import { sandbox, stepsFile } from '../action/harness.js'
import { buildChild } from './crash-support.js'

let service: FakeArtifactService
let child: string
let root: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-crash-artifact-'))
  service = await startFakeArtifactService()
  child = await buildChild('action-child')
  // An unencrypted backup, uploaded as this run's artifact: its pack is plaintext.
  await inProcessRun(
    root,
    `version: 1\nstore: ./licenses\nsteps:\n  - backup: { path: ${root}/backup, artifact: { name: plain-backup } }\n`
  )
})
afterAll(async () => {
  await service.close()
  await rm(root, { recursive: true, force: true })
  await rm(child, { force: true })
})

async function inProcessRun(tempDir: string, yaml: string): Promise<string[]> {
  const box = await sandbox({}, { ...service.env, RUNNER_TEMP: tempDir })
  try {
    process.env['INPUT_CONFIG'] = await stepsFile(root, yaml, `steps-${Date.now()}.yml`)
    await run({ createEngine: fakeEngine({ licenses: 3, root }).create, signals: new EventEmitter() })
    return box.lines()
  } finally {
    box.restore()
  }
}

/** Runs the action in a child, restoring `plain-backup`, and kills it with SIGKILL once its restore runs. */
async function killedRestore(tempDir: string): Promise<string> {
  const proc = spawn(process.execPath, [child], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      ...service.env,
      GITHUB_REPOSITORY: 'acme/licenses',
      GITHUB_RUN_ID: '4242',
      RUNNER_TEMP: tempDir,
      LMS_TOKEN: 'token',
      INPUT_STEPS: `version: 1
store: ./machine-b
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - restore: { from-artifact: { name: plain-backup }, individualize: true }
`
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  let stdout = ''
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const restoring = new Promise<string>((done, fail) => {
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const path = /RESTORING (.+)\n/.exec(stderr)?.[1]
      if (path) done(path)
    })
    proc.on('exit', () => fail(new Error(`the child ended before its restore: ${stderr}\n${stdout}`)))
  })
  const path = await restoring
  const exited = once(proc, 'exit')
  proc.kill('SIGKILL')
  const [, signal] = await exited
  expect(signal).toBe('SIGKILL')
  return path
}

const leftovers = async (dir: string): Promise<string[]> =>
  (await readdir(dir)).filter(name => name.startsWith('license-backup-restore-'))

describe('SIGKILL during a restore from an artifact', () => {
  it('leaves no downloaded plaintext past the next run, and never touches a running restore', async () => {
    const tempDir = await mkdtemp(join(root, 'runner-temp-'))
    const path = await killedRestore(tempDir)
    // The kill came while the engine read the download: the plaintext pack is on disk now.
    expect(await leftovers(tempDir)).toHaveLength(1)
    expect((await readFile(join(path, 'licenses.tar'), 'utf8')).startsWith('pack of 3 licenses')).toBe(true)
    // A restore still running in another process (this one) keeps its folder.
    const live = join(tempDir, `license-backup-restore-${process.pid}-running`)
    await mkdir(live)

    const lines = await inProcessRun(
      tempDir,
      `version: 1\nstore: ./licenses\nsteps:\n  - backup: { path: ${root}/backup-2 }\n`
    )
    expect(lines).toContain(`Removed 1 download folder(s) left by a killed run: ${path}.`)
    expect(await leftovers(tempDir)).toEqual([`license-backup-restore-${process.pid}-running`])
  })
})
