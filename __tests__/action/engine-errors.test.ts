import { afterEach, describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { LicenseBackupError } from '../../src/engine/errors.js'
import { message } from '../../src/engine/message.js'
import { option } from '../../src/engine/options.js'
import { run } from '../../src/main.js'
import { claims, putLicense } from '../support/engine.js'
import { fakeEngine } from './fake-engine.js'
import { sandbox, stepsFile, type RunSandbox } from './harness.js'

// Issue 10 item 14: a bug is INTERNAL_ERROR with its stack in the debug log; the engine's option names
// reach the job log in the steps file's words.
let box: RunSandbox | undefined
afterEach(() => {
  box?.restore()
  box = undefined
})

const BACKUP = `version: 1
store: ./licenses
steps:
  - backup: { path: ./backup }
`

async function runAction(yaml: string, fail?: Error): Promise<string[]> {
  box = await sandbox({})
  process.env['INPUT_CONFIG'] = await stepsFile(box.dir, yaml)
  const options = { signals: new EventEmitter() }
  if (fail) await run({ ...options, createEngine: fakeEngine({ root: box.dir, fail }).create })
  else await run(options)
  return box.lines()
}

describe('run(): errors the engine did not expect', () => {
  it('a TypeError fails the step as INTERNAL_ERROR, its stack only in the debug log', async () => {
    const lines = await runAction(
      BACKUP,
      new TypeError("Cannot read properties of undefined (reading 'jti')")
    )
    expect(process.exitCode).toBe(1)
    const failure = lines.filter(line => line.startsWith('::error::'))
    expect(failure).toHaveLength(1)
    expect(failure[0]).toContain("TypeError: Cannot read properties of undefined (reading 'jti')")
    expect(failure[0]).toContain('[INTERNAL_ERROR]')
    expect(failure[0]).not.toContain('IO_ERROR')
    expect(failure[0]).not.toContain('engine-errors.test.ts')
    const debug = lines.filter(line => line.startsWith('::debug::Stack of the unexpected error'))
    expect(debug).toHaveLength(1)
    expect(debug[0]).toContain('engine-errors.test.ts')
  })

  it('an engine error naming an option reaches the log in the steps file’s words', async () => {
    const lines = await runAction(
      BACKUP,
      new LicenseBackupError(
        'STORE_INVALID',
        message`The store ${'./licenses'} does not exist; check ${option('store')}.`
      )
    )
    expect(lines).toContain(
      '::error::The store ./licenses does not exist; check `store` in the steps file. [STORE_INVALID]'
    )
  })
})

describe('run(): the real engine, in the steps file’s words', () => {
  it('BACKUP_EXISTS says to set `overwrite: true`; the unverified warning names `trust`', async () => {
    box = await sandbox({})
    const dir = box.dir
    await putLicense(join(dir, 'licenses'), 'a.jwt', claims())
    const yaml = BACKUP.replace('./licenses', join(dir, 'licenses')).replace('./backup', join(dir, 'backup'))
    box.restore()
    const first = await runAction(yaml)
    expect(
      first.some(line => line.startsWith('::warning::') && line.includes('`trust` in the steps file'))
    ).toBe(true)
    expect(first.join('\n')).not.toMatch(/the `\w+(\.\w+)?` option/)
    const second = await runAction(yaml)
    expect(second).toContainEqual(
      expect.stringMatching(
        /^::error::A backup already exists at .*backup, and the backup step's `overwrite` is off; set `overwrite: true` on the backup step to replace it, or choose another path\. \[BACKUP_EXISTS\]$/
      )
    )
  })

  it('a damaged restore journal fails the step naming it and `roll-back-interrupted`, which recovers (issue 23 item 6)', async () => {
    box = await sandbox({})
    const dir = box.dir
    await putLicense(join(dir, 'licenses'), 'a.jwt', claims())
    const journal = join(dir, 'licenses', '.license-backup', 'restore', 'journal.json')
    await mkdir(dirname(journal), { recursive: true })
    await writeFile(journal, '{"id": "1-x", "paths": ["a.j')
    const yaml = BACKUP.replace('./licenses', join(dir, 'licenses')).replace('./backup', join(dir, 'backup'))
    box.restore()
    const failed = await runAction(yaml)
    expect(failed).toContainEqual(
      expect.stringMatching(
        /^::error::The restore journal .*journal\.json cannot be used: it is not JSON \(cut short or overwritten\)\..* set `roll-back-interrupted: true` on the step and run again.* \[STORE_INVALID\]$/
      )
    )
    const recovered = await runAction(
      yaml.replace(
        `path: ${join(dir, 'backup')} }`,
        `path: ${join(dir, 'backup')}, roll-back-interrupted: true }`
      )
    )
    expect(recovered.filter(line => line.startsWith('::error::'))).toEqual([])
    expect(recovered).toContainEqual(
      expect.stringMatching(
        /^::warning::The restore journal .* was rolled back: .*kept as journal\.json\.damaged-/
      )
    )
    expect(recovered.join('\n')).toContain("As the step's `roll-back-interrupted` asks")
  })
})

describe('run(): engine messages phrased from their structure (issue 25 item 5)', () => {
  it('the unauthenticated-backup warning names `signers` once, in the steps file’s words', async () => {
    box = await sandbox({})
    const dir = box.dir
    await putLicense(join(dir, 'licenses'), 'a.jwt', claims())
    box.restore()
    const lines = await runAction(`version: 1
store: ${join(dir, 'licenses')}
steps:
  - backup: { path: ${join(dir, 'backup')} }
  - verify: { path: ${join(dir, 'backup')} }
`)
    const warnings = lines.filter(line => line.includes('not authenticated'))
    expect(warnings).toEqual([
      '::warning::The backup is not authenticated: anyone who can change the backup folder can change what is restored. Sign backups with an SSH key and give their allowed signers file as `signers` in the steps file.'
    ])
  })

  it('a value that reads like an option name is printed as it is, never rewritten', async () => {
    box = await sandbox({})
    const store = join(box.dir, 'the `store` option')
    box.restore()
    const lines = await runAction(BACKUP.replace('./licenses', JSON.stringify(store)))
    expect(lines).toContainEqual(
      `::error::The store ${store} does not exist; check \`store\` in the steps file. [STORE_INVALID]`
    )
  })
})
