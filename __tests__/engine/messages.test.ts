import { afterEach, describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errorText } from '../../src/action/phrase.js'
import { ConfigError } from '../../src/action/steps/config-error.js'
import { STEPS_WORDS } from '../../src/action/steps/words.js'
import { STEP_FLAGS } from '../../src/cli/commands.js'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { main } from '../../src/cli/main.js'
import { FLAG_WORDS } from '../../src/cli/phrase.js'
import {
  capitalized,
  ENGINE_OPTIONS,
  ERROR_CODES,
  LicenseBackupError,
  message,
  option,
  phrase,
  turnOn,
  type BackupRestorer,
  type ErrorCode,
  type EventListener
} from '../../src/engine/index.js'
import { warning } from '../../src/engine/events.js'
import { run } from '../../src/main.js'
import { sandbox, stepsFile, type RunSandbox } from '../action/harness.js'
import { tempDirs } from '../support/engine.js'

// Issue 25 item 5: an engine error or warning is structure (code, subject, options, values); each host
// builds its own sentence from it, and neutralises the values it prints.
const dirs = tempDirs()
let box: RunSandbox | undefined
afterEach(async () => {
  box?.restore()
  box = undefined
  await dirs.cleanup()
})

/** Outside text that would start a workflow command, break a line or colour a terminal if printed raw. */
const HOSTILE = 'x\n::error::pwned \u001b[31mred\u001b[0m ##[group]g\r\u2028y'

function hostileError(code: ErrorCode): LicenseBackupError {
  return new LicenseBackupError(
    code,
    message`${capitalized(option('store'))} ${HOSTILE} failed; ${turnOn('overwrite')}, or check ${option('signers')}.`,
    { file: HOSTILE }
  )
}

/** An engine whose every operation warns (with a hostile value) and then fails with `error`. */
function failingEngine(listener: EventListener, error: Error): BackupRestorer {
  const fail = (): Promise<never> => {
    listener(warning(message`Beware ${HOSTILE}: ${capitalized(option('trust'))} is not set.`))
    return Promise.reject(error)
  }
  return { backup: fail, restore: fail, verify: fail, release: fail, renew: fail }
}

/** No line but the host's own starts a workflow command, and nothing a terminal acts on is left raw. */
function expectNeutralised(lines: string[]): void {
  expect(lines.filter(line => line.includes('pwned'))).toHaveLength(2)
  expect(lines.some(line => /^\s*::error::pwned/.test(line))).toBe(false)
  // eslint-disable-next-line no-control-regex -- the escape character is what must not get through
  expect(lines.join('\n')).not.toMatch(/[\u001b\r\u2028]|##\[group\]/)
}

async function actionRun(code: ErrorCode): Promise<string[]> {
  box = await sandbox({})
  const dir = box.dir
  process.env['INPUT_CONFIG'] = await stepsFile(
    dir,
    `version: 1\nstore: ${join(dir, 'store')}\nsteps:\n  - backup: { path: ${join(dir, 'backup')} }\n`
  )
  await run({
    signals: new EventEmitter(),
    createEngine: async listener => failingEngine(listener, hostileError(code))
  })
  const lines = box.lines()
  box.restore()
  box = undefined
  return lines
}

async function cliRun(code: ErrorCode, args: string[]): Promise<{ exit: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const exit = await main(args, {
    env: {},
    stdout: text => (out += text),
    stderr: text => (err += text),
    signal: new AbortController().signal,
    now: () => Date.now(),
    createEngine: listener => failingEngine(listener, hostileError(code))
  })
  return { exit, out, err }
}

describe('every engine error code, phrased by each host', () => {
  it.each(ERROR_CODES)('%s: the action fails the step in the steps file’s words', async code => {
    const lines = await actionRun(code)
    const failure = lines.filter(line => line.startsWith('::error::'))
    expect(failure).toHaveLength(1)
    expect(failure[0]).toContain('`store` in the steps file x\\n::error::pwned')
    expect(failure[0]).toContain(
      'set `overwrite: true` on the backup step, or check `signers` in the steps file.'
    )
    const suffix = code === 'CONFIG_INVALID' || code === 'CANCELLED' ? '' : ` [${code}]`
    expect(failure[0]).toMatch(code === 'CANCELLED' ? /^::error::Cancelled: / : /^::error::`store`/)
    expect(failure[0]).toMatch(new RegExp(`\\.${suffix.replace(/[[\]]/g, '\\$&')}$`))
    const warned = lines.filter(line => line.startsWith('::warning::Beware'))
    expect(warned).toHaveLength(1)
    expect(warned[0]).toContain(
      '`trust` in the steps file (`jwks`, `jwks-url` or `service: true`) is not set.'
    )
    expect(lines.join('\n')).not.toMatch(/the `\w+(\.\w+)?` option/)
    expectNeutralised(lines)
  })

  it.each(ERROR_CODES)(
    '%s: a one-step command names its flags, and exits with the code’s number',
    async code => {
      const dir = await dirs.make()
      const ran = await cliRun(code, ['backup', '--store', join(dir, 's'), '--path', join(dir, 'b')])
      expect(ran.exit).toBe(EXIT_CODES[code])
      expect(ran.err).toBe(
        `license-backup: \`--store\` x\\n::error::pwned \\u001b[31mred\\u001b[0m ##\u200b[group]g\\r\\u2028y failed; add \`--overwrite\`, or check \`--signers\`. [${code}]\n`
      )
      expect(ran.out).toContain('WARNING message="Beware x\\n::error::pwned')
      expect(ran.out).toContain('`--trust-jwks` is not set."')
      expectNeutralised([...ran.out.split('\n'), ...ran.err.split('\n')])
    }
  )

  it('`license-backup run` words the options as the steps file does, and --json carries the structure', async () => {
    const dir = await dirs.make()
    const config = join(dir, 'steps.yml')
    await import('node:fs/promises').then(fs =>
      fs.writeFile(
        config,
        `version: 1\nstore: ${join(dir, 's')}\nsteps:\n  - backup: { path: ${join(dir, 'b')} }\n`
      )
    )
    const ran = await cliRun('BUSY', ['run', '--config', config, '--json'])
    expect(ran.exit).toBe(EXIT_CODES.BUSY)
    const lines = ran.out
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as Record<string, unknown>)
    const warned = lines.find(line => line['type'] === 'WARNING')
    expect(warned?.['message']).toBe(
      `Beware ${HOSTILE}: \`trust\` in the steps file (\`jwks\`, \`jwks-url\` or \`service: true\`) is not set.`
    )
    expect(warned?.['parts']).toEqual([
      { text: 'Beware ' },
      { value: HOSTILE },
      { text: ': ' },
      { option: 'trust', ask: 'name', capital: true },
      { text: ' is not set.' }
    ])
    const failed = lines.at(-1)
    expect(failed?.['type']).toBe('FAILED')
    expect(failed?.['message']).toContain('set `overwrite: true` on the backup step')
  })
})

describe('the structure of an engine error', () => {
  it('carries its code, subject, the options it mentions and its values; its message is the engine’s words', () => {
    const error = hostileError('BACKUP_EXISTS')
    expect(error.code).toBe('BACKUP_EXISTS')
    expect(error.subject).toEqual({ file: HOSTILE })
    expect(error.options).toEqual(['store', 'overwrite', 'signers'])
    expect(error.values).toEqual([HOSTILE])
    expect(error.message).toBe(
      `The \`store\` option ${HOSTILE} failed; turn on the \`overwrite\` option, or check the \`signers\` option.`
    )
  })
})

describe('a steps-file error that wraps an engine error', () => {
  it('keeps its structure: the action words its option as the steps file does, after the place', () => {
    const engine = new LicenseBackupError(
      'CONFIG_INVALID',
      message`The key in ${option('machineKey')} cannot be used: ${HOSTILE}.`
    )
    const error = new ConfigError(engine, { source: 'steps.yml', file: 'steps.yml', line: 3, column: 5 })
    expect(error.options).toEqual(['machineKey'])
    expect(errorText(error)).toBe(
      `steps.yml:3:5: The key in the variable named by the step's \`machine-key-env\` cannot be used: ${HOSTILE}.`
    )
    expect(phrase(error.reason, FLAG_WORDS)).toBe(
      `The key in the variable named by \`--machine-key-env\` cannot be used: ${HOSTILE}.`
    )
  })
})

describe('each host’s phrasebook', () => {
  const flags = new Set(Object.values(STEP_FLAGS).flatMap(command => Object.keys(command)))

  it.each(ENGINE_OPTIONS)('%s: both hosts have words for it, and the command line’s flags exist', name => {
    for (const words of [STEPS_WORDS, FLAG_WORDS]) {
      expect(words[name].name).not.toMatch(/option/)
      expect(words[name].turnOn ?? '').not.toMatch(/option/)
    }
    for (const flag of `${FLAG_WORDS[name].name} ${FLAG_WORDS[name].turnOn ?? ''}`.matchAll(/`--([\w-]+)`/g))
      expect(flags).toContain(flag[1])
  })

  it('no host knows the engine’s words for an option, so none can rewrite them', async () => {
    const offending: string[] = []
    for (const dir of ['src/action', 'src/cli', 'src/main.ts']) {
      const files = dir.endsWith('.ts')
        ? [dir]
        : (await readdir(dir, { recursive: true, withFileTypes: true }))
            .filter(entry => entry.isFile() && entry.name.endsWith('.ts'))
            .map(entry => join(entry.parentPath, entry.name))
      for (const file of files) {
        const text = await readFile(file, 'utf8')
        if (/ENGINE_WORDS|\bturnOn\(|\boption\(|` option\b/.test(text)) offending.push(file)
      }
    }
    expect(offending).toEqual([])
  })
})
