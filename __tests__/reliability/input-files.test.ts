import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadSteps } from '../../src/action/steps/load.js'
import { createBackupRestorer } from '../../src/engine/index.js'
import { exec, putLicense, claims, tempDirs } from '../support/engine.js'

// Issue 10 item 10 (docs/reliability.md): an input that cannot be read as a file (FIFO, device, folder) is refused at
// once, naming it. On the old code a FIFO hung the step forever: these tests then fail by their timeout.
const dirs = tempDirs()
let root: string
let store: string
const inputs: Record<string, { path: () => string; kind: string }> = {
  FIFO: { path: () => join(root, 'pipe'), kind: 'a FIFO (named pipe)' },
  device: { path: () => '/dev/zero', kind: 'a device' },
  folder: { path: () => join(root, 'folder.json'), kind: 'a folder' }
}

beforeAll(async () => {
  root = await dirs.make('lb-input-files-')
  store = join(root, 'store')
  await putLicense(store, 'a.jwt', claims())
  await exec('mkfifo', [join(root, 'pipe')])
  await mkdir(join(root, 'folder.json'))
})
afterAll(() => dirs.cleanup())

const QUICK = 10_000

describe.each(Object.keys(inputs))('a %s given as an input file', name => {
  const input = inputs[name]!

  it(
    'as the catalog: CONFIG_INVALID naming it and what it is, nothing written',
    async () => {
      const path = join(root, `backup-catalog-${name}`)
      await expect(
        createBackupRestorer().backup({ store, path, catalog: input.path() })
      ).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(`The catalog ${input.path()} is ${input.kind}, not a regular file`)
      })
    },
    QUICK
  )

  it(
    'as trust.jwks: CONFIG_INVALID naming it and what it is',
    async () => {
      const path = join(root, `backup-jwks-${name}`)
      await expect(
        createBackupRestorer().backup({ store, path, trust: { jwksFile: input.path() } })
      ).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(
          `The trust JWKS file ${input.path()} is ${input.kind}, not a regular file`
        )
      })
    },
    QUICK
  )

  it(
    'as the steps file (`config`): refused naming it and what it is',
    async () => {
      await expect(loadSteps({ config: input.path(), inline: '' })).rejects.toThrow(
        `Steps file ${input.path()} is ${input.kind}, not a regular file`
      )
    },
    QUICK
  )
})

it('a missing steps file still says to create it', async () => {
  await expect(loadSteps({ config: join(root, 'none.yml'), inline: '' })).rejects.toThrow(
    /does not exist: create it or set the `config` input/
  )
})

it('a regular steps file is read as before', async () => {
  const file = join(root, 'steps.yml')
  await writeFile(file, `version: 1\nstore: ${store}\nsteps:\n  - backup: { path: ${join(root, 'b')} }\n`)
  expect((await loadSteps({ config: file, inline: '' })).steps).toHaveLength(1)
})
