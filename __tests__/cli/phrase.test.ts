import { afterEach, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { main } from '../../src/cli/main.js'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { claims, putLicense, tempDirs } from '../support/engine.js'

// Issue 25 item 5: the command line phrases the engine's messages in its own words, from their structure:
// a one-step command names its flags, `run` the steps file's keys.
const dirs = tempDirs()
afterEach(() => dirs.cleanup())

interface Ran {
  code: number
  stdout: string
  stderr: string
}

async function cli(args: string[]): Promise<Ran> {
  let stdout = ''
  let stderr = ''
  const code = await main(args, {
    env: {},
    stdout: text => (stdout += text),
    stderr: text => (stderr += text),
    signal: new AbortController().signal,
    now: () => Date.now()
  })
  return { code, stdout, stderr }
}

async function backedUp(): Promise<{ store: string; path: string }> {
  const root = await dirs.make()
  const store = join(root, 'store')
  await putLicense(store, 'a.jwt', claims())
  const path = join(root, 'backup')
  expect((await cli(['backup', '--store', store, '--path', path])).code).toBe(0)
  return { store, path }
}

describe('the command line’s words for the engine’s options', () => {
  it('a one-step command’s warning names the flag', async () => {
    const { path } = await backedUp()
    const verify = await cli(['verify', '--path', path])
    expect(verify.code).toBe(0)
    expect(verify.stdout).toContain(
      'WARNING message="The backup is not authenticated: anyone who can change the backup folder can change what is restored. Sign backups with an SSH key and give their allowed signers file as `--signers`."'
    )
    expect(verify.stdout).not.toMatch(/the `\w+(\.\w+)?` option/)
  })

  it('a one-step command’s error names the flag, and asks for it as a flag', async () => {
    const { store, path } = await backedUp()
    const again = await cli(['backup', '--store', store, '--path', path])
    expect(again.code).toBe(EXIT_CODES.BACKUP_EXISTS)
    expect(again.stderr).toBe(
      `license-backup: A backup already exists at ${path}, and \`--overwrite\` is off; add \`--overwrite\` to replace it, or choose another path. [BACKUP_EXISTS]\n`
    )
  })
})
