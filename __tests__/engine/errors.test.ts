import { afterEach, describe, expect, it } from '@jest/globals'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer, type LicenseBackupError } from '../../src/engine/index.js'
import { nodeFileIO, withFileIO, type FileIO } from '../../src/engine/io/file-io.js'
import { claims, putLicense, tempDirs } from '../support/engine.js'

// Issue 10 item 14: only errors with an errno are IO_ERROR; anything else is INTERNAL_ERROR keeping the
// original (and its stack) as the cause. Engine messages name the engine's options, never the steps file.
const dirs = tempDirs()
afterEach(() => dirs.cleanup())

/** Node's file operations, but opening the pack fails with `error`. */
function packOpenFails(error: Error): FileIO {
  return {
    ...nodeFileIO,
    open: (path, flags, mode) =>
      /licenses\.tar(\.gz)?$/.test(path) ? Promise.reject(error) : nodeFileIO.open(path, flags, mode)
  }
}

async function backupFailingWith(error: Error): Promise<LicenseBackupError> {
  const root = await dirs.make()
  const store = join(root, 'store')
  await putLicense(store, 'a.jwt', claims())
  const path = join(root, 'backup')
  const failure = await withFileIO(packOpenFails(error), () =>
    createBackupRestorer().backup({ store, path })
  ).catch((caught: unknown) => caught as LicenseBackupError)
  expect(await readdir(root)).toEqual(['store'])
  return failure as LicenseBackupError
}

describe('errors at the engine’s edge', () => {
  it('a bug (a TypeError) is INTERNAL_ERROR, says it is a bug, and keeps the original with its stack', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'size')")
    const error = await backupFailingWith(bug)
    expect(error.code).toBe('INTERNAL_ERROR')
    expect(error.message).toContain("TypeError: Cannot read properties of undefined (reading 'size')")
    expect(error.message).toContain('a bug in license-backup')
    expect(error.message).not.toContain('check the folder, its permissions and free space')
    expect(error.cause).toBe(bug)
    expect((error.cause as Error).stack).toContain('errors.test.ts')
  })

  it('an error with an errno is still IO_ERROR with advice', async () => {
    const error = await backupFailingWith(
      Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    )
    expect(error.code).toBe('IO_ERROR')
    expect(error.message).toContain('(ENOSPC); check the folder, its permissions and free space')
  })
})

describe('engine messages name the engine’s options', () => {
  // The steps file's vocabulary: its keys, spelled as YAML, and the action's own words for its parts.
  const STEPS_VOCABULARY = [
    /token-env|identity-env|key-env|jwks-url|encrypt-to|on-restricted|from-artifact|retention-days/,
    /trust\.jwks\b/,
    /\b(overwrite|individualize): true/,
    /steps file|restore step|backup step|the `\w+` input/,
    /\b(store|pattern|catalog|overwrite) setting/
  ]

  it('no string in src/engine uses the steps file’s vocabulary', async () => {
    const offending: string[] = []
    for (const file of await sourceFiles('src/engine')) {
      const lines = (await readFile(file, 'utf8')).split('\n')
      lines.forEach((line, index) => {
        const code = line.trim()
        if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/**')) return
        const strings = code.match(/(['"`])(?:\\.|(?!\1).)*\1/g) ?? []
        if (strings.some(text => STEPS_VOCABULARY.some(words => words.test(text))))
          offending.push(`${file}:${index + 1}: ${code}`)
      })
    }
    expect(offending).toEqual([])
  })
})

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter(entry => entry.isFile() && entry.name.endsWith('.ts'))
    .map(entry => join(entry.parentPath, entry.name))
}
