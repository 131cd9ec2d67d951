import { afterEach, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { EventEmitter } from 'node:events'
import { LicenseBackupError } from '../../src/engine/errors.js'
import { joinLogText, lineOf, logText } from '../../src/action/log/text.js'
import { run } from '../../src/main.js'
import { fakeEngine } from './fake-engine.js'
import type { FakeScript } from './fake-engine.js'
import { sandbox, stepsFile } from './harness.js'
import type { RunSandbox } from './harness.js'

// Workflow-command injection (issue 10, item 5): outside text must not start, end or hide a log line.

/** What an attacker puts in a claim, a title, a path or a message. */
const HOSTILE = [
  'x\n::error::PWNED',
  'x\r::error::PWNED',
  'x\r\n   ::add-mask::PWNED',
  'x\u2028::error::PWNED',
  'x\u2029::stop-commands::PWNED',
  'x\u0085::error::PWNED',
  'x\u000b::error::PWNED',
  'x\u000c::error::PWNED',
  'x%0A::error::PWNED',
  '::add-mask::PWNED',
  '::stop-commands::PWNED',
  '  ::error::PWNED',
  '##[error]PWNED',
  'y##[add-mask]PWNED',
  '#',
  '#[error]PWNED'
]

/** The runner splits stdout at CR and LF; the log viewer also breaks at U+2028, U+2029 and NEL. */
function runnerLines(output: string): string[] {
  return output.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/)
}

/** The lines a runner would take as commands that the outside text started. */
function injected(output: string): string[] {
  return runnerLines(output).filter(
    line => line.includes('##[') || /^\s*::[^:]*::(PWNED|[^:]*##)/.test(line) || /^\s*::(?!\w)/.test(line)
  )
}

/** An annotation's message and title as the runner decodes them (`%0A` is a line break there). */
function decodedAnnotations(output: string): string[] {
  const decode = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
  return output
    .split('\n')
    .filter(line => /^::(error|warning|notice)/.test(line))
    .flatMap(line => {
      const [, props = '', message = ''] = /^::\w+ ?([^:]*)::(.*)$/.exec(line) ?? []
      return [decode(message), decode(props)]
    })
}

describe('logText: the one sanitiser', () => {
  it.each(HOSTILE)('%j stays inside one line that starts no command', value => {
    for (const line of [logText`${value}`, logText`Skipped license ${value} (key ID ${value})`]) {
      const text = lineOf(line)
      expect(runnerLines(text)).toHaveLength(1)
      expect(text).not.toContain('##[')
      expect(text.trimStart().startsWith('::')).toBe(false)
    }
  })

  it('shows line breaks as visible escapes and leaves ordinary text as written', () => {
    expect(lineOf(logText`a ${'b\nc\r\nd\u2028e\u0085f'} g`)).toBe('a b\\nc\\r\\nd\\u2028e\\u0085f g')
    expect(lineOf(logText`Backed up ${3} license(s) to ${'./backup dir/ü'}.`)).toBe(
      'Backed up 3 license(s) to ./backup dir/ü.'
    )
    expect(lineOf(logText`${'\u202eevil'}`)).toBe('\\u202eevil')
  })

  it('catches a marker put together from a value and the literal next to it', () => {
    expect(lineOf(logText`#${'#[error]x'}`)).not.toContain('##[')
    expect(lineOf(logText`:${':error::x'}`).startsWith('::')).toBe(false)
    expect(lineOf(joinLogText([logText`${'a#'}`, logText`${'#[b'}`], '')).includes('##[')).toBe(false)
  })

  it('holds for any text (property)', () => {
    const anyText = fc.string({
      unit: fc.constantFrom(...'ab:#[ \n\r\t%0A\u2028\u2029\u0085\u000b\u000c'.split(''))
    })
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        const text = lineOf(logText`${a}${b} and ${b}`)
        return runnerLines(text).length === 1 && !text.includes('##[') && !/^\s*::/.test(text)
      }),
      { numRuns: 500 }
    )
  })
})

let box: RunSandbox | undefined
afterEach(() => {
  box?.restore()
  box = undefined
})

async function runWith(yaml: string, script: FakeScript, env: Record<string, string> = {}) {
  box = await sandbox({}, env)
  process.env['INPUT_CONFIG'] = await stepsFile(box.dir, yaml)
  await run({ createEngine: fakeEngine({ root: box.dir, ...script }).create, signals: new EventEmitter() })
  return box.output()
}

const backupYaml = (path = './backup', extra = '') => `version: 1
store: ./licenses
steps:
  - backup:
      path: ${JSON.stringify(path)}
${extra}`

const restoreYaml = `version: 1
store: ./licenses
service: { url: "https://lms.example.com", token-env: LMS_TOKEN }
steps:
  - backup: { path: ./backup }
  - restore: { path: ./backup }
`

describe('run(): no outside text injects a workflow command', () => {
  it.each(['warn', 'ignore', 'error'])(
    'a key_id `x\\n::error::PWNED` in the closing restricted summary (on-restricted: %s)',
    async policy => {
      const output = await runWith(backupYaml('./backup', `      on-restricted: ${policy}\n`), {
        restricted: [{ keyId: 'x\n::error::PWNED', licenseId: 'x\n::stop-commands::PWNED' }]
      })
      expect(output).toContain('PWNED')
      expect(injected(output)).toEqual([])
      for (const text of decodedAnnotations(output)) expect(text).not.toMatch(/[\r\n]/)
    }
  )

  it('titles past the 10-annotation cap, with `##[error]`, `##[add-mask]` and every line break', async () => {
    const restricted = [...HOSTILE, ...HOSTILE].map((title, i) => ({
      keyId: `k${i}`,
      licenseId: `l${i}`,
      title
    }))
    const output = await runWith(backupYaml(), { restricted })
    expect(output.match(/^::warning/gm)).toHaveLength(10)
    expect(output).toContain('y##\u200b[add-mask]PWNED')
    expect(injected(output)).toEqual([])
  })

  it('a refused license left out whose jti, key ID and reason carry commands, in "Skipped license"', async () => {
    const skipped = HOSTILE.map(value => ({ jti: value, key_id: value, reason: `restore-limit ${value}` }))
    const output = await runWith(restoreYaml, { licenses: 1, skipped }, { LMS_TOKEN: 'token' })
    expect(output).toContain('Skipped license x\\n::error::PWNED')
    expect(injected(output)).toEqual([])
  })

  it.each(HOSTILE.filter(p => !p.includes('%')))(
    'a backup path %j, in the group title, the result line and the failure',
    async hostile => {
      const output = await runWith(backupYaml(`./b${hostile}`, '      on-restricted: error\n'), {
        restricted: [{ keyId: 'k', licenseId: 'l' }]
      })
      expect(output).toMatch(/^::error::.*The backup at/m)
      expect(injected(output)).toEqual([])
      for (const text of decodedAnnotations(output)) expect(text).not.toMatch(/[\r\n]/)
    }
  )

  it('a service refusal and an engine error message that carry commands', async () => {
    const output = await runWith(
      restoreYaml,
      {
        refusal: {
          keyId: '##[error]PWNED',
          licenseId: 'x\n::error::PWNED',
          url: 'https://lms.example.com/x\r\n::add-mask::PWNED',
          message: 'refused\n::stop-commands::PWNED ##[add-mask]PWNED'
        },
        fail: new LicenseBackupError('RESTORE_LIMIT', 'refused x\n::error::PWNED ##[error]PWNED')
      },
      { LMS_TOKEN: 'token' }
    )
    expect(output).toMatch(/^::error::refused x\\n::error::PWNED/m)
    expect(injected(output)).toEqual([])
    for (const text of decodedAnnotations(output)) expect(text).not.toMatch(/[\r\n]/)
  })
})
